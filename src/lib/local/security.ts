import {randomBytes} from 'node:crypto'
import {mkdir, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {KafkitError} from '../errors.js'
import {makeBrokerCertificate, makeCertificateAuthority, makeClientCertificate} from './certificates.js'
import {type LocalKafkaState, type LocalSecurityState, SECURITY_MODES, securityDir, type SecurityMode} from './state.js'

// The broker side of a secured local Kafka (`local start --security`): its ports, the credentials
// made once when the state folder is created (random passwords in 0600 files, certificates), and
// the server.properties lines. Every secured node runs all client listeners, whatever the mode:
//   sasl      SASL_PLAINTEXT  PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER (unsecured JWTs)
//   sasl-tls  SASL_SSL        the same mechanisms over TLS
//   tls       SSL             TLS without a client identity: the principal is User:ANONYMOUS
//   mtls      SSL             a client certificate is required; CN=<user> is User:<user>
// and a controller listener (SASL_PLAINTEXT, PLAIN, as admin). The StandardAuthorizer denies
// what no ACL allows; admin is a super user, and so is ANONYMOUS, which only the tls listener
// gives (a client there has no identity an ACL could name).

export const ADMIN_USER = 'admin'
/** Listener names in server.properties, one per mode. */
const LISTENER_NAMES: Record<SecurityMode, string> = {sasl: 'SASL_PLAINTEXT', 'sasl-tls': 'SASL_SSL', tls: 'TLS', mtls: 'MTLS'}
const LISTENER_PROTOCOLS: Record<SecurityMode, string> = {sasl: 'SASL_PLAINTEXT', 'sasl-tls': 'SASL_SSL', tls: 'SSL', mtls: 'SSL'}
export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'] as const
const SCRAM_MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const
const USER_NAME = /^[A-Za-z0-9._-]{1,64}$/

/** The ports of a secured node: one per listener from `firstPort` on (mode order), then the controller. */
export function securePorts(firstPort: number): {ports: Record<SecurityMode, number>; controllerPort: number} {
  const ports = Object.fromEntries(SECURITY_MODES.map((mode, index) => [mode, firstPort + index])) as Record<SecurityMode, number>
  return {ports, controllerPort: firstPort + SECURITY_MODES.length}
}

export function newSecurityState(mode: SecurityMode, firstPort: number, users: readonly string[]): LocalSecurityState {
  for (const user of users) {
    if (!USER_NAME.test(user) || user === ADMIN_USER) {
      throw new KafkitError('usage', `--user ${user}: a user name is 1-64 letters, digits, '.', '_' or '-', and not '${ADMIN_USER}' (which always exists)`)
    }
  }
  return {mode, ports: securePorts(firstPort).ports, users: [...new Set(users)]}
}

export const passwordFile = (stateDir: string, user: string) => join(securityDir(stateDir), `${user}.password`)
export const caFile = (stateDir: string) => join(securityDir(stateDir), 'ca.crt')
const brokerKeystoreFile = (stateDir: string) => join(securityDir(stateDir), 'broker-keystore.pem')

/** Every user of a secured node, admin first. */
export const secureUsers = (security: LocalSecurityState) => [ADMIN_USER, ...security.users]

/**
 * Makes the secrets of a new secured node: a random password per user (hex, so it needs no
 * quoting anywhere), the CA, the broker's and each user's client certificate.
 */
export async function createSecurityFiles(stateDir: string, security: LocalSecurityState): Promise<void> {
  const dir = securityDir(stateDir)
  await mkdir(dir, {recursive: true, mode: 0o700})
  await Promise.all(secureUsers(security).map((user) => writeFile(passwordFile(stateDir, user), randomBytes(18).toString('hex') + '\n', {mode: 0o600})))
  await makeCertificateAuthority(dir)
  await Promise.all([makeBrokerCertificate(dir), ...secureUsers(security).map((user) => makeClientCertificate(dir, user))])
}

/** The users' passwords, read from their files. */
export async function readPasswords(stateDir: string, security: LocalSecurityState): Promise<Map<string, string>> {
  const entries = await Promise.all(
    secureUsers(security).map(async (user): Promise<[string, string]> => {
      const text = await readFile(passwordFile(stateDir, user), 'utf8').catch(() => {
        throw new KafkitError('failure', `the password file ${passwordFile(stateDir, user)} of a secured local Kafka is missing`, {
          hint: `stop it and delete ${stateDir} to start over`,
        })
      })
      return [user, text.trim()]
    }),
  )
  return new Map(entries)
}

/** `kafka-storage format` arguments that create every user's SCRAM credentials before the first start. */
export function scramFormatArgs(passwords: ReadonlyMap<string, string>): string[] {
  return [...passwords].flatMap(([name, password]) => SCRAM_MECHANISMS.flatMap((mechanism) => ['--add-scram', `${mechanism}=[name=${name},password=${password}]`]))
}

const plainModule = (username: string, password: string, users: ReadonlyMap<string, string>) =>
  `org.apache.kafka.common.security.plain.PlainLoginModule required username="${username}" password="${password}" ${[...users]
    .map(([name, pw]) => `user_${name}="${pw}"`)
    .join(' ')};`

/** The server.properties lines of a secured node, over those of a plaintext one. */
export function secureServerProperties(
  stateDir: string,
  state: LocalKafkaState,
  controllerPort: number,
  passwords: ReadonlyMap<string, string>,
): Record<string, string> {
  const security = state.security!
  const adminPassword = passwords.get(ADMIN_USER)!
  const clientListeners = SECURITY_MODES.map((mode) => `${LISTENER_NAMES[mode]}://${state.host}:${security.ports[mode]}`)
  const properties: Record<string, string> = {
    listeners: [...clientListeners, `CONTROLLER://${state.host}:${controllerPort}`].join(','),
    'advertised.listeners': clientListeners.join(','),
    'listener.security.protocol.map': [...SECURITY_MODES.map((mode) => `${LISTENER_NAMES[mode]}:${LISTENER_PROTOCOLS[mode]}`), 'CONTROLLER:SASL_PLAINTEXT'].join(','),
    'inter.broker.listener.name': LISTENER_NAMES.sasl,
    'sasl.mechanism.inter.broker.protocol': 'PLAIN',
    'sasl.mechanism.controller.protocol': 'PLAIN',
    'sasl.enabled.mechanisms': SASL_MECHANISMS.join(','),
    // Without its own list the controller listener takes every mechanism and wants JAAS entries for each.
    'listener.name.controller.sasl.enabled.mechanisms': 'PLAIN',
    'listener.name.controller.plain.sasl.jaas.config': plainModule(ADMIN_USER, adminPassword, new Map([[ADMIN_USER, adminPassword]])),
    'listener.name.mtls.ssl.client.auth': 'required',
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': brokerKeystoreFile(stateDir),
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': caFile(stateDir),
    // CN=alice is User:alice, the same principal as the SASL user alice.
    'ssl.principal.mapping.rules': 'RULE:^CN=([^,]*).*$/$1/,DEFAULT',
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'allow.everyone.if.no.acl.found': 'false',
    'super.users': `User:${ADMIN_USER};User:ANONYMOUS`,
  }
  for (const mode of ['sasl', 'sasl-tls'] as const) {
    const prefix = `listener.name.${LISTENER_NAMES[mode].toLowerCase()}`
    // PLAIN checks the user_<name> entries; SCRAM checks the credentials stored at format time;
    // OAUTHBEARER's default validator takes unsecured JWTs (the token's sub is the principal).
    properties[`${prefix}.plain.sasl.jaas.config`] = plainModule(ADMIN_USER, adminPassword, passwords)
    for (const mechanism of SCRAM_MECHANISMS) {
      properties[`${prefix}.${mechanism.toLowerCase()}.sasl.jaas.config`] = 'org.apache.kafka.common.security.scram.ScramLoginModule required;'
    }
    properties[`${prefix}.oauthbearer.sasl.jaas.config`] =
      `org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="${ADMIN_USER}";`
  }
  return properties
}
