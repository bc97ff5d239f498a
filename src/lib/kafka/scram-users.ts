import {KafkitError, usageError} from '../errors.js'
import type {ScramMechanismNumber} from './native-admin.js'
import type {KafkaSession} from './session.js'
import {brokerText, clusterAdminCall, deniedOnCluster, isAuthorizationFailure} from './admin-denials.js'

// SASL/SCRAM users (DescribeUserScramCredentials, AlterUserScramCredentials): who has which
// mechanism with how many iterations, creating and deleting credentials. Passwords are handed to
// the native call and never returned or kept. Returns plain data; never prints.

export const SCRAM_MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const
export type ScramMechanism = (typeof SCRAM_MECHANISMS)[number]

const NUMBER_BY_MECHANISM: Record<ScramMechanism, ScramMechanismNumber> = {'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2}
const mechanismName = (n: number): string => (n === 1 ? 'SCRAM-SHA-256' : n === 2 ? 'SCRAM-SHA-512' : 'UNKNOWN')

/** Kafka's bounds on SCRAM iterations (ScramMechanism.minIterations/maxIterations); 4096 is its default. */
export const MIN_ITERATIONS = 4096
const MAX_ITERATIONS = 16384

/** `scram-sha-512`, `SHA-512`, `512` -> SCRAM-SHA-512. */
export function parseScramMechanism(text: string): ScramMechanism {
  const t = text.trim().toUpperCase()
  const found = SCRAM_MECHANISMS.find((m) => m === t || m === `SCRAM-${t}` || m === `SCRAM-SHA-${t}`)
  if (!found) throw usageError(`unknown SCRAM mechanism '${text}'`, `use ${SCRAM_MECHANISMS.join(' or ')}`)
  return found
}

export function checkIterations(iterations: number): number {
  if (!Number.isInteger(iterations) || iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
    throw usageError(`--iterations must be between ${MIN_ITERATIONS} and ${MAX_ITERATIONS}, got ${iterations}`)
  }
  return iterations
}

export interface ScramUser {
  user: string
  credentials: Array<{mechanism: string; iterations: number}>
}

/** Users with SCRAM credentials (all, or those named; a named user without any is not_found). */
export async function listScramUsers(session: KafkaSession, users: string[] = []): Promise<ScramUser[]> {
  const native = await session.nativeAdmin()
  const described = await clusterAdminCall(session, 'list users', 'DESCRIBE', native.describeUserScramCredentials(users, {timeoutMs: session.timeoutMs}))
  const out: ScramUser[] = []
  for (const d of described) {
    if (d.error) {
      if (isAuthorizationFailure(d.error.code)) throw deniedOnCluster(session, 'DESCRIBE', 'list users', d.error.code)
      if (d.error.code === 'RESOURCE_NOT_FOUND') throw new KafkitError('not_found', `user '${d.user}' has no SCRAM credentials`, {kafkaCode: d.error.code, hint: 'list users with: kafkit users list'})
      throw new KafkitError('failure', `user '${d.user}': ${brokerText(d.error.message)}`, {kafkaCode: d.error.code})
    }
    out.push({
      user: d.user,
      credentials: d.credentials.map((c) => ({mechanism: mechanismName(c.mechanism), iterations: c.iterations})).sort((a, b) => a.mechanism.localeCompare(b.mechanism)),
    })
  }
  return out.sort((a, b) => a.user.localeCompare(b.user))
}

export interface ScramChange {
  user: string
  mechanism: ScramMechanism
  /** created: a new or replaced credential; deleted: the credential is gone. */
  status: 'created' | 'deleted'
  iterations?: number
}

function alterError(session: KafkaSession, action: string, user: string, error: {code: string; message: string}): KafkitError {
  if (isAuthorizationFailure(error.code)) return deniedOnCluster(session, 'ALTER', action, error.code)
  const message = brokerText(error.message)
  if (error.code === 'RESOURCE_NOT_FOUND') return new KafkitError('not_found', `user '${user}' has no such SCRAM credential`, {kafkaCode: error.code, hint: 'list users with: kafkit users list'})
  if (error.code === 'UNSUPPORTED_SASL_MECHANISM' || error.code === 'UNACCEPTABLE_CREDENTIAL') return new KafkitError('invalid', `${action} '${user}': ${message}`, {kafkaCode: error.code})
  return new KafkitError('failure', `${action} '${user}': ${message}`, {kafkaCode: error.code})
}

/** Creates (or replaces) the user's credential for one mechanism. */
export async function upsertScramUser(
  session: KafkaSession,
  user: string,
  options: {mechanism: ScramMechanism; iterations: number; password: string},
): Promise<ScramChange> {
  if (user.trim() === '') throw usageError('the user name is empty')
  if (options.password === '') throw usageError('the password is empty')
  const native = await session.nativeAdmin()
  const [result] = await clusterAdminCall(
    session,
    'create user',
    'ALTER',
    native.alterUserScramCredentials(
      [{user, mechanism: NUMBER_BY_MECHANISM[options.mechanism], iterations: checkIterations(options.iterations), password: options.password}],
      {timeoutMs: session.timeoutMs},
    ),
  )
  if (result?.error) throw alterError(session, 'create user', user, result.error)
  return {user, mechanism: options.mechanism, status: 'created', iterations: options.iterations}
}

/** Deletes the user's credentials: the mechanisms given, or every one the user has. */
export async function deleteScramUser(session: KafkaSession, user: string, mechanisms?: ScramMechanism[]): Promise<ScramChange[]> {
  const targets = mechanisms ?? ((await listScramUsers(session, [user]))[0]?.credentials.map((c) => c.mechanism as ScramMechanism) ?? [])
  if (targets.length === 0) throw new KafkitError('not_found', `user '${user}' has no SCRAM credentials`, {hint: 'list users with: kafkit users list'})
  const native = await session.nativeAdmin()
  const results = await clusterAdminCall(
    session,
    'delete user',
    'ALTER',
    native.alterUserScramCredentials(
      targets.map((m) => ({user, mechanism: NUMBER_BY_MECHANISM[m]})),
      {timeoutMs: session.timeoutMs},
    ),
  )
  const failed = results.find((r) => r.error)
  if (failed?.error) throw alterError(session, 'delete user', user, failed.error)
  return targets.map((mechanism) => ({user, mechanism, status: 'deleted'}))
}
