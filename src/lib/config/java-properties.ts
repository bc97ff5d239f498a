import {execFileSync} from 'node:child_process'

import {KafkitError, usageError} from '../errors.js'

// Reads a Java client `.properties` file (what `--command-config` gives the Apache tools) and
// translates it into librdkafka properties, so users of kafka-topics & co. reuse what they have.

/** Parses the java.util.Properties text format: `k=v`, `k:v`, `k v`, comments, continuations, escapes. */
export function parseJavaProperties(text: string): Map<string, string> {
  const result = new Map<string, string>()
  const lines = text.split(/\r\n|\r|\n/)
  for (let i = 0; i < lines.length; i++) {
    let logical = lines[i]!.replace(/^\s+/, '')
    if (logical === '' || logical.startsWith('#') || logical.startsWith('!')) continue
    // A line ending in an odd number of backslashes continues on the next line.
    while (/(^|[^\\])(\\\\)*\\$/.test(logical) && i + 1 < lines.length) {
      logical = logical.slice(0, -1) + lines[++i]!.replace(/^\s+/, '')
    }
    let keyEnd = 0
    while (keyEnd < logical.length) {
      const ch = logical[keyEnd]!
      if (ch === '\\') keyEnd += 2
      else if (ch === '=' || ch === ':' || ch === ' ' || ch === '\t' || ch === '\f') break
      else keyEnd++
    }
    const key = unescape(logical.slice(0, keyEnd))
    const rest = logical.slice(keyEnd).replace(/^[ \t\f]*/, '').replace(/^[=:]/, '').replace(/^[ \t\f]*/, '')
    result.set(key, unescape(rest))
  }
  return result
}

function unescape(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, esc: string) => {
    if (esc.length === 5) return String.fromCharCode(Number.parseInt(esc.slice(1), 16))
    return ({t: '\t', n: '\n', r: '\r', f: '\f'} as Record<string, string>)[esc] ?? esc
  })
}

/** `sasl.jaas.config` login modules kafkit understands, and the librdkafka settings they become. */
export function translateJaasConfig(jaas: string, mechanism: string | undefined): Record<string, string> {
  const module = /^\s*([\w.$]+)\s+(required|requisite|sufficient|optional)\b/.exec(jaas)?.[1]
  if (!module) throw usageError('sasl.jaas.config is not a JAAS login module line', 'expected e.g.: org.apache.kafka.common.security.plain.PlainLoginModule required username="..." password="...";')
  const options = new Map<string, string>()
  for (const m of jaas.matchAll(/([\w.]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;]+))/g)) {
    options.set(m[1]!, m[2] === undefined ? m[3]! : m[2].replace(/\\(.)/g, '$1'))
  }
  const name = module.split('.').at(-1)
  if (name === 'PlainLoginModule' || name === 'ScramLoginModule') {
    const username = options.get('username')
    const password = options.get('password')
    if (username === undefined || password === undefined) {
      throw usageError(`sasl.jaas.config (${name}) needs both username and password`)
    }
    return {'sasl.username': username, 'sasl.password': password}
  }
  if (name === 'OAuthBearerLoginModule') {
    const out: Record<string, string> = {}
    const clientId = options.get('clientId') ?? options.get('clientid')
    const clientSecret = options.get('clientSecret') ?? options.get('clientsecret')
    if (clientId) out['sasl.oauthbearer.client.id'] = clientId
    if (clientSecret) out['sasl.oauthbearer.client.secret'] = clientSecret
    const scope = options.get('scope')
    if (scope) out['sasl.oauthbearer.scope'] = scope
    // Kafka's unsecured (unsigned) JWTs, for test brokers: the subject claim becomes the principal.
    const subject = options.get('unsecuredLoginStringClaim_sub')
    if (subject) {
      out['enable.sasl.oauthbearer.unsecure.jwt'] = 'true'
      out['sasl.oauthbearer.config'] = `principal=${subject}`
    }
    return out
  }
  throw usageError(
    `sasl.jaas.config uses ${module}, which kafkit cannot translate`,
    `supported: PlainLoginModule, ScramLoginModule, OAuthBearerLoginModule (mechanism ${mechanism ?? 'unset'})`,
  )
}

// Java names that librdkafka spells the same way and that make sense for a CLI client.
const SAME_NAME = new Set([
  'bootstrap.servers', 'security.protocol', 'client.id', 'client.rack', 'sasl.kerberos.service.name',
  'sasl.kerberos.principal', 'sasl.oauthbearer.scope', 'ssl.key.password', 'ssl.cipher.suites',
  'ssl.keystore.location', 'ssl.keystore.password', 'ssl.truststore.location', 'socket.connection.setup.timeout.ms',
  'reconnect.backoff.ms', 'reconnect.backoff.max.ms', 'retry.backoff.ms', 'metadata.max.age.ms',
  'connections.max.idle.ms', 'receive.message.max.bytes', 'isolation.level', 'group.id', 'enable.idempotence',
  'transactional.id', 'acks', 'compression.type', 'linger.ms', 'batch.size', 'client.dns.lookup',
  'sasl.oauthbearer.token.endpoint.url',
])

// Java-only settings that have no librdkafka meaning: dropped with a warning.
const JAVA_ONLY = /(\.serializer|\.deserializer|\.class|\.callback\.handler|^ssl\.protocol$|^ssl\.enabled\.protocols$|^ssl\.keymanager|^ssl\.trustmanager|^ssl\.secure\.random|^sasl\.login\.|^request\.timeout\.ms$|^default\.api\.timeout\.ms$|^ssl\.provider$)/

export interface TranslatedProperties {
  properties: Record<string, string>
  /** Settings that were ignored, with why: the command prints these on stderr. */
  warnings: string[]
}

export function translateJavaClientProperties(java: Map<string, string>, source: string): TranslatedProperties {
  const properties: Record<string, string> = {}
  const warnings: string[] = []
  const mechanism = java.get('sasl.mechanism')
  for (const [key, value] of java) {
    if (key === 'sasl.mechanism') properties['sasl.mechanisms'] = value
    else if (key === 'sasl.jaas.config') Object.assign(properties, translateJaasConfig(value, mechanism))
    else if (key === 'ssl.endpoint.identification.algorithm') {
      // Java: empty string disables hostname verification; librdkafka says "none".
      properties['ssl.endpoint.identification.algorithm'] = value.trim() === '' ? 'none' : value
    } else if (key === 'ssl.truststore.type' || key === 'ssl.keystore.type') continue // handled below
    else if (key === 'ssl.truststore.certificates') properties['ssl.ca.pem'] = value
    else if (key === 'ssl.keystore.certificate.chain') properties['ssl.certificate.pem'] = value
    else if (key === 'ssl.keystore.key') properties['ssl.key.pem'] = value
    else if (key === 'ssl.truststore.password') continue // PEM trust stores have no password
    else if (key === 'sasl.oauthbearer.token.endpoint.url') {
      properties['sasl.oauthbearer.method'] = 'oidc'
      properties[key] = value
    } else if (SAME_NAME.has(key)) properties[key] = value
    else if (JAVA_ONLY.test(key)) warnings.push(`${source}: ignored '${key}' (a Java client setting librdkafka has no equivalent for)`)
    else warnings.push(`${source}: ignored unknown setting '${key}' (pass librdkafka properties with -X key=value)`)
  }
  translateStores(java, properties)
  return {properties, warnings}
}

function translateStores(java: Map<string, string>, properties: Record<string, string>): void {
  const truststore = java.get('ssl.truststore.location')
  if (truststore !== undefined) {
    const type = (java.get('ssl.truststore.type') ?? 'JKS').toUpperCase()
    delete properties['ssl.truststore.location']
    if (type === 'PKCS12') properties['ssl.ca.pem'] = pkcs12Certificates(truststore, java.get('ssl.truststore.password') ?? '')
    else if (type === 'PEM') properties['ssl.ca.location'] = truststore
    else {
      throw new KafkitError('usage', `ssl.truststore.location is a ${type} trust store, which librdkafka cannot read`, {
        hint: `convert it to PEM (keytool -exportcert -rfc -keystore ${truststore} -alias <alias> > ca.pem) and set ssl.truststore.type=PEM, or pass -X ssl.ca.location=ca.pem`,
      })
    }
  }
  const keystore = java.get('ssl.keystore.location')
  if (keystore !== undefined) {
    const type = (java.get('ssl.keystore.type') ?? 'JKS').toUpperCase()
    if (type === 'PEM') {
      // A PEM key store holds the certificate chain and the private key in one file.
      delete properties['ssl.keystore.location']
      delete properties['ssl.keystore.password']
      properties['ssl.certificate.location'] = keystore
      properties['ssl.key.location'] = keystore
    } else if (type !== 'PKCS12') {
      throw new KafkitError('usage', `ssl.keystore.location is a ${type} key store, which librdkafka cannot read`, {
        hint: 'convert it to PKCS12 (keytool -importkeystore -deststoretype PKCS12 ...) and set ssl.keystore.type=PKCS12',
      })
    }
  }
}

/**
 * The certificates of a PKCS#12 trust store, as PEM. librdkafka reads CA certificates only as PEM,
 * so the openssl command unpacks the store (the password goes through its stdin, not its arguments).
 */
function pkcs12Certificates(file: string, password: string): string {
  let output: string
  try {
    output = execFileSync('openssl', ['pkcs12', '-in', file, '-nokeys', '-passin', 'stdin'], {input: `${password}\n`, stdio: ['pipe', 'pipe', 'pipe'], timeout: 30_000}).toString()
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & {stderr?: Buffer}
    if (failure.code === 'ENOENT') {
      throw new KafkitError('environment', 'reading a PKCS12 trust store needs the openssl command', {hint: 'apt-get install openssl, or convert the store to PEM and set ssl.truststore.type=PEM'})
    }
    const why = /invalid password|mac verify failure/i.test(failure.stderr?.toString() ?? '') ? 'wrong ssl.truststore.password' : 'not a PKCS12 file openssl can read'
    throw new KafkitError('usage', `cannot read the PKCS12 trust store ${file}: ${why}`, {hint: `or convert it to PEM (keytool -exportcert -rfc -keystore ${file} -alias <alias> > ca.pem) and set ssl.truststore.type=PEM`})
  }
  const certificates = output.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)
  if (!certificates) throw new KafkitError('usage', `the PKCS12 trust store ${file} holds no certificate`)
  return certificates.join('\n') + '\n'
}
