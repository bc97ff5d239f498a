import type {KafkaSession} from '../session.js'
import {describeTopics} from './describe.js'

// topics list --long: partitions, replication factor and override count per topic.

export interface TopicSummary {
  name: string
  partitions: number
  replicationFactor: number
  /** Number of topic-level config overrides. */
  configOverrides: number
}

export async function summarizeTopics(session: KafkaSession, names: string[]): Promise<TopicSummary[]> {
  const described = await describeTopics(session, names, {offsets: false})
  const byName = new Map(described.map((d) => [d.name, d]))
  return names.map((name) => {
    const d = byName.get(name)!
    return {name, partitions: d.partitionCount, replicationFactor: d.replicationFactor, configOverrides: d.configOverrides}
  })
}
