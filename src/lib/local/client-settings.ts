import {writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {configFilePath, saveProfile} from '../config/profiles.js'
import {ADMIN_USER, caFile, passwordFile, SASL_MECHANISMS, secureUsers} from './security.js'
import {type LocalSecurityState, SECURITY_MODES, securityDir, type SecurityMode} from './state.js'

// What a client needs to reach a secured local Kafka: the address of each listener, the users'
// files (password, certificate, key, PKCS#12), a Java client.properties per mode for the Apache
// tools (and --command-config), and the kafkit profile of a mode. Passwords stay in their files:
// nothing here returns one, except the client.properties text, which is written 0600.

export interface SecureUserInfo {
  name: string
  passwordFile: string
  certificateFile: string
  keyFile: string
  /** Key and certificate in one PEM file (a Java `ssl.keystore.type=PEM` key store). */
  keystoreFile: string
  pkcs12File: string
  pkcs12PasswordFile: string
}

export interface LocalSecurityInfo {
  mode: SecurityMode
  /** host:port of each listener. */
  listeners: Record<SecurityMode, string>
  saslMechanisms: string[]
  adminUser: string
  caFile: string
  /** admin first. */
  users: SecureUserInfo[]
  /** A Java client.properties (as admin) per mode. */
  clientProperties: Record<SecurityMode, string>
}

const clientPropertiesFile = (stateDir: string, mode: SecurityMode) => join(securityDir(stateDir), `client-${mode}.properties`)

export function describeSecurity(stateDir: string, host: string, security: LocalSecurityState): LocalSecurityInfo {
  const dir = securityDir(stateDir)
  const each = <T>(value: (mode: SecurityMode) => T) => Object.fromEntries(SECURITY_MODES.map((mode) => [mode, value(mode)])) as Record<SecurityMode, T>
  return {
    mode: security.mode,
    listeners: each((mode) => `${host}:${security.ports[mode]}`),
    saslMechanisms: [...SASL_MECHANISMS],
    adminUser: ADMIN_USER,
    caFile: caFile(stateDir),
    users: secureUsers(security).map((name) => ({
      name,
      passwordFile: passwordFile(stateDir, name),
      certificateFile: join(dir, `client-${name}.crt`),
      keyFile: join(dir, `client-${name}.key`),
      keystoreFile: join(dir, `client-${name}-keystore.pem`),
      pkcs12File: join(dir, `client-${name}.p12`),
      pkcs12PasswordFile: join(dir, `client-${name}.p12.password`),
    })),
    clientProperties: each((mode) => clientPropertiesFile(stateDir, mode)),
  }
}

/** Java clients escape `\` in .properties values; the paths and hex passwords here have none, but be safe. */
const javaValue = (value: string) => value.replaceAll('\\', '\\\\')

function clientPropertiesText(info: LocalSecurityInfo, mode: SecurityMode, adminPassword: string): string {
  const admin = info.users[0]!
  const lines = [`# Written by kafkit local start: the Apache tools' --command-config for the ${mode} listener, as ${ADMIN_USER}.`, `bootstrap.servers=${info.listeners[mode]}`]
  if (mode === 'sasl' || mode === 'sasl-tls') {
    lines.push(
      `security.protocol=${mode === 'sasl' ? 'SASL_PLAINTEXT' : 'SASL_SSL'}`,
      'sasl.mechanism=SCRAM-SHA-512',
      `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${ADMIN_USER}" password="${adminPassword}";`,
    )
  } else lines.push('security.protocol=SSL')
  if (mode !== 'sasl') lines.push('ssl.truststore.type=PEM', `ssl.truststore.location=${javaValue(info.caFile)}`)
  if (mode === 'mtls') lines.push('ssl.keystore.type=PEM', `ssl.keystore.location=${javaValue(admin.keystoreFile)}`)
  return lines.join('\n') + '\n'
}

/** Writes every mode's client.properties (0600: the SASL ones hold the admin password). */
export async function writeClientProperties(info: LocalSecurityInfo, adminPassword: string): Promise<void> {
  await Promise.all(SECURITY_MODES.map((mode) => writeFile(info.clientProperties[mode], clientPropertiesText(info, mode, adminPassword), {mode: 0o600})))
}

/** The kafkit profile (config.yaml layout) that connects to `mode`'s listener as admin; the password stays in its file. */
function secureProfile(info: LocalSecurityInfo, mode: SecurityMode): Record<string, unknown> {
  const admin = info.users[0]!
  const protocol = {sasl: 'SASL_PLAINTEXT', 'sasl-tls': 'SASL_SSL', tls: 'SSL', mtls: 'SSL'}[mode]
  const profile: Record<string, unknown> = {'bootstrap-servers': info.listeners[mode], 'security-protocol': protocol}
  if (mode === 'sasl' || mode === 'sasl-tls') profile.sasl = {mechanism: 'SCRAM-SHA-512', username: ADMIN_USER, 'password-file': admin.passwordFile}
  if (mode === 'sasl-tls' || mode === 'tls') profile.ssl = {'ca-location': info.caFile}
  if (mode === 'mtls') profile.ssl = {'ca-location': info.caFile, 'certificate-location': admin.certificateFile, 'key-location': admin.keyFile}
  return profile
}

/** Writes `mode`'s profile into kafkit's config file under `name`; returns the file's path. */
export function writeSecureProfile(info: LocalSecurityInfo, mode: SecurityMode, name: string, configFile = configFilePath()): string {
  saveProfile(configFile, name, secureProfile(info, mode))
  return configFile
}
