import type {KafkitError} from '../../errors.js'
import {GROUP_DENIED, notAuthorized, principalOf, TOPIC_DENIED} from '../authorization.js'
import type {KafkaSession} from '../session.js'
import type {ConsumeRequest} from './request.js'

// ACL denials met while reading, for both read loops.

/**
 * An ACL denial while reading, naming the group or topic. (Reading without a group, librdkafka
 * still looks up a coordinator for the consumer's own group id; a denial there is ignored, as
 * nothing is committed.)
 */
export function deniedRead(code: string, message: string | undefined, request: ConsumeRequest, session: KafkaSession): KafkitError | undefined {
  const principal = principalOf(session.connection.properties)
  if (code === GROUP_DENIED && request.group !== undefined) return notAuthorized(code, 'READ', {type: 'group', name: request.group}, principal)
  if (code !== TOPIC_DENIED) return undefined
  const topic = /[Tt]opic (\S+?):? /.exec(message ?? '')?.[1] ?? request.topics.join(', ')
  return notAuthorized(code, 'READ', {type: 'topic', name: topic}, principal)
}
