import {type UnreachableBroker, unreachableText} from '../broker-reach.js'
import {KafkitError} from '../../errors.js'
import type {KafkaSession} from '../session.js'

// Which groups have a coordinator that does not accept a connection. A request for such a group
// (DescribeGroups, OffsetFetch) waits out the timeout and, batched, takes the other groups with
// it; asked first, those groups fail alone, naming the broker.

const OFFSETS_TOPIC = '__consumer_offsets'

/** Java's String.hashCode, which Kafka uses to place a group on a partition of __consumer_offsets. */
function javaHashCode(text: string): number {
  let hash = 0
  for (let i = 0; i < text.length; i++) hash = (Math.imul(31, hash) + text.charCodeAt(i)) | 0
  return hash
}

/**
 * The groups in batches, one per coordinator as the metadata places them, so that a request to a
 * coordinator that does not answer (the metadata can be stale) holds up only its own groups.
 */
export async function groupsByCoordinator(session: KafkaSession, groups: string[]): Promise<string[][]> {
  const metadata = await session.metadata()
  const partitions = metadata.topics.get(OFFSETS_TOPIC)
  if (!partitions || partitions.length === 0) return groups.length === 0 ? [] : [groups]
  const batches = new Map<number | null, string[]>()
  for (const group of groups) {
    const leader = partitions[(javaHashCode(group) & 0x7f_ff_ff_ff) % partitions.length]?.leader ?? null
    batches.set(leader, [...(batches.get(leader) ?? []), group])
  }
  return [...batches.values()]
}

/**
 * The coordinator of each group is the leader of partition abs(hash(group)) % partitions of
 * __consumer_offsets (Kafka's GroupCoordinator placement). Returns, for the groups whose
 * coordinator as the metadata names it does not answer, the error they fail with.
 */
export async function groupsWithUnreachableCoordinator(session: KafkaSession, groups: string[]): Promise<Map<string, KafkitError>> {
  const failed = new Map<string, KafkitError>()
  const metadata = await session.metadata()
  const partitions = metadata.topics.get(OFFSETS_TOPIC)
  if (!partitions || partitions.length === 0 || groups.length === 0) return failed
  const brokers = new Map(metadata.brokers.map((b) => [b.id, b]))
  const leaderOf = (group: string) => partitions[(javaHashCode(group) & 0x7f_ff_ff_ff) % partitions.length]?.leader ?? null
  const leaders = groups.map(leaderOf).flatMap((id) => (id === null || !brokers.has(id) ? [] : [brokers.get(id)!]))
  const down: Map<number, UnreachableBroker> = await session.brokers.unreachable(leaders)
  for (const group of groups) {
    const leader = leaderOf(group)
    const broker = leader === null ? undefined : down.get(leader)
    if (broker) {
      failed.set(group, new KafkitError('connection', `group '${group}': ${unreachableText(broker, 'coordinator broker')}`, {kafkaCode: 'COORDINATOR_NOT_AVAILABLE'}))
    }
  }
  return failed
}
