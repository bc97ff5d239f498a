import {describeGroupDetails, type GroupDetail, type GroupPartitionRow, listGroupIds, requireGroups} from './groups/groups.js'
import type {KafkitError} from '../errors.js'
import type {KafkaSession} from './session.js'
import {compareNames} from '../compare.js'

// Consumer lag per group and topic, for monitoring and CI. Gathering is batched (see
// describeGroupDetails); summarising and the rate estimate for --watch are pure.

export interface LagOptions {
  groups: string[]
  allGroups: boolean
  topic?: string
}

export interface LagSnapshot {
  /** Epoch ms when the offsets were read. */
  at: number
  /** The groups that answered. */
  groups: GroupDetail[]
  /** The groups that could not be read (e.g. their coordinator broker does not answer), each with why. */
  failed: Array<{group: string; error: KafkitError}>
}

/** Every group's lag; a group that cannot be read is reported in `failed` and does not hide the others. */
export async function readLag(session: KafkaSession, options: LagOptions): Promise<LagSnapshot> {
  await session.ensureReachable()
  const groups = options.allGroups ? await listGroupIds(session) : options.groups
  const details = await describeGroupDetails(session, groups)
  if (!options.allGroups) requireGroups(details)
  const answered = details.filter((d) => !d.error)
  const failed = details.flatMap((d) => (d.error ? [{group: d.group, error: d.error}] : []))
  const filtered = options.topic === undefined ? answered : answered.map((d) => ({...d, partitions: d.partitions.filter((p) => p.topic === options.topic)}))
  return {at: Date.now(), groups: filtered, failed}
}

export interface TopicLag {
  group: string
  topic: string
  partitions: number
  /** Sum of the lag of partitions with a committed offset. */
  totalLag: number
  maxPartitionLag: number
  /** Partitions assigned to a member but without a committed offset (their lag is unknown). */
  uncommitted: number
  /** Distinct members with partitions of this topic. */
  members: number
}

/** One row per group and topic, sorted by group then topic. */
export function summarizeLag(groups: GroupDetail[]): TopicLag[] {
  const rows: TopicLag[] = []
  for (const group of groups) {
    const byTopic = new Map<string, GroupPartitionRow[]>()
    for (const p of group.partitions) {
      const list = byTopic.get(p.topic) ?? []
      list.push(p)
      byTopic.set(p.topic, list)
    }
    for (const [topic, partitions] of [...byTopic].sort(([a], [b]) => compareNames(a, b))) {
      const lags = partitions.map((p) => p.lag).filter((l): l is number => l !== null)
      rows.push({
        group: group.group,
        topic,
        partitions: partitions.length,
        totalLag: lags.reduce((a, b) => a + b, 0),
        maxPartitionLag: lags.length === 0 ? 0 : Math.max(...lags),
        uncommitted: partitions.filter((p) => p.currentOffset === null).length,
        members: new Set(partitions.map((p) => p.memberId).filter((m) => m !== null)).size,
      })
    }
  }
  return rows.sort((a, b) => compareNames(a.group, b.group) || compareNames(a.topic, b.topic))
}

/** Group/topic rows whose total lag is above the threshold (what --max-lag alerts on). */
export function overThreshold(rows: TopicLag[], maxLag: number): TopicLag[] {
  return rows.filter((r) => r.totalLag > maxLag)
}

export interface LagTrend {
  /** Change of the total lag in records per second: positive grows, negative shrinks. */
  ratePerSecond: number | null
  /** Estimated seconds until the lag reaches 0 at the current rate; null when not shrinking. */
  catchUpSeconds: number | null
}

/**
 * Tracks lag between --watch ticks. The rate is smoothed (exponential moving average) so that one
 * uneven poll does not swing the estimate.
 */
export class LagRateTracker {
  private readonly previous = new Map<string, {at: number; lag: number; rate: number | null}>()

  constructor(private readonly smoothing = 0.5) {}

  update(at: number, rows: TopicLag[]): Map<string, LagTrend> {
    const trends = new Map<string, LagTrend>()
    for (const row of rows) {
      const key = `${row.group}\u0000${row.topic}`
      const before = this.previous.get(key)
      let rate: number | null = null
      if (before && at > before.at) {
        const instant = ((row.totalLag - before.lag) * 1000) / (at - before.at)
        rate = before.rate === null ? instant : this.smoothing * instant + (1 - this.smoothing) * before.rate
      }
      this.previous.set(key, {at, lag: row.totalLag, rate})
      trends.set(key, {ratePerSecond: rate, catchUpSeconds: catchUp(row.totalLag, rate)})
    }
    return trends
  }
}

export const trendKey = (row: {group: string; topic: string}) => `${row.group}\u0000${row.topic}`

function catchUp(lag: number, rate: number | null): number | null {
  if (lag === 0) return 0
  if (rate === null || rate >= 0) return null
  return lag / -rate
}
