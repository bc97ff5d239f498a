import {compareNames} from '../../compare.js'
import {usageError} from '../../errors.js'
import type {KafkaSession} from '../session.js'

// Topic names: which are internal, whole-name patterns, and the listing. Returns data; never prints.

/** Kafka's convention: names starting with "__" are internal (__consumer_offsets, __transaction_state, __share_group_state). */
export const isInternalTopic = (name: string) => name.startsWith('__')

/** A topic pattern is a regular expression matched against the whole name, as kafka-topics does. */
export function topicMatcher(pattern: string | undefined): (name: string) => boolean {
  if (pattern === undefined) return () => true
  let re: RegExp
  try {
    re = new RegExp(`^(?:${pattern})$`)
  } catch (error) {
    throw usageError(`invalid topic pattern '${pattern}': ${(error as Error).message}`, "patterns are regular expressions over the whole name, e.g. 'orders\\..*'")
  }
  return (name) => re.test(name)
}

export interface ListTopicsOptions {
  pattern?: string
  includeInternal?: boolean
}

export async function listTopicNames(session: KafkaSession, options: ListTopicsOptions = {}): Promise<string[]> {
  const matches = topicMatcher(options.pattern)
  const names = await session.metadataTopicNames()
  return names
    .filter((name) => (options.includeInternal || !isInternalTopic(name)) && matches(name))
    .sort(compareNames)
}

