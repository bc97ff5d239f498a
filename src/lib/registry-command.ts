import {Flags, Interfaces} from '@oclif/core'

import {BaseCommand} from './base-command.js'
import {resolveRegistryConnection} from './config/registry-connection.js'
import {parseDuration} from './duration.js'
import {defaultStateDir} from './local/paths.js'
import {localRegistryStatus} from './local/schema-registry.js'
import {RegistryClient} from './registry/registry-client.js'
import {SCHEMA_TYPES} from './registry/schema-file.js'

/** Schema Registry connection flags, the same in every command that talks to one (docs/schema-registry.md). */
export const registryFlags = {
  'schema-registry': Flags.string({
    char: 'r',
    summary: 'Schema Registry URL(s), http(s)://[user:password@]host:port[/path], comma-separated.',
    description: 'Overrides $KAFKIT_SCHEMA_REGISTRY_URL and the profile\'s schema-registry.url. Default: the registry of `kafkit local start --schema-registry` when it runs.',
    helpGroup: 'SCHEMA REGISTRY',
  }),
}

const commonFlags = {
  profile: Flags.string({
    summary: 'Connection profile from ~/.config/kafkit/config.yaml (its schema-registry section).',
    description: 'Defaults to $KAFKIT_PROFILE, then the file\'s default-profile.',
    helpGroup: 'CONNECTION',
  }),
  timeout: Flags.string({
    summary: 'Bound on every registry request: 10s, 500ms, 1m (a bare number is seconds).',
    default: '10s',
    helpGroup: 'CONNECTION',
  }),
}

/** How `schemas register` and `schemas check` are given a schema (readSchemaInput reads them). */
export const schemaFileFlags = {
  file: Flags.string({char: 'f', summary: 'The schema file (- for stdin).', required: true}),
  type: Flags.string({summary: 'Schema type. [default: from the file]', options: [...SCHEMA_TYPES]}),
  reference: Flags.string({summary: 'A referenced schema, NAME=SUBJECT:VERSION (repeatable).', multiple: true}),
}

type RegistryFlagValues = Interfaces.InferredFlags<typeof registryFlags & typeof commonFlags>

/** The URL of the local registry (`kafkit local start --schema-registry`) when it runs. */
async function runningLocalRegistry(): Promise<string | undefined> {
  const status = await localRegistryStatus(defaultStateDir())
  return status?.alive ? status.url : undefined
}

/** Base for commands that talk to a Schema Registry only (`kafkit schemas ...`). */
export abstract class RegistryCommand extends BaseCommand {
  static baseFlags = {...BaseCommand.baseFlags, ...registryFlags, ...commonFlags}

  protected async registry(flags: RegistryFlagValues): Promise<RegistryClient> {
    return connectRegistry(flags, this.secrets, (line) => this.debugLog(line))
  }
}

/**
 * The registry a command's flags name (-r, $KAFKIT_SCHEMA_REGISTRY_URL, the profile, the local
 * one); its secrets join the command's masked values. Also used by consume and produce.
 */
export async function connectRegistry(
  flags: Pick<RegistryFlagValues, 'schema-registry' | 'profile' | 'timeout'>,
  secrets: string[],
  debug: (line: string) => void,
): Promise<RegistryClient> {
  const connection = await resolveRegistryConnection({
    url: flags['schema-registry'],
    profile: flags.profile,
    timeoutMs: parseDuration(flags.timeout, '--timeout'),
    localUrl: runningLocalRegistry,
  })
  secrets.push(...connection.secrets)
  debug(`schema registry ${connection.urls.join(', ')} (from ${connection.source})`)
  return new RegistryClient(connection)
}
