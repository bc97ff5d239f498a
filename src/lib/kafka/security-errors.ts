import {KafkitError} from '../errors.js'

// The one line a denied admin request ends with (exit 4): what was tried, which operation on
// which resource the principal lacks. Shared by ACLs, SCRAM users and broker configs.

export interface DeniedRequest {
  /** What kafkit was doing, e.g. "create ACLs". */
  action: string
  /** The ACL operation the request needs, e.g. ALTER. */
  operation: string
  /** The resource it needs it on, e.g. "CLUSTER kafka-cluster". */
  resource: string
}

export function authorizationError(kafkaCode: string, denied: DeniedRequest): KafkitError {
  return new KafkitError('auth', `${denied.action}: not authorized: operation ${denied.operation} on ${denied.resource} is denied for this principal`, {
    hint: `a super user can grant it: kafkit acls create --allow-principal USER --operation ${denied.operation.toLowerCase().replaceAll('_', '-')} --cluster`,
    kafkaCode,
  })
}

export const isAuthorizationFailure = (code: unknown): code is string => typeof code === 'string' && code.endsWith('_AUTHORIZATION_FAILED')

/**
 * A broker's error text as librdkafka hands it over: some texts (DescribeUserScramCredentials'
 * per-user errors) are not terminated where the broker's string ends, so stray bytes follow.
 * Cut at the first control character.
 */
export function brokerText(message: string): string {
  for (let i = 0; i < message.length; i++) if (message.charCodeAt(i) < 0x20) return message.slice(0, i)
  return message
}
