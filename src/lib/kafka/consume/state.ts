import {key, type PartitionPlan, type TopicPartition} from './positions.js'

// Per-partition progress of a consume run, shared by both read loops and the rebalance handler.

export interface PartitionState extends PartitionPlan {
  /** Next offset to print (last printed + 1), null before the first record. */
  next: number | null
  /** Next offset written to the sink (safe to commit). */
  written: number | null
  /** Committed at least up to this. */
  committed: number | null
  done: boolean
  assigned: boolean
}

export type ConsumeState = Map<string, PartitionState>

export function stateFromPlans(plans: PartitionPlan[]): ConsumeState {
  const state: ConsumeState = new Map()
  for (const plan of plans) {
    const empty = plan.stop !== undefined && plan.start !== undefined && plan.start >= plan.stop
    state.set(key(plan), {...plan, next: plan.start ?? null, written: null, committed: null, done: empty, assigned: false})
  }
  return state
}

/** State for a partition not planned at start (a topic created later that --pattern matches): read from its committed offset. */
export function adoptPartition(state: ConsumeState, tp: TopicPartition): PartitionState {
  const s: PartitionState = {topic: tp.topic, partition: tp.partition, low: 0, high: 0, requested: 'stored', next: null, written: null, committed: null, done: false, assigned: true}
  state.set(key(tp), s)
  return s
}

export function stateOf(state: ConsumeState, tp: TopicPartition): PartitionState {
  return state.get(key(tp)) ?? adoptPartition(state, tp)
}
