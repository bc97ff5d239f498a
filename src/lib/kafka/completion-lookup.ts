import {listGroupIds} from './groups/groups.js'
import type {KafkaSession} from './session.js'

// The cluster facts that shell completion offers: topic names with their partition counts, group
// ids, and the config keys a topic has. Plain data; the caller bounds the time and the cache.

/** Partition count of every topic (internal ones included), from one Metadata request. */
export async function topicPartitionCounts(session: KafkaSession): Promise<Record<string, number>> {
  const metadata = await session.metadata()
  return Object.fromEntries([...metadata.topics].map(([name, partitions]) => [name, partitions.length]))
}

export function groupIds(session: KafkaSession): Promise<string[]> {
  return listGroupIds(session)
}

/** The names of every config the broker describes for `topic` (its overrides and defaults). */
export async function topicConfigNames(session: KafkaSession, topic: string): Promise<string[]> {
  const admin = await session.nativeAdmin()
  const [described] = await session.guard(`topic ${topic}`, admin.describeConfigs([{type: 'topic', name: topic}], {timeoutMs: session.timeoutMs}))
  if (!described || described.error) return []
  return described.configs.map((c) => c.name).sort()
}
