import {existsSync, mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {homedir} from 'node:os'
import {dirname, join} from 'node:path'

import {KafkitError, usageError} from '../errors.js'

// Named connection profiles in $XDG_CONFIG_HOME/kafkit/config.yaml (see docs/configuration.md).
// A profile is turned into plain librdkafka properties; nothing else in kafkit knows the file.

/**
 * The YAML parser. The build packs the `yaml` package into one file beside the bundle
 * (dist/yaml.cjs, scripts/bundle.mjs): required from node_modules it is 72 modules, whose loading
 * cost every command run with a config file ~3 MB of peak memory (and V8 optimizing Node's path
 * functions on the way). Run from the sources (tests), there is no such file: the package itself.
 */
function yamlLibrary(): typeof import('yaml') {
  const require = createRequire(import.meta.url)
  try {
    return require('./yaml.cjs') as typeof import('yaml')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error
    return require('yaml') as typeof import('yaml')
  }
}

export function configFilePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KAFKIT_CONFIG) return env.KAFKIT_CONFIG
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(homedir(), '.config')
  return join(base, 'kafkit', 'config.yaml')
}

export interface ProfileFile {
  path: string
  defaultProfile?: string
  profiles: Record<string, Record<string, unknown>>
}

export function readProfileFile(path: string): ProfileFile | undefined {
  if (!existsSync(path)) return undefined
  let doc: unknown
  try {
    // Loaded only when a config file exists: most calls never pay for the YAML parser.
    const {parse} = yamlLibrary()
    doc = parse(readFileSync(path, 'utf8'))
  } catch (error) {
    throw usageError(`cannot parse ${path}: ${(error as Error).message.split('\n')[0]}`)
  }
  if (doc === null || doc === undefined) return {path, profiles: {}}
  if (typeof doc !== 'object' || Array.isArray(doc)) throw usageError(`${path}: expected a mapping with 'profiles'`)
  const root = doc as Record<string, unknown>
  const profiles = root.profiles ?? {}
  if (typeof profiles !== 'object' || profiles === null || Array.isArray(profiles)) {
    throw usageError(`${path}: 'profiles' must be a mapping of profile names to settings`)
  }
  const defaultProfile = root['default-profile'] ?? root.default
  return {
    path,
    defaultProfile: typeof defaultProfile === 'string' ? defaultProfile : undefined,
    profiles: profiles as Record<string, Record<string, unknown>>,
  }
}

/** `${VAR}` in a value reads the environment, so secrets can stay out of the file. */
function expandEnv(value: string, env: NodeJS.ProcessEnv, where: string): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const found = env[name]
    if (found === undefined) throw usageError(`${where} refers to \${${name}}, which is not set in the environment`)
    return found
  })
}

function scalar(value: unknown, where: string, env: NodeJS.ProcessEnv): string {
  if (typeof value === 'string') return expandEnv(value, env, where)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return expandEnv(value.join(','), env, where)
  throw usageError(`${where} must be a string, number or boolean`)
}

// Friendly profile keys and the librdkafka properties they set.
const PROFILE_KEYS: Record<string, string> = {
  'bootstrap-servers': 'bootstrap.servers',
  'security-protocol': 'security.protocol',
  'client-id': 'client.id',
}
const SASL_KEYS: Record<string, string> = {
  mechanism: 'sasl.mechanisms',
  username: 'sasl.username',
  password: 'sasl.password',
  'password-file': 'sasl.password',
  'oauthbearer-method': 'sasl.oauthbearer.method',
  'token-endpoint-url': 'sasl.oauthbearer.token.endpoint.url',
  'client-id': 'sasl.oauthbearer.client.id',
  'client-secret': 'sasl.oauthbearer.client.secret',
  scope: 'sasl.oauthbearer.scope',
}
const SSL_KEYS: Record<string, string> = {
  'ca-location': 'ssl.ca.location',
  'certificate-location': 'ssl.certificate.location',
  'key-location': 'ssl.key.location',
  'key-password': 'ssl.key.password',
  'keystore-location': 'ssl.keystore.location',
  'keystore-password': 'ssl.keystore.password',
  'endpoint-identification': 'ssl.endpoint.identification.algorithm',
}

function mapSection(section: unknown, keys: Record<string, string>, where: string, env: NodeJS.ProcessEnv, out: Record<string, string>) {
  if (section === undefined || section === null) return
  if (typeof section !== 'object' || Array.isArray(section)) throw usageError(`${where} must be a mapping`)
  for (const [key, value] of Object.entries(section)) {
    const property = keys[key]
    if (!property) throw usageError(`${where}: unknown key '${key}'`, `known keys: ${Object.keys(keys).join(', ')}`)
    const text = scalar(value, `${where}.${key}`, env)
    out[property] = key.endsWith('-file') ? readSecretFile(text, `${where}.${key}`) : text
  }
}

/** A `*-file` key names a file that holds the value (a password), so the profile need not. */
function readSecretFile(path: string, where: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '')
  } catch (error) {
    throw new KafkitError('not_found', `${where}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`)
  }
}

/** The librdkafka properties a profile stands for. */
export function profileProperties(file: ProfileFile, name: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const profile = file.profiles[name]
  if (profile === undefined) {
    const known = Object.keys(file.profiles)
    throw new KafkitError('not_found', `profile '${name}' is not defined in ${file.path}`, {
      hint: known.length > 0 ? `defined profiles: ${known.join(', ')}` : 'the file defines no profiles',
    })
  }
  if (typeof profile !== 'object' || profile === null) throw usageError(`${file.path}: profile '${name}' must be a mapping`)
  const where = `${file.path}: profiles.${name}`
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(profile)) {
    // The registry's settings are read by registry-connection.ts (profileRegistrySettings).
    if (key === 'schema-registry') continue
    if (key === 'sasl') mapSection(value, SASL_KEYS, `${where}.sasl`, env, out)
    else if (key === 'ssl') mapSection(value, SSL_KEYS, `${where}.ssl`, env, out)
    else if (key === 'properties') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw usageError(`${where}.properties must be a mapping`)
      for (const [prop, v] of Object.entries(value)) out[prop] = scalar(v, `${where}.properties.${prop}`, env)
    } else if (PROFILE_KEYS[key]) out[PROFILE_KEYS[key]] = scalar(value, `${where}.${key}`, env)
    else throw usageError(`${where}: unknown key '${key}'`, `known keys: ${[...Object.keys(PROFILE_KEYS), 'sasl', 'ssl', 'properties', 'schema-registry'].join(', ')}`)
  }
  return out
}

// A profile's `schema-registry:` section: the Schema Registry that goes with that cluster.
const REGISTRY_KEYS = ['url', 'username', 'password', 'bearer-token', 'ca-location', 'certificate-location', 'key-location'] as const
export type RegistryProfileSettings = Partial<Record<(typeof REGISTRY_KEYS)[number], string>>

/** The `schema-registry:` settings of a profile (empty when it has none). */
export function profileRegistrySettings(file: ProfileFile, name: string, env: NodeJS.ProcessEnv = process.env): RegistryProfileSettings {
  profileProperties(file, name, env) // the same checks: the profile exists and is well formed
  const section = file.profiles[name]!['schema-registry']
  const where = `${file.path}: profiles.${name}.schema-registry`
  if (section === undefined || section === null) return {}
  if (typeof section !== 'object' || Array.isArray(section)) throw usageError(`${where} must be a mapping`)
  const out: RegistryProfileSettings = {}
  for (const [key, value] of Object.entries(section)) {
    if (!(REGISTRY_KEYS as readonly string[]).includes(key)) throw usageError(`${where}: unknown key '${key}'`, `known keys: ${REGISTRY_KEYS.join(', ')}`)
    out[key as (typeof REGISTRY_KEYS)[number]] = scalar(value, `${where}.${key}`, env)
  }
  return out
}

/**
 * Adds or replaces one profile in the config file (creating the file), keeping the other
 * profiles and the comments as they are.
 */
export function saveProfile(path: string, name: string, profile: Record<string, unknown>): void {
  const {parseDocument} = yamlLibrary()
  const doc = parseDocument(existsSync(path) ? readFileSync(path, 'utf8') : '')
  if (doc.errors.length > 0) throw usageError(`cannot parse ${path}: ${doc.errors[0]!.message.split('\n')[0]}`)
  doc.setIn(['profiles', name], doc.createNode(profile))
  mkdirSync(dirname(path), {recursive: true})
  const temporary = `${path}.${process.pid}.tmp`
  writeFileSync(temporary, doc.toString())
  renameSync(temporary, path)
}
