import {existsSync, readFileSync} from 'node:fs'

import {KafkitError, usageError} from '../errors.js'
import {secretValues} from '../secrets.js'
import {parseJavaProperties, translateJavaClientProperties} from './java-properties.js'
import {configFilePath, profileProperties, readProfileFile} from './profiles.js'

// How every command finds its cluster. Precedence, highest first (docs/configuration.md):
//   bootstrap servers: -b/--bootstrap-server, -X bootstrap.servers, --command-config, a profile named
//                      with --profile, $KAFKA_BOOTSTRAP_SERVERS, the profile from $KAFKIT_PROFILE or the
//                      file's default, then localhost:9092
//   other properties:  -X, then --command-config, then the profile
//   profile:           --profile, then $KAFKIT_PROFILE, then the file's default-profile

export const DEFAULT_BOOTSTRAP = 'localhost:9092'

export interface ConnectionInput {
  bootstrapServer?: string
  profile?: string
  /** Raw `-X key=value` strings, in order. */
  properties?: string[]
  commandConfig?: string
  timeoutMs: number
  env?: NodeJS.ProcessEnv
  /**
   * Only what is named here counts: no $KAFKA_BOOTSTRAP_SERVERS, $KAFKIT_PROFILE or default
   * profile (a second cluster, such as pipe's destination, is never the environment's one by accident).
   */
  namedOnly?: boolean
}

export type BootstrapSource = 'flag' | 'env' | 'command-config' | 'profile' | 'default'

export interface Connection {
  bootstrapServers: string
  bootstrapSource: BootstrapSource
  profile?: string
  /** The complete librdkafka configuration, bootstrap.servers included. */
  properties: Record<string, string>
  /** Values to mask in anything printed. */
  secrets: string[]
  /** Notices for stderr (ignored Java settings and the like). */
  warnings: string[]
  timeoutMs: number
  /** The PEM CA certificates the client trusts (ssl.ca.pem or the ssl.ca.location file), to explain TLS failures. */
  trustedCa?: () => string | undefined
  /** The client's PEM certificate (ssl.certificate.pem or the ssl.certificate.location file), to explain a refused one. */
  clientCertificate?: () => string | undefined
}

export function parsePropertyAssignment(text: string, flag = '-X'): [string, string] {
  const eq = text.indexOf('=')
  if (eq <= 0) throw usageError(`${flag} expects key=value, got '${text.includes('pass') ? '<redacted>' : text}'`, `example: ${flag} security.protocol=SASL_SSL`)
  return [text.slice(0, eq).trim(), text.slice(eq + 1)]
}

const BOOTSTRAP_ENTRY = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):\d{1,5}$/

/** Accepts `host:port[,host:port]` with optional `PLAINTEXT://`-style prefixes, as Kafka tools do. */
export function validateBootstrap(servers: string): string {
  const entries = servers.split(',').map((s) => s.trim()).filter(Boolean)
  if (entries.length === 0) throw usageError('the bootstrap server list is empty', 'example: -b localhost:9092')
  for (const entry of entries) {
    const bare = entry.replace(/^[A-Za-z_]+:\/\//, '')
    const port = Number(bare.slice(bare.lastIndexOf(':') + 1))
    if (!BOOTSTRAP_ENTRY.test(bare) || port < 1 || port > 65_535) {
      throw usageError(`invalid bootstrap server '${entry}'`, 'expected host:port[,host:port], e.g. -b localhost:9092')
    }
  }
  return entries.join(',')
}

/** The SASL mechanisms librdkafka implements (its names are case-sensitive). */
const SASL_MECHANISMS = ['GSSAPI', 'PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER']

/** librdkafka refuses an unknown mechanism with only "Erroneous state"; say what is wrong instead. */
function checkSaslMechanism(mechanism: string | undefined): void {
  if (mechanism === undefined || SASL_MECHANISMS.includes(mechanism)) return
  throw new KafkitError('auth', `unsupported SASL mechanism '${mechanism}': kafkit's client knows ${SASL_MECHANISMS.join(', ')}`, {
    hint: 'set sasl.mechanism (Java .properties) or sasl.mechanisms (-X, profiles) to one of those that the broker enables (its sasl.enabled.mechanisms)',
    kafkaCode: 'UNSUPPORTED_SASL_MECHANISM',
  })
}

/** PLAIN and SCRAM with a missing or empty user name or password: librdkafka says only "Erroneous state". */
function checkSaslCredentials(properties: Record<string, string>, mechanism: string): void {
  const protocol = (properties['security.protocol'] ?? '').toUpperCase()
  if (!protocol.startsWith('SASL') || !(mechanism === 'PLAIN' || mechanism.startsWith('SCRAM-'))) return
  const missing = ['sasl.username', 'sasl.password'].filter((key) => !properties[key])
  if (missing.length === 0) return
  throw new KafkitError('auth', `SASL ${mechanism} needs ${missing.join(' and ')}, and ${missing.length === 1 ? 'it is' : 'they are'} ${missing.some((key) => key in properties) ? 'empty' : 'not set'}`, {
    hint: 'set them with -X sasl.username=... -X sasl.password=..., in the profile (sasl: username/password), or sasl.jaas.config in --command-config',
  })
}

export function resolveConnection(input: ConnectionInput): Connection {
  const given = input.env ?? process.env
  const env = input.namedOnly ? {...given, KAFKA_BOOTSTRAP_SERVERS: undefined, KAFKIT_PROFILE: undefined} : given
  const warnings: string[] = []

  const fileProperties: Record<string, string> = {}
  let profileName = input.profile ?? (env.KAFKIT_PROFILE || undefined)
  const file = readProfileFile(configFilePath(env))
  if (profileName === undefined && file?.defaultProfile && !input.namedOnly) profileName = file.defaultProfile
  if (profileName !== undefined) {
    if (!file) {
      throw new KafkitError('not_found', `profile '${profileName}' requested, but ${configFilePath(env)} does not exist`, {
        hint: 'create it (see docs/configuration.md) or drop --profile / KAFKIT_PROFILE',
      })
    }
    Object.assign(fileProperties, profileProperties(file, profileName, env))
  }

  const commandConfig: Record<string, string> = {}
  if (input.commandConfig !== undefined) {
    if (!existsSync(input.commandConfig)) {
      throw new KafkitError('not_found', `--command-config file ${input.commandConfig} does not exist`)
    }
    const translated = translateJavaClientProperties(parseJavaProperties(readFileSync(input.commandConfig, 'utf8')), input.commandConfig)
    Object.assign(commandConfig, translated.properties)
    warnings.push(...translated.warnings)
  }

  const flagProperties: Record<string, string> = {}
  for (const assignment of input.properties ?? []) {
    const [key, value] = parsePropertyAssignment(assignment)
    flagProperties[key] = value
  }

  // What is typed on the command line beats the environment: --command-config and a profile named
  // with --profile come before $KAFKA_BOOTSTRAP_SERVERS (a shell that exported the local broker's
  // address can still use `--profile local-sasl`); a profile chosen by $KAFKIT_PROFILE or the
  // file's default comes after it.
  const candidates: Array<[BootstrapSource, string | undefined]> = [
    ['flag', input.bootstrapServer ?? flagProperties['bootstrap.servers']],
    ['command-config', commandConfig['bootstrap.servers']],
    ['profile', input.profile === undefined ? undefined : fileProperties['bootstrap.servers']],
    ['env', env.KAFKA_BOOTSTRAP_SERVERS || undefined],
    ['profile', fileProperties['bootstrap.servers']],
    ['default', DEFAULT_BOOTSTRAP],
  ]
  const [bootstrapSource, rawBootstrap] = candidates.find(([, value]) => value !== undefined) as [BootstrapSource, string]
  const bootstrapServers = validateBootstrap(rawBootstrap)

  const properties: Record<string, string> = {...fileProperties, ...commandConfig, ...flagProperties, 'bootstrap.servers': bootstrapServers}
  const mechanism = properties['sasl.mechanisms'] ?? properties['sasl.mechanism']
  checkSaslMechanism(mechanism)
  // GSSAPI is librdkafka's default mechanism.
  checkSaslCredentials(properties, mechanism ?? 'GSSAPI')
  return {
    bootstrapServers,
    bootstrapSource,
    profile: profileName,
    properties,
    secrets: secretValues(properties),
    warnings,
    timeoutMs: input.timeoutMs,
    trustedCa: () => properties['ssl.ca.pem'] ?? (properties['ssl.ca.location'] ? readFileSync(properties['ssl.ca.location'], 'utf8') : undefined),
    clientCertificate: () =>
      properties['ssl.certificate.pem'] ?? (properties['ssl.certificate.location'] ? readFileSync(properties['ssl.certificate.location'], 'utf8') : undefined),
  }
}
