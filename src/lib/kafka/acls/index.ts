import {randomUUID} from 'node:crypto'

import {itemError, type ItemError} from '../../batch-failure.js'
import {KafkitError} from '../../errors.js'
import {kafkaError} from '../kafka-errors.js'
import {type NativeErrorInfo} from '../native-admin.js'
import type {KafkaSession} from '../session.js'
import {brokerText, deniedOnCluster, isAuthorizationFailure as isAuthorizationCode} from '../admin-denials.js'
import {type AclBinding, type AclFilter, bindingKey, bindingToNative, compareBindings, filterToNative, fromNative, OPERATIONS} from './model.js'

// ACLs against the cluster: list (DescribeAcls), create (CreateAcls), delete (DeleteAcls, after
// showing what matches). Returns plain data; never prints.

export * from './model.js'
export {normalizePrincipal, parseOperation, planCreate, planDeleteFilters, planListFilters, type AclFlagValues} from './plan.js'

/** Every binding matching any of the filters, each once, sorted. */
export async function listAcls(session: KafkaSession, filters: AclFilter[]): Promise<AclBinding[]> {
  const native = await session.nativeAdmin()
  const found = new Map<string, AclBinding>()
  try {
    const answers = await session.guard(
      'list ACLs',
      Promise.all(filters.map((f) => native.describeAcls(filterToNative(f), {timeoutMs: session.timeoutMs}))),
    )
    for (const b of answers.flat().map(fromNative)) found.set(bindingKey(b), b)
  } catch (error) {
    throw aclRequestError(session, error, 'list ACLs', 'DESCRIBE')
  }
  if (found.size === 0) await explainEmptyList(session)
  return [...found.values()].sort(compareBindings)
}

/**
 * librdkafka drops DescribeAcls' error code (a denial, or a cluster without an authorizer, reads
 * as "no ACLs"). An empty answer is therefore checked: may this principal describe the cluster,
 * and does the cluster have an authorizer (a DeleteAcls that can match nothing says)?
 */
async function explainEmptyList(session: KafkaSession): Promise<void> {
  const native = await session.nativeAdmin()
  const cluster = await session.guard('describe cluster', native.describeCluster(session.timeoutMs, {withAuthorizedOperations: true}))
  const allowed = cluster.authorizedOperations
  if (allowed && !allowed.includes(OPERATIONS.DESCRIBE) && !allowed.includes(OPERATIONS.ALL)) {
    throw deniedOnCluster(session, 'DESCRIBE', 'list ACLs')
  }
  const nothing = filterToNative({resourceType: 'TOPIC', resourceName: `kafkit-probe-${randomUUID()}`, patternType: 'LITERAL', principal: `User:kafkit-probe-${randomUUID()}`})
  const [probe] = await session.guard('list ACLs', native.deleteAcls([nothing], {timeoutMs: session.timeoutMs}))
  if (probe?.error?.code === 'SECURITY_DISABLED') throw aclRequestError(session, {kafkaCode: 'SECURITY_DISABLED'}, 'list ACLs', 'DESCRIBE')
}

export interface AclCreateOutcome extends AclBinding {
  status: 'created' | 'failed'
  error?: ItemError
}

export async function createAcls(session: KafkaSession, bindings: AclBinding[]): Promise<AclCreateOutcome[]> {
  const native = await session.nativeAdmin()
  let results
  try {
    results = await session.guard('create ACLs', native.createAcls(bindings.map(bindingToNative), {timeoutMs: session.timeoutMs}))
  } catch (error) {
    throw aclRequestError(session, error, 'create ACLs', 'ALTER')
  }
  // A denial is the whole request's answer, given per binding: one line, exit 4.
  const denied = results.find((r) => r.error && isAuthorizationCode(r.error.code))
  if (denied?.error) throw deniedOnCluster(session, 'ALTER', 'create ACLs', denied.error.code)
  if (results.some((r) => r.error?.code === 'SECURITY_DISABLED')) throw aclRequestError(session, {kafkaCode: 'SECURITY_DISABLED'}, 'create ACLs', 'ALTER')
  return bindings.map((b, i): AclCreateOutcome => {
    const error = results[i]?.error
    return error ? {...b, status: 'failed', error: itemError(kafkaError(cleanError(error), 'create ACL'))} : {...b, status: 'created'}
  })
}

/** The bindings a delete with these filters would remove (what the prompt shows). */
export const planAclDeletion = (session: KafkaSession, filters: AclFilter[]) => listAcls(session, filters)

/** A filter that matches exactly this binding (a delete then removes only what was shown). */
export const exactFilter = (b: AclBinding): AclFilter => ({...b})

/** Deletes every binding the filters match; returns what was deleted. */
export async function deleteAcls(session: KafkaSession, filters: AclFilter[]): Promise<AclBinding[]> {
  const native = await session.nativeAdmin()
  let results
  try {
    results = await session.guard('delete ACLs', native.deleteAcls(filters.map(filterToNative), {timeoutMs: session.timeoutMs}))
  } catch (error) {
    throw aclRequestError(session, error, 'delete ACLs', 'ALTER')
  }
  const failed = results.find((r) => r.error)
  if (failed?.error) {
    if (isAuthorizationCode(failed.error.code)) throw deniedOnCluster(session, 'ALTER', 'delete ACLs', failed.error.code)
    throw aclRequestError(session, Object.assign(new Error(brokerText(failed.error.message)), {code: failed.error.code}), 'delete ACLs', 'ALTER')
  }
  const deleted = new Map<string, AclBinding>()
  for (const b of results.flatMap((r) => r.matching).map(fromNative)) deleted.set(bindingKey(b), b)
  return [...deleted.values()].sort(compareBindings)
}

/** librdkafka's broker error texts sometimes end in a stray control character. */
const cleanError = (e: NativeErrorInfo): NativeErrorInfo => ({code: e.code, message: brokerText(e.message)})

/** A failed ACL request: a denial names the cluster and the operation; no authorizer says so. */
function aclRequestError(session: KafkaSession, error: unknown, action: string, operation: 'DESCRIBE' | 'ALTER'): KafkitError {
  const code = (error as {kafkaCode?: string; code?: unknown}).kafkaCode ?? (error as {code?: unknown}).code
  if (isAuthorizationCode(code)) return deniedOnCluster(session, operation, action, code)
  if (code === 'SECURITY_DISABLED') {
    return new KafkitError('invalid', `${action}: the cluster has no authorizer, so it keeps no ACLs`, {
      hint: 'brokers need authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer (kafkit local start --security sets it)',
      kafkaCode: 'SECURITY_DISABLED',
    })
  }
  return error instanceof KafkitError ? error : new KafkitError('failure', `${action}: ${String((error as Error).message ?? error)}`, {kafkaCode: typeof code === 'string' ? code : undefined})
}
