import type {LibrdKafkaError} from '@confluentinc/kafka-javascript'

import {KafkitError} from '../../errors.js'
import {namedPartitions, type OffsetSpec} from '../../offset-spec.js'
import {expandPartitions, type PartitionRange} from '../../partition-spec.js'
import type {TimestampType} from '../../records/jsonl.js'
import type {KafkaSession} from '../session.js'
import type {TopicPartition} from './positions.js'

// What the broker must tell a consume before reading: the partitions of each topic to read
// (-p, or those a Spark JSON -o names), and each topic's timestamp type when records show it.

export async function partitionsToRead(session: KafkaSession, topics: string[], only: PartitionRange[] | undefined, spec: OffsetSpec): Promise<TopicPartition[]> {
  const admin = session.admin()
  const described = await session.call<Array<{name: string; partitions: Array<{partition: number}>; error?: LibrdKafkaError}>>(`topic ${topics[0]}`, (done) =>
    admin.describeTopics(topics, {timeout: session.timeoutMs}, done as never),
  )
  const out: TopicPartition[] = []
  for (const topic of described) {
    if (topic.error) throw session.translate(topic.error, `topic ${topic.name}`)
    const count = topic.partitions.length
    const named = namedPartitions(spec, topic.name)
    const ranges = only ?? named?.map((partition) => ({from: partition, to: partition, single: true}))
    const {partitions, missing} = expandPartitions({ranges}, count)
    if (missing.length > 0) {
      throw new KafkitError('not_found', `topic ${topic.name} has no partition ${missing.join(', ')} (it has ${count}: 0-${count - 1})`, {
        kafkaCode: '_UNKNOWN_PARTITION',
      })
    }
    for (const partition of partitions) out.push({topic: topic.name, partition})
  }
  return out
}

/**
 * Each topic's timestamp type (message.timestamp.type): the client does not report it per
 * record, and with LogAppendTime the broker stamps every record. Unknown (no native
 * extension, no permission) counts as create time, Kafka's default.
 */
export async function timestampTypesOf(session: KafkaSession, topics: string[]): Promise<Map<string, TimestampType>> {
  const types = new Map<string, TimestampType>()
  try {
    const native = await session.nativeAdmin()
    const described = await session.guard(undefined, native.describeConfigs(topics.map((name) => ({type: 'topic' as const, name})), {timeoutMs: session.timeoutMs}))
    for (const resource of described) {
      const value = resource.configs.find((c) => c.name === 'message.timestamp.type')?.value
      if (value === 'LogAppendTime') types.set(resource.name, 'log-append')
    }
  } catch {
    // Keep the default.
  }
  return types
}
