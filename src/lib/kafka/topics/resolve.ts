import {KafkitError} from '../../errors.js'
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
    const what = missing.length === 1 ? `topic ${missing[0]} does not exist` : `topics ${missing.join(', ')} do not exist`
    throw new KafkitError('not_found', what, {hint: 'list topics with: kafkit topics list', kafkaCode: 'UNKNOWN_TOPIC_OR_PART'})
  }
  if (selection.pattern === undefined) return names
  const matched = await listTopicNames(session, {pattern: selection.pattern, includeInternal: selection.includeInternal})
  return [...new Set([...names, ...matched.filter((name) => selection.includeInternal || !isInternalTopic(name))])]
}
