import type {KafkaConsumer, LibrdKafkaError, TopicPartitionOffset} from '@confluentinc/kafka-javascript'

import {key, type TopicPartition} from './positions.js'
import type {ConsumeRequest} from './request.js'
import {adoptPartition, type ConsumeState, type PartitionState} from './state.js'

// Group mode: what happens when the group hands partitions to this member or takes them away.
// New partitions start where -o says until this member has read from them (then the group's
// commits are the truth); leaving partitions get what was written for them committed first.
// This is the JS loop's handler; the native loop does the same in C (native/src/kafkit_consume.c).

/** How long a member with nothing assigned waits for a second round of cooperative assignment. */
export const EMPTY_ASSIGNMENT_GRACE_MS = 3000
/** How often what was written is committed while reading. */
export const COMMIT_INTERVAL_MS = 5000

/** Whether a read ends on its own (-e, a range END, --until) rather than following. */
export function readEnds(request: Pick<ConsumeRequest, 'exitAtEnd' | 'untilMs'>, partitions: Iterable<PartitionState>): boolean {
  return request.exitAtEnd || request.untilMs !== undefined || [...partitions].some((s) => s.stop !== undefined)
}

/**
 * Whether every assigned partition is finished (both read loops). A group member with nothing
 * assigned waits a moment, as cooperative rebalancing often hands out partitions in a second
 * round; and only a read that ends gives up then: a follow stands by, ready to take partitions
 * over when another member leaves.
 */
export function assignedAllDone(partitions: Iterable<PartitionState>, group?: {ends: boolean; lastRebalanceAt?: number}): boolean {
  let assigned = 0
  for (const s of partitions) {
    if (!s.assigned) continue
    assigned++
    if (!s.done) return false
  }
  if (group && assigned === 0) return group.ends && group.lastRebalanceAt !== undefined && Date.now() - group.lastRebalanceAt > EMPTY_ASSIGNMENT_GRACE_MS
  return true
}

/** Methods the client has but its type declarations omit. */
export type GroupConsumer = KafkaConsumer & {
  rebalanceProtocol(): 'COOPERATIVE' | 'EAGER' | 'NONE'
  incrementalAssign(assignment: Array<TopicPartition | TopicPartitionOffset>): void
  incrementalUnassign(assignment: TopicPartition[]): void
  setDefaultIsTimeoutOnlyForFirstMessage(only: boolean): void
}

/** What the rebalance callback shares with the read loop. */
export interface GroupState {
  lastRebalanceAt?: number
  /** Called before partitions are revoked: commits what was written for them. */
  beforeRevoke?: () => void
}

const ASSIGN_PARTITIONS = -175 // ERR__ASSIGN_PARTITIONS
const REVOKE_PARTITIONS = -174 // ERR__REVOKE_PARTITIONS

/** Pauses a partition; one no longer assigned (revoked meanwhile) needs nothing. */
export function pausePartition(consumer: KafkaConsumer, p: TopicPartition): void {
  try {
    consumer.pause([{topic: p.topic, partition: p.partition}])
  } catch {
    // Not assigned any more.
  }
}

/** The client's rebalance_cb (called with the consumer as `this`). */
export function rebalanceCallback(state: ConsumeState, group: GroupState) {
  return function (this: GroupConsumer, err: LibrdKafkaError, assignment: TopicPartitionOffset[]): void {
    const cooperative = this.rebalanceProtocol() === 'COOPERATIVE'
    group.lastRebalanceAt = Date.now()
    try {
      if (err.code === ASSIGN_PARTITIONS) {
        const withOffsets = assignment.map((tp) => {
          const s = state.get(key(tp))
          if (!s) {
            adoptPartition(state, tp)
            return tp
          }
          s.assigned = true
          // Explicit positions (N, -N, +N, @TIME) override the committed offset, until this
          // member has read from the partition.
          const untouched = s.next === (s.start ?? null)
          return untouched && s.start !== undefined ? {...tp, offset: s.start} : tp
        })
        if (cooperative) this.incrementalAssign(withOffsets)
        else this.assign(withOffsets)
        for (const tp of assignment) {
          const s = state.get(key(tp))
          if (s?.done) pausePartition(this, s)
        }
      } else if (err.code === REVOKE_PARTITIONS) {
        group.beforeRevoke?.()
        for (const tp of assignment) {
          const s = state.get(key(tp))
          if (s) s.assigned = false
        }
        if (cooperative) this.incrementalUnassign(assignment)
        else this.unassign()
      }
    } catch {
      // The consumer is closing; librdkafka finishes the rebalance itself.
    }
  }
}
