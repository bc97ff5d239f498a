import type {TopicDescription as IAdminTopicDescription} from '@confluentinc/kafka-javascript'

import type {KafkaSession} from '../session.js'

// After a create or delete: waits until the metadata shows the change.

const SETTLE_POLL_MS = 100

/**
 * Waits (within --timeout) until the cluster's metadata shows created topics with a leader for every
 * partition, or no longer shows deleted ones, so that the next command (a produce, a re-create)
 * sees the change. The change itself has succeeded already: running out of time is not an error.
 */
export async function settleMetadata(session: KafkaSession, names: string[], want: 'present' | 'absent'): Promise<void> {
  if (names.length === 0) return
  const admin = session.admin()
  const deadline = Date.now() + session.timeoutMs
  while (Date.now() < deadline) {
    try {
      const described = await session.call<IAdminTopicDescription[]>(undefined, (done) =>
        admin.describeTopics(names, {timeout: Math.max(1, deadline - Date.now())}, done),
      )
      const settled =
        want === 'absent'
          ? described.every((d) => d.error)
          : described.every((d) => !d.error && d.partitions.length > 0 && d.partitions.every((p) => p.leader))
      if (settled) return
    } catch {
      // A transient metadata error: ask again until the deadline.
    }
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS))
  }
}

