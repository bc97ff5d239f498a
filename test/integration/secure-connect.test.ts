import {execFileSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'

import {runApache} from './apache.js'
import {runKafkit, uniqueName} from './cli.js'
import {
  ADMIN,
  expectNoSecrets,
  mtlsFlags,
  passwordOf,
  profileEnv,
  saslFlags,
  SASL_MECHANISMS,
  secureBroker,
  tlsFlags,
  userFiles,
} from './secure-broker.js'

// Every way in to a secured broker, with the built CLI: each SASL mechanism, TLS with a CA file,
// mutual TLS (PEM and PKCS#12), Java client .properties files (--command-config) and kafkit
// profiles. Each way lists topics, produces a record and reads it back in a consumer group,
// and no password or key material appears in any of it, --debug and --json included.

const javaDir = mkdtempSync(join(inject('stateRoot'), 'java-properties-'))

/** A .properties file written the way Java users write them (continuation lines included). */
function javaProperties(name: string, lines: string[]): string {
  const file = join(javaDir, `${name}.properties`)
  writeFileSync(file, lines.join('\n') + '\n', {mode: 0o600})
  return file
}

/** A Java PKCS#12 trust store holding the CA, made with the JDK's keytool. */
function pkcs12TrustStore(password: string): string {
  const file = join(javaDir, 'truststore.p12')
  execFileSync('keytool', ['-importcert', '-noprompt', '-storetype', 'PKCS12', '-keystore', file, '-storepass', password, '-alias', 'ca', '-file', secureBroker().security.caFile])
  return file
}

interface Way {
  name: string
  args: () => string[]
  env?: () => NodeJS.ProcessEnv
}

const jaasScram = (mechanism: string) => [
  `sasl.mechanism=${mechanism}`,
  'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\',
  `    username="${ADMIN}" \\`,
  `    password="${passwordOf()}";`,
]

const ways: Way[] = [
  ...SASL_MECHANISMS.map((mechanism): Way => ({name: `SASL_PLAINTEXT ${mechanism}`, args: () => saslFlags(mechanism)})),
  {name: 'SASL_SSL SCRAM-SHA-512 with a CA file', args: () => saslFlags('SCRAM-SHA-512', {tls: true})},
  {name: 'SASL_SSL OAUTHBEARER with a CA file', args: () => saslFlags('OAUTHBEARER', {tls: true})},
  {name: 'TLS with a CA file', args: tlsFlags},
  {name: 'mutual TLS, PEM certificate and key', args: () => mtlsFlags()},
  {name: 'mutual TLS, PKCS#12 key store', args: () => mtlsFlags({pkcs12: true})},
  {
    name: 'Java properties: SCRAM-SHA-256 over SASL_PLAINTEXT',
    args: () => ['--command-config', javaProperties('scram256', [`bootstrap.servers=${secureBroker().security.listeners.sasl}`, 'security.protocol=SASL_PLAINTEXT', ...jaasScram('SCRAM-SHA-256')])],
  },
  {
    name: 'Java properties: SCRAM-SHA-512 over SASL_SSL, PEM trust store',
    args: () => [
      '--command-config',
      javaProperties('scram512-ssl', [
        `bootstrap.servers=${secureBroker().security.listeners['sasl-tls']}`,
        'security.protocol=SASL_SSL',
        ...jaasScram('SCRAM-SHA-512'),
        'ssl.truststore.type=PEM',
        `ssl.truststore.location=${secureBroker().security.caFile}`,
      ]),
    ],
  },
  {
    name: 'Java properties: PLAIN over SASL_SSL, PKCS12 trust store',
    args: () => [
      '--command-config',
      javaProperties('plain-p12', [
        `bootstrap.servers=${secureBroker().security.listeners['sasl-tls']}`,
        'security.protocol=SASL_SSL',
        'sasl.mechanism=PLAIN',
        `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="${ADMIN}" password="${passwordOf()}";`,
        'ssl.truststore.type=PKCS12',
        `ssl.truststore.location=${pkcs12TrustStore('trust-secret-1')}`,
        'ssl.truststore.password=trust-secret-1',
      ]),
    ],
  },
  {
    name: 'Java properties: OAUTHBEARER unsecured JWT',
    args: () => [
      '--command-config',
      javaProperties('oauth', [
        `bootstrap.servers=${secureBroker().security.listeners.sasl}`,
        'security.protocol=SASL_PLAINTEXT',
        'sasl.mechanism=OAUTHBEARER',
        `sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="${ADMIN}";`,
      ]),
    ],
  },
  {
    name: 'Java properties: mutual TLS, PEM key store',
    args: () => [
      '--command-config',
      javaProperties('mtls-pem', [
        `bootstrap.servers=${secureBroker().security.listeners.mtls}`,
        'security.protocol=SSL',
        'ssl.truststore.type=PEM',
        `ssl.truststore.location=${secureBroker().security.caFile}`,
        'ssl.keystore.type=PEM',
        `ssl.keystore.location=${userFiles().keystoreFile}`,
      ]),
    ],
  },
  {
    name: 'Java properties: mutual TLS, PKCS12 key store',
    args: () => [
      '--command-config',
      javaProperties('mtls-p12', [
        `bootstrap.servers=${secureBroker().security.listeners.mtls}`,
        'security.protocol=SSL',
        'ssl.truststore.type=PEM',
        `ssl.truststore.location=${secureBroker().security.caFile}`,
        'ssl.keystore.type=PKCS12',
        `ssl.keystore.location=${userFiles().pkcs12File}`,
        `ssl.keystore.password=${execFileSync('cat', [userFiles().pkcs12PasswordFile]).toString().trim()}`,
      ]),
    ],
  },
  {name: 'client.properties written by local start (mtls)', args: () => ['--command-config', secureBroker().security.clientProperties.mtls]},
  ...(['sasl', 'sasl-tls', 'tls', 'mtls'] as const).map((mode): Way => ({name: `profile for ${mode}`, args: () => ['--profile', `secure-${mode}`], env: profileEnv})),
]

describe('connecting to a secured broker', () => {
  let topic: string
  beforeAll(async () => {
    topic = uniqueName('secure-connect')
    const created = await runKafkit(['topics', 'create', topic, '-p', '1', ...saslFlags('SCRAM-SHA-512')])
    expect(created.stderr).toBe('')
    expect(created.exitCode).toBe(0)
  })

  describe.each(ways)('$name', (way) => {
    it('lists topics, produces, and consumes in a group, with no secret in any output', async () => {
      const env = way.env?.()
      const args = way.args()
      const listed = await runKafkit(['topics', 'list', ...args], {env})
      expect(listed.stderr).not.toMatch(/error/i)
      expect(listed.exitCode).toBe(0)
      expect(listed.stdout.split('\n')).toContain(topic)

      const value = uniqueName('record')
      const produced = await runKafkit(['produce', topic, ...args], {env, input: `${value}\n`})
      expect(produced.stderr).not.toMatch(/error/i)
      expect(produced.exitCode).toBe(0)

      const consumed = await runKafkit(['consume', topic, '-g', uniqueName('secure-group'), '-e', ...args, '--debug'], {env})
      expect(consumed.exitCode).toBe(0)
      expect(consumed.stdout.split('\n')).toContain(value)

      const json = await runKafkit(['topics', 'list', ...args, '--json', '--debug'], {env})
      expect(json.exitCode).toBe(0)
      for (const result of [listed, produced, consumed, json]) expectNoSecrets(result)
    })
  })

  it.each(['sasl', 'mtls'] as const)("local start's client.properties for %s works with Apache's TopicCommand", async (mode) => {
    const file = secureBroker().security.clientProperties[mode]
    const result = await runApache('org.apache.kafka.tools.TopicCommand', ['--bootstrap-server', secureBroker().security.listeners[mode], '--command-config', file, '--list'])
    expect(result.exitCode).toBe(0)
    expect(result.stdout.split('\n')).toContain(topic)
  })
})

/**
 * An OAuth token endpoint for the client-credentials grant, serving unsigned JWTs (alg none) whose
 * subject is admin: what the broker's default, unsecured validator accepts.
 */
function tokenEndpoint(): {url: () => string; requests: string[]; server: Server} {
  const requests: string[] = []
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => (body += chunk.toString()))
    request.on('end', () => {
      requests.push(`${request.headers.authorization ?? ''} ${body}`)
      const now = Math.floor(Date.now() / 1000)
      response.setHeader('content-type', 'application/json')
      response.end(JSON.stringify({access_token: `${b64({alg: 'none'})}.${b64({sub: ADMIN, iat: now, exp: now + 3600})}.`, token_type: 'bearer', expires_in: 3600}))
    })
  })
  return {url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`, requests, server}
}

describe('OAUTHBEARER with OIDC client credentials, against a token endpoint served by the test', () => {
  const endpoint = tokenEndpoint()
  const clientSecret = uniqueName('oidc-client-secret')
  let topic: string
  beforeAll(async () => {
    await new Promise<void>((resolve) => endpoint.server.listen(0, '127.0.0.1', resolve))
    topic = uniqueName('secure-oidc')
    expect((await runKafkit(['topics', 'create', topic, '-p', '1', ...saslFlags('SCRAM-SHA-512')])).exitCode).toBe(0)
  })
  afterAll(() => new Promise<void>((resolve) => endpoint.server.close(() => resolve())))

  const oidcWays: Way[] = [
    {
      name: '-X properties',
      args: () => [
        '-b', secureBroker().security.listeners.sasl, '-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=OAUTHBEARER', '-X', 'sasl.oauthbearer.method=oidc',
        '-X', 'sasl.oauthbearer.client.id=kafkit-test', '-X', `sasl.oauthbearer.client.secret=${clientSecret}`, '-X', `sasl.oauthbearer.token.endpoint.url=${endpoint.url()}`,
      ],
    },
    {
      name: 'Java properties',
      args: () => [
        '--command-config',
        javaProperties('oidc', [
          `bootstrap.servers=${secureBroker().security.listeners['sasl-tls']}`,
          'security.protocol=SASL_SSL',
          'sasl.mechanism=OAUTHBEARER',
          `sasl.oauthbearer.token.endpoint.url=${endpoint.url()}`,
          `sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId="kafkit-test" clientSecret="${clientSecret}";`,
          'ssl.truststore.type=PEM',
          `ssl.truststore.location=${secureBroker().security.caFile}`,
        ]),
      ],
    },
  ]

  it.each(oidcWays)('$name: a token from the endpoint, then topics list, produce and consume in a group', async (way) => {
    const before = endpoint.requests.length
    const args = way.args()
    const listed = await runKafkit(['topics', 'list', ...args])
    expect(listed.exitCode, listed.stderr).toBe(0)
    expect(listed.stdout.split('\n')).toContain(topic)
    const value = uniqueName('oidc-record')
    expect((await runKafkit(['produce', topic, ...args], {input: `${value}\n`})).exitCode).toBe(0)
    const consumed = await runKafkit(['consume', topic, '-g', uniqueName('oidc-group'), '-e', ...args, '--debug'])
    expect(consumed.exitCode, consumed.stderr).toBe(0)
    expect(consumed.stdout.split('\n')).toContain(value)
    // The client-credentials grant, with the client id and secret as HTTP basic authentication.
    expect(endpoint.requests.length).toBeGreaterThan(before)
    expect(endpoint.requests.at(-1)).toBe(`Basic ${Buffer.from(`kafkit-test:${clientSecret}`).toString('base64')} grant_type=client_credentials`)
    for (const result of [listed, consumed]) expectNoSecrets(result, [clientSecret])
  })
})
