import {describeGroupDetails, type GroupDetail, type GroupPartitionRow, listGroupIds, requireGroups} from './groups/groups.js'
import type {KafkitError} from '../errors.js'
import type {KafkaSession} from './session.js'
import {compareNames} from '../compare.js'
import {estimateCatchUp, type LagEstimate, type LagRates, ratesOver, rowKey, SAMPLE_READ_MS, worstFirst} from '../lag-estimate.js'

// Consumer lag per group and topic, for monitoring and CI. Gathering is batched (see
// describeGroupDetails); summarising is pure, and so is the estimate (../lag-estimate.ts).

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

/** A group/topic row with its estimate (when rates were measured: --sample, --watch, --max-catch-up). */
export type EstimatedTopicLag = TopicLag & LagEstimate

/** Each row with its estimate from `rates` (null fields for a row without rates), worst first. */
export function withEstimates(rows: TopicLag[], rates: Map<string, LagRates>): EstimatedTopicLag[] {
  return rows.map((row) => ({...row, ...estimateCatchUp(row.totalLag, rates.get(rowKey(row)))})).sort(worstFirst)
}

/**
 * Reads for `intervalMs`, every SAMPLE_READ_MS, for a one-shot reading with rates: the last read,
 * and the rates over all of them. Undefined when `stop` aborts the wait.
 */
export async function sampleLag(session: KafkaSession, options: LagOptions, intervalMs: number, stop: AbortSignal): Promise<{snapshot: LagSnapshot; rates: Map<string, LagRates>} | undefined> {
  const reads = [await readLag(session, options)]
  const end = reads[0]!.at + intervalMs
  while (reads.at(-1)!.at < end) {
    if (!(await waitUnlessStopped(Math.max(0, Math.min(SAMPLE_READ_MS, end - Date.now())), stop))) return undefined
    reads.push(await readLag(session, options))
  }
  return {snapshot: reads.at(-1)!, rates: ratesOver(reads)}
}

/** Waits `ms`; false when `stop` aborted first. */
export function waitUnlessStopped(ms: number, stop: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (stop.aborted) return resolve(false)
    const timer = setTimeout(() => done(true), ms)
    function done(waited: boolean) {
      clearTimeout(timer)
      stop.removeEventListener('abort', aborted)
      resolve(waited)
    }
    const aborted = () => done(false)
    stop.addEventListener('abort', aborted)
  })
}
