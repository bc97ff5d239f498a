// The health filters of `kafka-topics --describe`, with the same definitions, as pure functions
// over a described partition. Returns data; never prints.

export type HealthFilter = 'under-replicated' | 'unavailable' | 'under-min-isr' | 'at-min-isr'

export interface PartitionHealthInput {
  /** null when the partition has no leader. */
  leader: number | null
  replicas: readonly number[]
  isr: readonly number[]
}

export interface HealthContext {
  /** The topic's effective min.insync.replicas; null when it could not be read. */
  minInSyncReplicas: number | null
  /** Ids of the brokers the cluster reports as alive (and that accept a connection). */
  liveBrokers: ReadonlySet<number>
}

/**
 * Which filters a partition matches, exactly as Apache's TopicCommand decides:
 * - under-replicated: fewer in-sync replicas than replicas;
 * - unavailable: no leader, or the leader is not a live broker;
 * - under-min-isr: no leader, or fewer in-sync replicas than min.insync.replicas;
 * - at-min-isr: exactly min.insync.replicas in-sync replicas.
 * An in-sync replica on a broker that is not alive does not count: until the controller fences a
 * broker that just died, the metadata still lists it in the ISR (and with a lost quorum, for good).
 */
export function partitionFindings(partition: PartitionHealthInput, context: HealthContext): HealthFilter[] {
  const found: HealthFilter[] = []
  const hasLeader = partition.leader !== null
  const minIsr = context.minInSyncReplicas
  const inSync = partition.isr.filter((id) => context.liveBrokers.has(id)).length
  if (partition.replicas.length - inSync > 0) found.push('under-replicated')
  if (!hasLeader || !context.liveBrokers.has(partition.leader!)) found.push('unavailable')
  if (!hasLeader || (minIsr !== null && inSync < minIsr)) found.push('under-min-isr')
  if (minIsr !== null && inSync === minIsr) found.push('at-min-isr')
  return found
}

/** Replicas on brokers the cluster does not report as alive. */
export function offlineReplicas(replicas: readonly number[], liveBrokers: ReadonlySet<number>): number[] {
  return replicas.filter((id) => !liveBrokers.has(id))
}

/** A partition is shown under the filters when it matches any of them (TopicCommand ORs them). */
export function matchesAnyFilter(findings: readonly HealthFilter[], filters: readonly HealthFilter[]): boolean {
  return filters.some((filter) => findings.includes(filter))
}
