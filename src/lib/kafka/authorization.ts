import {KafkitError} from '../errors.js'

// ACL denials as one line that names the principal (when the client's settings say it), the
// operation and the resource, with the grant that would allow it as the hint.

export const TOPIC_DENIED = 'TOPIC_AUTHORIZATION_FAILED'
export const GROUP_DENIED = 'GROUP_AUTHORIZATION_FAILED'
export const CLUSTER_DENIED = 'CLUSTER_AUTHORIZATION_FAILED'

export type AclOperation = 'READ' | 'WRITE' | 'DESCRIBE' | 'CREATE' | 'DELETE' | 'ALTER' | 'DESCRIBE_CONFIGS' | 'ALTER_CONFIGS'

export type DeniedResource = {type: 'topic'; name: string} | {type: 'group'; name: string} | {type: 'cluster'}

/**
 * The principal the broker sees, where the client settings tell it: the SASL user, or the subject
 * of an unsecured OAUTHBEARER token. Undefined for a TLS certificate (the broker maps its DN).
 */
export function principalOf(properties: Readonly<Record<string, string | number | boolean>>): string | undefined {
  const mechanism = String(properties['sasl.mechanisms'] ?? properties['sasl.mechanism'] ?? '')
  if (mechanism === 'OAUTHBEARER') {
    const subject = /(?:^|\s)principal=(\S+)/.exec(String(properties['sasl.oauthbearer.config'] ?? ''))?.[1]
    return subject ? `User:${subject}` : undefined
  }
  const user = properties['sasl.username']
  return mechanism !== '' && user !== undefined ? `User:${user}` : undefined
}

const resourceText = (resource: DeniedResource) => (resource.type === 'cluster' ? 'the cluster' : resource.type === 'group' ? `group '${resource.name}'` : `topic ${resource.name}`)
const resourceFlag = (resource: DeniedResource) => (resource.type === 'cluster' ? '--cluster' : `--${resource.type} ${resource.name}`)

/** "not authorized: User:alice may not READ topic orders", with the ACL that would allow it. */
export function notAuthorized(kafkaCode: string, operation: AclOperation, resource: DeniedResource, principal: string | undefined, why?: string): KafkitError {
  const who = principal ?? "this client's principal"
  return new KafkitError('auth', `not authorized: ${who} may not ${operation} ${resourceText(resource)}${why ? ` (${why})` : ''}`, {
    hint: `an admin can allow it: kafkit acls create --allow-principal ${principal ?? 'User:NAME'} --operation ${operation} ${resourceFlag(resource)}`,
    kafkaCode,
  })
}
