import {existsSync} from 'node:fs'

import {KafkitError, usageError} from '../errors.js'
import {configFilePath, profileRegistrySettings, readProfileFile, type RegistryProfileSettings} from './profiles.js'

// Where the Schema Registry is and how to log in (docs/schema-registry.md). First found wins:
//   the URL: --schema-registry / -r, $KAFKIT_SCHEMA_REGISTRY_URL, the profile's schema-registry.url,
//            then the registry `kafkit local start --schema-registry` runs (the caller looks it up)
//   basic auth: user:password in the URL (as Confluent's basic.auth.credentials.source=URL), else the
//            profile's username/password; a bearer token and TLS files only from the profile.

export interface RegistryConnection {
  /** One or more base URLs, without credentials (tried in order). */
  urls: string[]
  source: 'flag' | 'env' | 'profile' | 'local'
  basicAuth?: {username: string; password: string}
  bearerToken?: string
  caFile?: string
  certificateFile?: string
  keyFile?: string
  /** Values to mask in every output. */
  secrets: string[]
  timeoutMs: number
}

export interface RegistryConnectionInput {
  url?: string
  profile?: string
  timeoutMs: number
  /** The running local registry's URL, asked only when nothing else names one. */
  localUrl?: () => Promise<string | undefined>
  env?: NodeJS.ProcessEnv
}

const NO_REGISTRY_HINT = 'pass --schema-registry URL, set KAFKIT_SCHEMA_REGISTRY_URL, add schema-registry.url to the profile, or start one with: kafkit local start --schema-registry'

/** Splits `http://user:pass@host:8081/path` into the URL without its credentials and the credentials. */
export function splitUrlCredentials(text: string): {url: string; username?: string; password?: string} {
  let parsed: URL
  try {
    parsed = new URL(text)
  } catch {
    throw usageError(`invalid Schema Registry URL '${text.replace(/\/\/[^@/]*@/, '//********@')}'`, 'expected http(s)://host:port[/path]')
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw usageError(`the Schema Registry URL must be http:// or https://, got ${parsed.protocol}`)
  const username = parsed.username ? decodeURIComponent(parsed.username) : undefined
  const password = parsed.password ? decodeURIComponent(parsed.password) : undefined
  parsed.username = ''
  parsed.password = ''
  return {url: parsed.href.replace(/\/$/, ''), username, password}
}

function profileSettings(profile: string | undefined, env: NodeJS.ProcessEnv): RegistryProfileSettings {
  const name = profile ?? (env.KAFKIT_PROFILE || undefined)
  const file = readProfileFile(configFilePath(env))
  const chosen = name ?? file?.defaultProfile
  if (chosen === undefined) return {}
  if (!file) {
    throw new KafkitError('not_found', `profile '${chosen}' requested, but ${configFilePath(env)} does not exist`, {
      hint: 'create it (see docs/configuration.md) or drop --profile / KAFKIT_PROFILE',
    })
  }
  return profileRegistrySettings(file, chosen, env)
}

export async function resolveRegistryConnection(input: RegistryConnectionInput): Promise<RegistryConnection> {
  const env = input.env ?? process.env
  const settings = profileSettings(input.profile, env)
  const named: Array<[RegistryConnection['source'], string | undefined]> = [
    ['flag', input.url],
    ['env', env.KAFKIT_SCHEMA_REGISTRY_URL || undefined],
    ['profile', settings.url],
  ]
  let [source, raw] = named.find(([, value]) => value !== undefined) ?? ['local', undefined]
  if (raw === undefined) {
    raw = await input.localUrl?.()
    source = 'local'
  }
  if (raw === undefined) throw usageError('no Schema Registry given', NO_REGISTRY_HINT)

  const secrets: string[] = []
  const urls: string[] = []
  let basicAuth: RegistryConnection['basicAuth']
  for (const part of raw.split(',').map((text) => text.trim()).filter(Boolean)) {
    const {url, username, password} = splitUrlCredentials(part)
    urls.push(url)
    if (username !== undefined) basicAuth = {username, password: password ?? ''}
  }
  if (urls.length === 0) throw usageError('the Schema Registry URL is empty', NO_REGISTRY_HINT)
  if (!basicAuth && settings.username !== undefined) basicAuth = {username: settings.username, password: settings.password ?? ''}
  if (basicAuth?.password) secrets.push(basicAuth.password)
  if (settings['bearer-token']) secrets.push(settings['bearer-token'])
  for (const [key, file] of [
    ['ca-location', settings['ca-location']],
    ['certificate-location', settings['certificate-location']],
    ['key-location', settings['key-location']],
  ] as const) {
    if (file !== undefined && !existsSync(file)) throw new KafkitError('not_found', `schema-registry.${key} ${file} does not exist`)
  }
  return {
    urls,
    source,
    basicAuth,
    bearerToken: settings['bearer-token'],
    caFile: settings['ca-location'],
    certificateFile: settings['certificate-location'],
    keyFile: settings['key-location'],
    secrets: secrets.filter((secret) => secret.length >= 3),
    timeoutMs: input.timeoutMs,
  }
}
