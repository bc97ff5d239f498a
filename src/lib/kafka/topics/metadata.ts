import type {TopicDescription as IAdminTopicDescription} from '@confluentinc/kafka-javascript'

import {kafkaError} from '../kafka-errors.js'
import type {KafkaSession} from '../session.js'

// The client's metadata view of topics (partitions, leaders, replicas), and what is read from it.

/** The client's metadata view of the named topics, in the order given; any missing one fails with not_found. */
export async function describeTopicMetadata(session: KafkaSession, names: string[]): Promise<IAdminTopicDescription[]> {
  const admin = session.admin()
  const described = await session.call<IAdminTopicDescription[]>('describe topics', (done) =>
    admin.describeTopics(names, {timeout: session.timeoutMs}, done),
  )
  const missing = described.filter((d) => d.error)
  if (missing.length > 0) {
    const subject = missing.length === 1 ? `topic ${missing[0]!.name}` : `topics ${missing.map((d) => d.name).join(', ')}`
    throw kafkaError(missing[0]!.error!, subject)
  }
  return described
}

/** A topic id as the Java tools print it: the 16 bytes in URL-safe base64 without padding. */
export function javaTopicId(id: {mostSignificantBits: bigint; leastSignificantBits: bigint}): string {
  const bytes = Buffer.alloc(16)
  bytes.writeBigInt64BE(BigInt.asIntN(64, id.mostSignificantBits), 0)
  bytes.writeBigInt64BE(BigInt.asIntN(64, id.leastSignificantBits), 8)
  return bytes.toString('base64url')
}

/** How long to wait for topic ids when a broker is down (see topicIdentities). */
const IDS_WAIT_WHEN_DEGRADED_MS = 2000

export interface TopicIdentity {
  /** As the Java tools print it; null when no broker answered in time. */
  topicId: string | null
  internal: boolean
}

/**
 * Topic ids and the internal flag (DescribeTopics). librdkafka sends DescribeTopics to the
 * controller its metadata names, which may be a broker that just died: then the request waits
 * out its timeout. With `degraded` (some broker is unreachable) it waits briefly, and the ids are
 * left null rather than failing the command.
 */
export async function topicIdentities(session: KafkaSession, names: string[], degraded: boolean): Promise<Map<string, TopicIdentity>> {
  const admin = session.admin()
  const timeout = degraded ? Math.min(IDS_WAIT_WHEN_DEGRADED_MS, session.timeoutMs) : session.timeoutMs
  const ask = session.call<IAdminTopicDescription[]>('describe topics', (done) => admin.describeTopics(names, {timeout}, done))
  const described = degraded ? await ask.catch(() => []) : await ask
  const ids = new Map<string, TopicIdentity>(described.filter((d) => !d.error).map((d) => [d.name, {topicId: javaTopicId(d.topicId), internal: d.isInternal}]))
  for (const name of names) if (!ids.has(name)) ids.set(name, {topicId: null, internal: false})
  return ids
}
