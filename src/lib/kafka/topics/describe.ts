import {askOffsets, partitionKey} from '../offsets.js'
import {clusterView} from '../cluster.js'
import type {KafkaSession} from '../session.js'
import {describeTopicConfigs, isNonDefault, isTopicOverride, type TopicConfig} from './configs.js'
import {offlineReplicas, partitionFindings, type HealthFilter} from './health.js'
import {kafkaError} from '../kafka-errors.js'
import {topicIdentities} from './metadata.js'
import {isInternalTopic} from './names.js'

// topics describe: partitions, offsets, configs and health findings, as `kafka-topics --describe`
// and `kafka-configs --describe` report them. Returns data; never prints.

export interface PartitionDescription {
  partition: number
  /** Broker id of the leader; null when the partition has no leader. */
  leader: number | null
  replicas: number[]
  isr: number[]
  /** Replicas on brokers the cluster does not report as alive, or that do not accept a connection. */
  offlineReplicas: number[]
  /** null when the partition's offsets could not be read (see offsetsError). */
  earliestOffset: number | null
  latestOffset: number | null
  /** latestOffset - earliestOffset: records in the log (compaction and transaction markers make it an upper bound). */
  messages: number | null
  /** Why the offsets could not be read, e.g. "leader broker 3 (host:9094) is unreachable: connection refused". */
  offsetsError?: string
  /** Health filters the partition matches (see health.ts). */
  findings: HealthFilter[]
}

export interface TopicDescription {
  name: string
  /** As the Java tools print it (URL-safe base64, no padding); null when no broker answered in time (a broker is down). */
  topicId: string | null
  internal: boolean
  partitionCount: number
  replicationFactor: number
  partitions: PartitionDescription[]
  /** With allConfigs every config; otherwise those kafka-topics lists: values not from Kafka's default. */
  configs: TopicConfig[]
  /** Number of topic-level overrides (source DYNAMIC_TOPIC_CONFIG). */
  configOverrides: number
}

export interface DescribeTopicsOptions {
  allConfigs?: boolean
  /** Skip reading earliest/latest offsets (list --long does not need them). */
  offsets?: boolean
}

/**
 * Topics with their partitions (leader, replicas, ISR, offline replicas, earliest/latest offset)
 * and configs. What the live brokers know is reported even when a broker has just died and the
 * metadata still names it: its partitions' offsets carry the reason, and it counts as offline.
 */
export async function describeTopics(session: KafkaSession, names: string[], options: DescribeTopicsOptions = {}): Promise<TopicDescription[]> {
  if (names.length === 0) return []
  const metadata = await session.metadata()
  const unique = [...new Set(names)]
  const missing = unique.filter((name) => !metadata.topics.has(name))
  if (missing.length > 0) throw kafkaError({code: 'UNKNOWN_TOPIC_OR_PART', message: ''}, missing.length === 1 ? `topic ${missing[0]}` : `topics ${missing.join(', ')}`)
  const view = await clusterView(session, metadata.brokers)
  const [identities, configs] = await Promise.all([
    topicIdentities(session, unique, view.unreachable.size > 0),
    describeTopicConfigs(session, unique, {brokerId: view.target}),
  ])
  const allPartitions = unique.flatMap((topic) => metadata.topics.get(topic)!.map((p) => ({topic, partition: p.partition})))
  const wantOffsets = options.offsets ?? true
  const [earliest, latest] = wantOffsets
    ? await Promise.all([askOffsets(session, allPartitions, -2), askOffsets(session, allPartitions, -1)])
    : [undefined, undefined]

  return unique.map((name) => {
    const topicConfigs = configs.get(name)?.configs ?? []
    const minIsrText = topicConfigs.find((c) => c.name === 'min.insync.replicas')?.value
    const minInSyncReplicas = minIsrText === undefined || minIsrText === null ? null : Number.parseInt(minIsrText, 10)
    const partitions = metadata.topics.get(name)!.map(({partition, leader, replicas, isr}): PartitionDescription => {
      const key = partitionKey({topic: name, partition})
      const from = earliest?.get(key)
      const to = latest?.get(key)
      const offsetsError = from?.error ?? to?.error
      const earliestOffset = from?.offset ?? null
      const latestOffset = to?.offset ?? null
      return {
        partition,
        leader,
        replicas,
        isr,
        offlineReplicas: offlineReplicas(replicas, view.live),
        earliestOffset,
        latestOffset,
        messages: earliestOffset === null || latestOffset === null ? null : latestOffset - earliestOffset,
        ...(offsetsError === undefined ? {} : {offsetsError}),
        findings: partitionFindings({leader, replicas, isr}, {minInSyncReplicas: Number.isNaN(minInSyncReplicas) ? null : minInSyncReplicas, liveBrokers: view.live}),
      }
    })
    const identity = identities.get(name)!
    return {
      name,
      topicId: identity.topicId,
      internal: identity.internal || isInternalTopic(name),
      partitionCount: partitions.length,
      replicationFactor: partitions[0]?.replicas.length ?? 0,
      partitions,
      configs: options.allConfigs ? topicConfigs : topicConfigs.filter(isNonDefault),
      configOverrides: topicConfigs.filter(isTopicOverride).length,
    }
  })
}
