import {execFileSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {beforeAll, describe, expect, inject, it} from 'vitest'

import {runApache} from './apache.js'
import {type RunResult, runKafkit, uniqueName} from './cli.js'
import {ALICE, expectNoSecrets, listener, mtlsFlags, saslFlags, secureBroker, tlsFlags} from './secure-broker.js'

// What people get wrong against a secured broker: each failure is one clear line on stderr, exit
// 4, well within --timeout, and no secret in any output (the wrong password included).

const TIMEOUT_MS = 8000
const certDir = mkdtempSync(join(inject('stateRoot'), 'bad-certificates-'))

const openssl = (args: string[]) => execFileSync('openssl', args, {cwd: certDir, stdio: ['ignore', 'pipe', 'pipe']})

/** A CA of its own, which signed nothing the broker has. */
function otherCa(): string {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'other-ca.key', '-out', 'other-ca.crt', '-days', '2', '-subj', '/CN=another CA'])
  return join(certDir, 'other-ca.crt')
}

/** A client certificate for alice from the broker's own CA that expired in 2020. */
function expiredClientCertificate(): {certificate: string; key: string} {
  const {caFile} = secureBroker().security
  writeFileSync(join(certDir, 'index.txt'), '')
  writeFileSync(join(certDir, 'serial'), '1000\n')
  writeFileSync(
    join(certDir, 'ca.cnf'),
    ['[ca]', 'default_ca = local', '[local]', 'database = index.txt', 'serial = serial', 'new_certs_dir = .', 'default_md = sha256', 'policy = any', '[any]', 'commonName = supplied', ''].join('\n'),
  )
  openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'expired.key', '-out', 'expired.csr', '-subj', `/CN=${ALICE}`])
  openssl([
    'ca', '-batch', '-notext', '-config', 'ca.cnf', '-cert', caFile, '-keyfile', caFile.replace(/\.crt$/, '.key'),
    '-in', 'expired.csr', '-out', 'expired.crt', '-startdate', '20200101000000Z', '-enddate', '20200102000000Z',
  ])
  return {certificate: join(certDir, 'expired.crt'), key: join(certDir, 'expired.key')}
}

/** Runs kafkit, expecting one clear error line and exit 4 within --timeout; returns the line. */
async function expectAuthFailure(args: string[], options: {input?: string; secrets?: string[]; env?: NodeJS.ProcessEnv} = {}): Promise<string> {
  const began = Date.now()
  const result: RunResult = await runKafkit([...args, '--timeout', `${TIMEOUT_MS / 1000}s`], {input: options.input, env: options.env})
  const elapsed = Date.now() - began
  expectNoSecrets(result, options.secrets)
  const errors = result.stderr.split('\n').filter((line) => line.startsWith('error: '))
  expect(errors, result.stderr).toHaveLength(1)
  expect(result.stderr).not.toMatch(/^\s+at /m)
  expect(result.exitCode, result.stderr).toBe(4)
  expect(elapsed).toBeLessThan(TIMEOUT_MS)
  return errors[0]!
}

describe('authentication failures', () => {
  it.each(['SCRAM-SHA-256', 'SCRAM-SHA-512', 'PLAIN'])('a wrong password with %s', async (mechanism) => {
    const wrong = `wrong-${uniqueName('pw')}`
    const line = await expectAuthFailure(['topics', 'list', ...saslFlags(mechanism, {password: wrong})], {secrets: [wrong]})
    expect(line).toMatch(new RegExp(`authentication to ${listener('sasl')} failed: .*(invalid credentials|Invalid username or password)`))
    expect(line).toContain(mechanism === 'PLAIN' ? 'Invalid username or password' : mechanism)
  })

  it('an unknown user, SCRAM', async () => {
    const line = await expectAuthFailure(['topics', 'list', ...saslFlags('SCRAM-SHA-512', {user: 'nobody', password: 'nobody-secret'})], {secrets: ['nobody-secret']})
    expect(line).toContain('invalid credentials with SASL mechanism SCRAM-SHA-512')
  })

  it('an unknown mechanism', async () => {
    const flags = saslFlags('PLAIN').map((flag) => (flag === 'sasl.mechanisms=PLAIN' ? 'sasl.mechanisms=FOO' : flag))
    const line = await expectAuthFailure(['topics', 'list', ...flags])
    expect(line).toBe("error: unsupported SASL mechanism 'FOO': kafkit's client knows GSSAPI, PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER")
  })

  it('an empty password (PLAIN) and no user name (SCRAM): said, not librdkafka\'s "Erroneous state"', async () => {
    const empty = saslFlags('PLAIN').map((flag) => (flag.startsWith('sasl.password=') ? 'sasl.password=' : flag))
    expect(await expectAuthFailure(['topics', 'list', ...empty])).toBe('error: SASL PLAIN needs sasl.password, and it is empty')
    // Without the `-X sasl.username=...` pair.
    const flags = saslFlags('SCRAM-SHA-512')
    const at = flags.findIndex((flag) => flag.startsWith('sasl.username='))
    flags.splice(at - 1, 2)
    expect(await expectAuthFailure(['produce', 'never-written', ...flags], {input: 'x\n'})).toBe('error: SASL SCRAM-SHA-512 needs sasl.username, and it is not set')
  })

  it('the unknown mechanism from a Java properties file', async () => {
    const file = join(certDir, 'foo.properties')
    writeFileSync(file, `bootstrap.servers=${listener('sasl')}\nsecurity.protocol=SASL_PLAINTEXT\nsasl.mechanism=FOO\n`)
    expect(await expectAuthFailure(['topics', 'list', '--command-config', file])).toContain("unsupported SASL mechanism 'FOO'")
  })
})

describe('TLS on one side only', () => {
  it('a plaintext client on the TLS listener', async () => {
    const line = await expectAuthFailure(['topics', 'list', '-b', listener('tls')])
    expect(line).toBe(`error: the listener at ${listener('tls')} speaks TLS, but this client connects without it (security.protocol=PLAINTEXT)`)
  })

  it('a SASL_PLAINTEXT client on the SASL_SSL listener (produce)', async () => {
    const flags = saslFlags('SCRAM-SHA-512').map((flag) => (flag === listener('sasl') ? listener('sasl-tls') : flag))
    const line = await expectAuthFailure(['produce', 'any-topic', ...flags], {input: 'x\n'})
    expect(line).toContain(`the listener at ${listener('sasl-tls')} speaks TLS, but this client connects without it (security.protocol=SASL_PLAINTEXT)`)
  })

  it('a TLS client on the plaintext SASL listener (the reverse)', async () => {
    const flags = saslFlags('SCRAM-SHA-512', {tls: true}).map((flag) => (flag === listener('sasl-tls') ? listener('sasl') : flag))
    const line = await expectAuthFailure(['topics', 'list', ...flags])
    expect(line).toContain(`TLS handshake with ${listener('sasl')} failed`)
    expect(line).toContain('connecting to a PLAINTEXT broker listener?')
  })
})

describe('certificates', () => {
  it('a CA that did not sign the broker certificate', async () => {
    const ca = otherCa()
    const flags = tlsFlags().map((flag) => (flag.startsWith('ssl.ca.location=') ? `ssl.ca.location=${ca}` : flag))
    const line = await expectAuthFailure(['topics', 'list', ...flags])
    expect(line).toContain(`TLS: the certificate of the broker at ${listener('tls')} is not signed by a CA in ${ca}`)
  })

  it('a host name the broker certificate does not name', async () => {
    // 127.1 reaches 127.0.0.1, but the certificate names only IP:127.0.0.1 and DNS:localhost.
    const port = listener('tls').split(':')[1]!
    const flags = tlsFlags().map((flag) => (flag === listener('tls') ? `127.1:${port}` : flag))
    const line = await expectAuthFailure(['topics', 'list', ...flags])
    expect(line).toContain(`TLS: hostname verification failed: the certificate of the broker at 127.1:${port} is not valid for the name 127.1`)
    expect(line).toContain('DNS:localhost')
  })

  it('localhost is in the certificate: the same listener by name works', async () => {
    const port = listener('tls').split(':')[1]!
    const result = await runKafkit(['topics', 'list', ...tlsFlags().map((flag) => (flag === listener('tls') ? `localhost:${port}` : flag))])
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
  })

  it('no client certificate on the mutual TLS listener', async () => {
    const flags = ['-b', listener('mtls'), '-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${secureBroker().security.caFile}`]
    const line = await expectAuthFailure(['topics', 'list', ...flags])
    expect(line).toBe(`error: TLS: the broker at ${listener('mtls')} refused the client certificate (TLS alert: bad certificate)`)
  })

  it('a client certificate from a CA the broker does not trust', async () => {
    otherCa()
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'foreign.key', '-out', 'foreign.crt', '-days', '2', '-subj', `/CN=${ALICE}`, '-CA', 'other-ca.crt', '-CAkey', 'other-ca.key'])
    const flags = [...mtlsFlags({user: ALICE}).slice(0, 6), '-X', `ssl.certificate.location=${join(certDir, 'foreign.crt')}`, '-X', `ssl.key.location=${join(certDir, 'foreign.key')}`]
    const line = await expectAuthFailure(['topics', 'list', ...flags])
    expect(line).toMatch(new RegExp(`^error: TLS: the broker at ${listener('mtls')} refused the client certificate \\(TLS alert: [a-z ]+\\)$`))
  })

  it('an expired client certificate on the mutual TLS listener', async () => {
    const expired = expiredClientCertificate()
    const flags = [...mtlsFlags({user: ALICE}).slice(0, 6), '-X', `ssl.certificate.location=${expired.certificate}`, '-X', `ssl.key.location=${expired.key}`]
    const line = await expectAuthFailure(['topics', 'list', ...flags])
    // The broker's alert says only "certificate unknown"; kafkit reads the dates of the certificate it sent.
    expect(line).toBe(`error: TLS: the broker at ${listener('mtls')} refused the client certificate: it expired on Jan  2 00:00:00 2020 GMT (TLS alert: certificate unknown)`)
  })
})

describe('ACL denials name the principal, the operation and the resource', () => {
  const readable = uniqueName('acl-readable')
  const describable = uniqueName('acl-describable')
  const hidden = uniqueName('acl-hidden')
  const alice = () => saslFlags('SCRAM-SHA-512', {user: ALICE})

  beforeAll(async () => {
    for (const topic of [readable, describable, hidden]) {
      const created = await runKafkit(['topics', 'create', topic, '-p', '1', ...saslFlags('SCRAM-SHA-512')])
      expect(created.exitCode, created.stderr).toBe(0)
      expect((await runKafkit(['produce', topic, ...saslFlags('SCRAM-SHA-512')], {input: 'a record\n'})).exitCode).toBe(0)
    }
    // ACLs with Apache's own tool, as admin through the client.properties local start wrote.
    const acl = (args: string[]) =>
      runApache('org.apache.kafka.tools.AclCommand', ['--bootstrap-server', listener('sasl'), '--command-config', secureBroker().security.clientProperties.sasl, '--add', '--allow-principal', `User:${ALICE}`, ...args])
    const added = await Promise.all([acl(['--operation', 'Read', '--operation', 'Describe', '--topic', readable]), acl(['--operation', 'Describe', '--topic', describable])])
    for (const result of added) expect(result.exitCode, result.stderr).toBe(0)
  }, 90_000)

  it('topic read: a topic alice may not even describe', async () => {
    const line = await expectAuthFailure(['consume', hidden, '-e', ...alice()])
    expect(line).toBe(`error: not authorized: User:${ALICE} may not READ topic ${hidden} (READ needs DESCRIBE too; Kafka does not say whether the topic exists)`)
  })

  it('topic write, idempotent (the default) and not', async () => {
    const idempotent = await expectAuthFailure(['produce', describable, ...alice()], {input: 'x\n'})
    expect(idempotent).toContain(`error: not authorized: User:${ALICE} may not WRITE topic ${describable}`)
    const plain = await expectAuthFailure(['produce', describable, '--no-idempotence', ...alice()], {input: 'x\n'})
    expect(plain).toBe(`error: not authorized: User:${ALICE} may not WRITE topic ${describable} (read 1, delivered 0, failed 1)`)
  })

  it('topic write on a topic alice may not describe', async () => {
    const line = await expectAuthFailure(['produce', hidden, ...alice()], {input: 'x\n'})
    expect(line).toBe(`error: not authorized: User:${ALICE} may not WRITE topic ${hidden} (producing needs DESCRIBE and WRITE on it)`)
  })

  it('group read: the topic is readable, the group is not', async () => {
    const group = uniqueName('acl-group')
    const line = await expectAuthFailure(['consume', readable, '-g', group, '-e', ...alice()])
    expect(line).toBe(`error: not authorized: User:${ALICE} may not READ group '${group}'`)
  })

  it('group read through the JS read loop too', async () => {
    const group = uniqueName('acl-group')
    const line = await expectAuthFailure(['consume', readable, '-g', group, '-e', ...alice()], {env: {KAFKIT_NATIVE_CONSUME: '0'}})
    expect(line).toBe(`error: not authorized: User:${ALICE} may not READ group '${group}'`)
  })

  it.each(['1', '0'])('reading the same topic without a group works (no group ACL needed; native loop %s)', async (native) => {
    const result = await runKafkit(['consume', readable, '-e', ...alice()], {env: {KAFKIT_NATIVE_CONSUME: native}})
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stdout).toBe('a record\n')
    expectNoSecrets(result)
  })

  it('the same denial over mutual TLS (CN=alice maps to User:alice)', async () => {
    const line = await expectAuthFailure(['consume', hidden, '-e', ...mtlsFlags({user: ALICE})])
    expect(line).toContain(`may not READ topic ${hidden}`)
  })

})
