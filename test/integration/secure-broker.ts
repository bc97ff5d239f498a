import {readFileSync} from 'node:fs'

import {expect, inject} from 'vitest'

import type {SecureUserInfo} from '../../src/lib/local/index.js'
import type {RunResult} from './cli.js'
import {SECURE_TEST_USER, type SecureBrokerContext} from './global-setup.js'

// The secured test node (global-setup.ts starts it, or KAFKIT_TEST_SECURE_STATE_DIR names a
// running one): kafkit's connection flags for each mechanism and listener, its users' secrets,
// and the assertion that no secret reached a command's output.
//
// Listeners (all on one node): sasl = SASL_PLAINTEXT, sasl-tls = SASL_SSL, tls = SSL without a
// client identity (User:ANONYMOUS, a super user), mtls = SSL with a client certificate
// (CN=<user> is User:<user>). Users: admin (super user) and alice (no ACLs unless a test adds some).

export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | 'OAUTHBEARER'
export const SASL_MECHANISMS: readonly SaslMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER']
export const ADMIN = 'admin'
export const ALICE = SECURE_TEST_USER

export const secureBroker = (): SecureBrokerContext => inject('secure')

export function userFiles(name: string = ADMIN): SecureUserInfo {
  const found = secureBroker().security.users.find((user) => user.name === name)
  if (!found) throw new Error(`the secured test node has no user ${name} (start it with --user ${name})`)
  return found
}

const readTrimmed = (file: string) => readFileSync(file, 'utf8').trim()

export const passwordOf = (name: string = ADMIN) => readTrimmed(userFiles(name).passwordFile)

/** host:port of a listener. */
export const listener = (mode: 'sasl' | 'sasl-tls' | 'tls' | 'mtls') => secureBroker().security.listeners[mode]

export interface SaslOptions {
  user?: string
  password?: string
  /** The SASL_SSL listener, with the CA file. */
  tls?: boolean
}

/** -b and -X flags for a SASL mechanism; OAUTHBEARER sends an unsecured JWT whose subject is the user. */
export function saslFlags(mechanism: string, options: SaslOptions = {}): string[] {
  const user = options.user ?? ADMIN
  const flags = ['-b', listener(options.tls ? 'sasl-tls' : 'sasl'), '-X', `security.protocol=${options.tls ? 'SASL_SSL' : 'SASL_PLAINTEXT'}`, '-X', `sasl.mechanisms=${mechanism}`]
  if (mechanism === 'OAUTHBEARER') flags.push('-X', 'enable.sasl.oauthbearer.unsecure.jwt=true', '-X', `sasl.oauthbearer.config=principal=${user}`)
  else flags.push('-X', `sasl.username=${user}`, '-X', `sasl.password=${options.password ?? passwordOf(user)}`)
  if (options.tls) flags.push('-X', `ssl.ca.location=${secureBroker().security.caFile}`)
  return flags
}

/** The tls listener: the broker checked against the CA, no client identity. */
export const tlsFlags = (): string[] => ['-b', listener('tls'), '-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${secureBroker().security.caFile}`]

/** The mtls listener with a user's client certificate: PEM files, or the PKCS#12 key store. */
export function mtlsFlags(options: {user?: string; pkcs12?: boolean} = {}): string[] {
  const files = userFiles(options.user ?? ADMIN)
  const identity = options.pkcs12
    ? ['-X', `ssl.keystore.location=${files.pkcs12File}`, '-X', `ssl.keystore.password=${readTrimmed(files.pkcs12PasswordFile)}`]
    : ['-X', `ssl.certificate.location=${files.certificateFile}`, '-X', `ssl.key.location=${files.keyFile}`]
  return ['-b', listener('mtls'), '-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${secureBroker().security.caFile}`, ...identity]
}

/** The environment that makes the profiles secure-sasl, secure-sasl-tls, secure-tls and secure-mtls usable with --profile. */
export const profileEnv = (): NodeJS.ProcessEnv => ({KAFKIT_CONFIG: secureBroker().configFile})

/** Every secret of the node: passwords, PKCS#12 passwords and the lines of each private key. */
export function secureSecrets(): string[] {
  const secrets: string[] = []
  for (const user of secureBroker().security.users) {
    secrets.push(readTrimmed(user.passwordFile), readTrimmed(user.pkcs12PasswordFile))
    const keyLines = readFileSync(user.keyFile, 'utf8').split('\n').filter((line) => line.length >= 40 && !line.startsWith('-----'))
    secrets.push(...keyLines)
  }
  return secrets
}

/** Fails when a password or a line of key material appears in a run's stdout or stderr. */
export function expectNoSecrets(result: Pick<RunResult, 'stdout' | 'stderr'>, extra: readonly string[] = []): void {
  const text = `${result.stdout}\n${result.stderr}`
  const leaked = [...secureSecrets(), ...extra].filter((secret) => secret.length >= 6 && text.includes(secret))
  expect(leaked.map((secret) => `${secret.slice(0, 4)}... (${secret.length} chars)`), 'a secret appeared in the output').toEqual([])
}
