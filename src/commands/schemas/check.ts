import {Args, Flags} from '@oclif/core'

import {KafkitError} from '../../lib/errors.js'
import {RegistryCommand, schemaFileFlags} from '../../lib/registry-command.js'
import type {CompatibilityResult} from '../../lib/registry/registry-client.js'
import {parseSchemaVersion, readSchemaInput} from '../../lib/registry/schema-file.js'

export default class SchemasCheck extends RegistryCommand {
  static summary = 'Check a schema against a subject\'s compatibility rule: a CI gate for schema changes.'
  static description = `Asks the registry whether the schema could be registered under the subject (against its latest version, or --version), by the subject's compatibility level (see: kafkit schemas config).
Exit 0 when compatible; exit 8 when not, with the registry's reasons on stderr. Piped stdout: compatible or incompatible. A subject with no versions yet accepts any schema.
With --json: {subject, version, compatible, messages}.`

  static examples = [
    {description: 'In CI, before deploying a producer', command: '<%= config.bin %> schemas check orders-value --file order.avsc'},
  ]

  static args = {
    subject: Args.string({description: 'Subject, e.g. orders-value.', required: true}),
  }

  static flags = {
    ...schemaFileFlags,
    version: Flags.string({summary: 'The version to check against: a number or latest.', default: 'latest'}),
  }

  async run(): Promise<CompatibilityResult & {subject: string; version: number | 'latest'}> {
    const {args, flags} = await this.parse(SchemasCheck)
    const input = readSchemaInput(flags)
    const version = parseSchemaVersion(flags.version)
    const registry = await this.registry(flags)
    const result = await registry.check(args.subject, input, version)
    const full = {subject: args.subject, version, ...result}
    if (!result.compatible) {
      const reasons = result.messages.length > 0 ? `: ${result.messages.join('; ')}` : ''
      if (!this.jsonEnabled()) this.out.line('incompatible')
      throw new KafkitError('findings', `${input.name} is incompatible with subject '${args.subject}' version ${version}${reasons}`, {data: full})
    }
    if (this.jsonEnabled()) return full
    for (const message of result.messages) this.out.notice(message)
    this.out.line('compatible')
    return full
  }
}
