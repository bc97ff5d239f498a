import type {TopicDescription as IAdminTopicDescription} from '@confluentinc/kafka-javascript'

import {KafkitError} from '../../errors.js'
import {type AclOperation, notAuthorized, principalOf, TOPIC_DENIED} from '../authorization.js'
import {errorName} from '../kafka-errors.js'
import type {KafkaSession} from '../session.js'
import {isInternalTopic, listTopicNames} from './names.js'

// The one topic resolver: the topics a command acts on, from names and a pattern.

export interface TopicSelection {
  /** Topics named one by one: each must exist. */
  names?: string[]
  /** A regular expression over the whole name; internal ("__") topics match only with includeInternal. */
  pattern?: string
  includeInternal?: boolean
  /** With neither names nor a pattern: every topic (as topics describe does) instead of none. */
  allWhenNone?: boolean
  /** What the command will do to the topics, for the error when the ACLs hide one (default DESCRIBE). */
  operation?: AclOperation
}

/**
 * The named topics (in the order given, each once) followed by those matching the pattern, each
 * once. A named topic that does not exist fails with not_found naming it (several: all of them).
 */
export async function resolveTopics(session: KafkaSession, selection: TopicSelection): Promise<string[]> {
  const names = [...new Set(selection.names ?? [])]
  if (names.length === 0 && selection.pattern === undefined) {
    return selection.allWhenNone ? listTopicNames(session, {includeInternal: selection.includeInternal}) : []
  }
  const existing = new Set(await session.metadataTopicNames())
  const missing = names.filter((name) => !existing.has(name))
  if (missing.length > 0) {
    await assertNotHidden(session, missing, selection.operation ?? 'DESCRIBE')
    const what = missing.length === 1 ? `topic ${missing[0]} does not exist` : `topics ${missing.join(', ')} do not exist`
    throw new KafkitError('not_found', what, {hint: 'list topics with: kafkit topics list', kafkaCode: 'UNKNOWN_TOPIC_OR_PART'})
  }
  if (selection.pattern === undefined) return names
  const matched = await listTopicNames(session, {pattern: selection.pattern, includeInternal: selection.includeInternal})
  return [...new Set([...names, ...matched.filter((name) => selection.includeInternal || !isInternalTopic(name))])]
}

/**
 * A topic the metadata does not list may exist but be hidden by the ACLs: asked for by name, the
 * broker answers TOPIC_AUTHORIZATION_FAILED without saying whether it exists.
 */
async function assertNotHidden(session: KafkaSession, names: string[], operation: AclOperation): Promise<void> {
  // Only a cluster that authenticates clients can have ACLs that hide topics.
  const properties = session.connection?.properties ?? {}
  if (!/SASL|SSL/i.test(String(properties['security.protocol'] ?? ''))) return
  let described: IAdminTopicDescription[]
  try {
    const admin = session.admin()
    described = await session.call<IAdminTopicDescription[]>('describe topics', (done) => admin.describeTopics(names, {timeout: session.timeoutMs}, done))
  } catch {
    return // the not_found below stands
  }
  const hidden = described.find((topic) => topic.error && errorName(topic.error.code) === TOPIC_DENIED)
  if (!hidden) return
  const why = operation === 'DESCRIBE' ? 'Kafka does not say whether it exists' : `${operation} needs DESCRIBE too; Kafka does not say whether the topic exists`
  throw notAuthorized(TOPIC_DENIED, operation, {type: 'topic', name: hidden.name}, principalOf(properties), why)
}
