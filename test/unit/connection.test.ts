import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {resolveConnection, validateBootstrap} from '../../src/lib/config/connection.js'
import {KafkitError} from '../../src/lib/errors.js'
import {ConnectionDiagnosis} from '../../src/lib/kafka/connection-diagnosis.js'

function configDir(yaml: string): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), 'kafkit-conf-'))
  writeFileSync(join(dir, 'config.yaml'), yaml)
  return {KAFKIT_CONFIG: join(dir, 'config.yaml')}
}

const PROFILES = `
default-profile: dev
profiles:
  dev:
    bootstrap-servers: dev1:9092,dev2:9092
    properties:
      client.id: from-profile
  prod:
    bootstrap-servers: [prod1:9093, prod2:9093]
    security-protocol: SASL_SSL
    sasl:
      mechanism: SCRAM-SHA-512
      username: alice
      password: \${PROD_PASSWORD}
    ssl:
      ca-location: /etc/ca.pem
`

describe('resolveConnection precedence (flag > command-config > --profile > env > default profile > default)', () => {
  it('defaults to localhost:9092 with nothing configured', () => {
    const c = resolveConnection({timeoutMs: 1000, env: {KAFKIT_CONFIG: '/nonexistent/config.yaml'}})
    expect(c.bootstrapServers).toBe('localhost:9092')
    expect(c.bootstrapSource).toBe('default')
  })

  it('uses the default profile, then env over profile, then flag over env', () => {
    const env = configDir(PROFILES)
    expect(resolveConnection({timeoutMs: 1, env}).bootstrapServers).toBe('dev1:9092,dev2:9092')
    const withEnv = {...env, KAFKA_BOOTSTRAP_SERVERS: 'envhost:9092'}
    const fromEnv = resolveConnection({timeoutMs: 1, env: withEnv})
    expect(fromEnv.bootstrapServers).toBe('envhost:9092')
    expect(fromEnv.bootstrapSource).toBe('env')
    // the profile's other properties still apply when its bootstrap is overridden
    expect(fromEnv.properties['client.id']).toBe('from-profile')
    const fromFlag = resolveConnection({timeoutMs: 1, env: withEnv, bootstrapServer: 'flaghost:1234'})
    expect(fromFlag.bootstrapServers).toBe('flaghost:1234')
    expect(fromFlag.bootstrapSource).toBe('flag')
  })

  it('a profile or --command-config named on the command line beats $KAFKA_BOOTSTRAP_SERVERS; $KAFKIT_PROFILE does not', () => {
    const env = {...configDir(PROFILES), KAFKA_BOOTSTRAP_SERVERS: 'envhost:9092', PROD_PASSWORD: 'x'}
    const named = resolveConnection({timeoutMs: 1, env, profile: 'dev'})
    expect(named.bootstrapServers).toBe('dev1:9092,dev2:9092')
    expect(named.bootstrapSource).toBe('profile')
    const fromEnvProfile = resolveConnection({timeoutMs: 1, env: {...env, KAFKIT_PROFILE: 'dev'}})
    expect(fromEnvProfile.bootstrapServers).toBe('envhost:9092')
    const file = join(mkdtempSync(join(tmpdir(), 'kafkit-props-')), 'client.properties')
    writeFileSync(file, 'bootstrap.servers=filehost:9092\n')
    expect(resolveConnection({timeoutMs: 1, env, commandConfig: file}).bootstrapServers).toBe('filehost:9092')
  })

  it('maps a SASL/SSL profile to librdkafka properties and expands ${VAR}', () => {
    const env = {...configDir(PROFILES), PROD_PASSWORD: 's3cret-pw'}
    const c = resolveConnection({timeoutMs: 1, env, profile: 'prod'})
    expect(c.bootstrapServers).toBe('prod1:9093,prod2:9093')
    expect(c.properties).toMatchObject({
      'security.protocol': 'SASL_SSL',
      'sasl.mechanisms': 'SCRAM-SHA-512',
      'sasl.username': 'alice',
      'sasl.password': 's3cret-pw',
      'ssl.ca.location': '/etc/ca.pem',
    })
    expect(c.secrets).toContain('s3cret-pw')
  })

  it('KAFKIT_PROFILE selects a profile; --profile wins over it', () => {
    const env = {...configDir(PROFILES), KAFKIT_PROFILE: 'prod', PROD_PASSWORD: 'x'}
    expect(resolveConnection({timeoutMs: 1, env}).profile).toBe('prod')
    expect(resolveConnection({timeoutMs: 1, env, profile: 'dev'}).profile).toBe('dev')
  })

  it('-X overrides command-config, which overrides the profile', () => {
    const env = configDir(PROFILES)
    const file = join(mkdtempSync(join(tmpdir(), 'kafkit-props-')), 'client.properties')
    writeFileSync(file, 'client.id=from-file\nbootstrap.servers=filehost:9092\n')
    const c = resolveConnection({timeoutMs: 1, env, commandConfig: file, properties: ['client.id=from-x']})
    expect(c.properties['client.id']).toBe('from-x')
    expect(c.bootstrapServers).toBe('filehost:9092')
    expect(c.bootstrapSource).toBe('command-config')
  })

  it('names the missing profile and lists the defined ones', () => {
    const env = configDir(PROFILES)
    expect(() => resolveConnection({timeoutMs: 1, env, profile: 'staging'})).toThrowError(/profile 'staging' is not defined/)
    try {
      resolveConnection({timeoutMs: 1, env, profile: 'staging'})
    } catch (error) {
      expect((error as KafkitError).hint).toContain('dev, prod')
      expect((error as KafkitError).exitCode).toBe(5)
    }
  })

  it('refers to an unset ${VAR} by name, without any value', () => {
    const env = configDir(PROFILES)
    expect(() => resolveConnection({timeoutMs: 1, env, profile: 'prod'})).toThrowError(/PROD_PASSWORD/)
  })

  it('rejects a malformed -X', () => {
    expect(() => resolveConnection({timeoutMs: 1, env: {}, properties: ['novalue']})).toThrowError(/-X expects key=value/)
  })
})

describe('validateBootstrap', () => {
  it.each(['localhost:9092', 'a:1,b:2', 'PLAINTEXT://host:9092', '[::1]:9092', 'my-broker.example.com:9093'])('accepts %s', (s) => {
    expect(() => validateBootstrap(s)).not.toThrow()
  })
  it.each(['localhost', 'host:', ':9092', 'host:99999', 'host:abc', 'a b:1'])('rejects %s with a usage error', (s) => {
    expect(() => validateBootstrap(s)).toThrowError(KafkitError)
  })
})

describe('ConnectionDiagnosis', () => {
  it('a TLS client against a plaintext listener: a TLS failure (exit 4) naming security.protocol, not "is a broker running there?"', () => {
    const diagnosis = new ConnectionDiagnosis('127.0.0.1:9092', 5000)
    diagnosis.noteReason('Disconnected: SSL connection closed by peer')
    const error = diagnosis.unreachable(true)
    expect(error.exitCode).toBe(4)
    expect(error.message).toBe('TLS handshake with 127.0.0.1:9092 failed: Disconnected: SSL connection closed by peer')
    expect(error.hint).toContain('security.protocol')
  })

  it('nothing listening is still "cannot reach Kafka"', () => {
    const diagnosis = new ConnectionDiagnosis('127.0.0.1:9092', 5000)
    diagnosis.noteReason('Connect to ipv4#127.0.0.1:9092 failed: Connection refused')
    expect(diagnosis.unreachable(false).message).toBe('cannot reach Kafka at 127.0.0.1:9092: Connect to ipv4#127.0.0.1:9092 failed: Connection refused')
  })
})

describe('secured connections', () => {
  it('a profile can name a password file instead of holding the password', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kafkit-pw-'))
    writeFileSync(join(dir, 'pw'), 'from-a-file\n')
    const env = configDir(`profiles:\n  s:\n    security-protocol: SASL_PLAINTEXT\n    sasl:\n      mechanism: PLAIN\n      username: u\n      password-file: ${join(dir, 'pw')}\n`)
    const c = resolveConnection({timeoutMs: 1, env, profile: 's'})
    expect(c.properties['sasl.password']).toBe('from-a-file')
    expect(c.secrets).toContain('from-a-file')
  })

  it('an unknown SASL mechanism is an auth error naming it', () => {
    const error = (() => {
      try {
        resolveConnection({timeoutMs: 1, env: {KAFKIT_CONFIG: '/nonexistent'}, properties: ['sasl.mechanisms=FOO']})
      } catch (caught) {
        return caught as KafkitError
      }
    })()
    expect(error?.exitCode).toBe(4)
    expect(error?.message).toContain("unsupported SASL mechanism 'FOO'")
  })

  it('PLAIN or SCRAM with an empty or missing user name or password is an auth error saying which (not librdkafka\'s "Erroneous state")', () => {
    const resolve = (properties: string[]) => () => resolveConnection({timeoutMs: 1, env: {KAFKIT_CONFIG: '/nonexistent'}, properties: ['security.protocol=SASL_PLAINTEXT', ...properties]})
    expect(resolve(['sasl.mechanisms=PLAIN', 'sasl.username=alice', 'sasl.password='])).toThrowError('SASL PLAIN needs sasl.password, and it is empty')
    expect(resolve(['sasl.mechanisms=SCRAM-SHA-256'])).toThrowError('SASL SCRAM-SHA-256 needs sasl.username and sasl.password, and they are not set')
    expect(resolve(['sasl.mechanisms=PLAIN', 'sasl.username=alice', 'sasl.password=x'])).not.toThrow()
    // GSSAPI (the default mechanism) and OAUTHBEARER take no password.
    expect(resolve([])).not.toThrow()
    expect(resolve(['sasl.mechanisms=OAUTHBEARER'])).not.toThrow()
    let caught: unknown
    try {
      resolve(['sasl.mechanisms=PLAIN', 'sasl.username=alice'])()
    } catch (error) {
      caught = error
    }
    expect((caught as KafkitError | undefined)?.exitCode).toBe(4)
  })

  it('a refused client certificate: missing, or expired by its own dates', () => {
    const missing = new ConnectionDiagnosis('b:1', 5000)
    missing.noteReason('Receive failed: error:0A000412:SSL routines::sslv3 alert bad certificate: SSL alert number 42')
    const error = missing.unreachable(false)
    expect(error.exitCode).toBe(4)
    expect(error.message).toBe('TLS: the broker at b:1 refused the client certificate (TLS alert: bad certificate)')
    expect(error.hint).toContain('ssl.certificate.location')
  })

  it('a plaintext client closed out at once may have met a TLS listener; a refused one did not', () => {
    const closed = new ConnectionDiagnosis('127.0.0.1:1', 5000, {properties: {'security.protocol': 'SASL_PLAINTEXT'}})
    expect(closed.unreachable(false).exitCode).toBe(3) // until explain() finds TLS there
    const verify = new ConnectionDiagnosis('b:1', 5000)
    const failed = verify.observe('SSL handshake failed: error:0A000086:SSL routines::certificate verify failed: broker certificate could not be verified')
    expect(failed?.message).toContain('either the CA that signed it is not trusted, or the host name is not in the certificate')
  })
})
