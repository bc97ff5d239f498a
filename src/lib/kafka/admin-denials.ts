import type {KafkitError} from '../errors.js'
import {type AclOperation, CLUSTER_DENIED, notAuthorized, principalOf} from './authorization.js'
import type {KafkaSession} from './session.js'

// How a cluster-level admin request (ACLs, SCRAM users, broker configs) the cluster refused
// becomes one line: the denial through authorization.ts, naming what kafkit was doing; and
// broker texts cleaned of what librdkafka appends to them.

export const isAuthorizationFailure = (code: unknown): code is string => typeof code === 'string' && code.endsWith('_AUTHORIZATION_FAILED')

/** "not authorized: User:alice may not ALTER the cluster (needed to create ACLs)" */
export function deniedOnCluster(session: KafkaSession, operation: AclOperation, action: string, kafkaCode: string = CLUSTER_DENIED): KafkitError {
  return notAuthorized(kafkaCode, operation, {type: 'cluster'}, principalOf(session.connection.properties), `needed to ${action}`)
}

/**
 * Runs one cluster-level admin request, bounded by the session (`subject` names it in timeout
 * messages); a denial becomes deniedOnCluster's one line, anything else passes through.
 */
export async function clusterAdminCall<T>(session: KafkaSession, action: string, operation: AclOperation, call: Promise<T>, subject = action): Promise<T> {
  try {
    return await session.guard(subject, call)
  } catch (error) {
    const code = (error as {kafkaCode?: string}).kafkaCode
    if (isAuthorizationFailure(code)) throw deniedOnCluster(session, operation, action, code)
    throw error
  }
}

/**
 * A broker's error text as librdkafka hands it over: some texts (DescribeUserScramCredentials'
 * per-user errors) are not terminated where the broker's string ends, so stray bytes follow.
 * Cut at the first control character.
 */
export function brokerText(message: string): string {
  for (let i = 0; i < message.length; i++) if (message.charCodeAt(i) < 0x20) return message.slice(0, i)
  return message
}
