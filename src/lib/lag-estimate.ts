// When does a consumer group catch up? Pure arithmetic over reads of its committed and log-end
// offsets: the consumption and production rates over a series of reads, the lag's trend, the catch-up
// estimate, the worst-first order of rows, and the lag history a sparkline draws. No I/O; used by
// `kafkit lag` (--sample, --watch, --max-catch-up). docs/groups.md describes the method.

import {compareNames} from './compare.js'

/** What one read gives for one group (the Kafka core's GroupDetail has these fields). */
export interface GroupOffsets {
  group: string
  partitions: ReadonlyArray<{topic: string; partition: number; currentOffset: number | null; logEndOffset: number | null}>
}

export interface OffsetRead {
  /** Epoch ms when the offsets were read. */
  at: number
  groups: readonly GroupOffsets[]
}

export type LagTrend = 'falling' | 'rising' | 'steady'

/** Offsets per second for one group/topic over a series of reads. */
export interface LagRates {
  /** Committed offsets per second: how fast the group gets through the topic. */
  consumptionRate: number
  /** Log-end offsets per second: how fast records are written to the topic. */
  productionRate: number
  /** The time from the first read the rates come from to the last. */
  windowSeconds: number
}

/** The estimate fields of one group/topic row; null where no rate is known yet. */
export interface LagEstimate {
  consumptionRate: number | null
  productionRate: number | null
  /** How fast the lag changes: production - consumption (positive grows, negative shrinks). */
  lagRate: number | null
  trend: LagTrend | null
  /** Seconds until the lag reaches 0 at the current rates: 0 when there is no lag, null when never or unknown. */
  catchUpSeconds: number | null
  /** Lag above 0 and consumption not above production: at these rates it never catches up. */
  neverCatchesUp: boolean | null
  rateWindowSeconds: number | null
}

/** Lag that changes by at most this share of the larger rate is steady. */
export const STEADY_SHARE = 0.05

/** --watch computes rates over the reads back to the newest one at least this old (until there is one, the first read). */
export const RATE_WINDOW_MS = 30_000

/** --sample reads this often, so that the steps of a consumer's commits are timed. */
export const SAMPLE_READ_MS = 500

/** The sparkline of --watch: at most this many cells, each the last lag read in its slice of time. */
export const HISTORY_CELLS = 20
export const HISTORY_CELL_MS = 6_000

export const rowKey = (row: {group: string; topic: string}) => `${row.group}\u0000${row.topic}`

/**
 * Rates per group/topic (keyed by rowKey) over reads in time order. Per partition, for its committed
 * and its log-end offset each: when the offset changed at two reads or more, what it moved from the
 * first read that saw it change to the last, over the time between them; otherwise what it moved
 * from the first read to the last, over that time. Consumers commit in steps (every 5 s by default),
 * and timing the steps measures such a consumer's pace without the window's edges cutting a step.
 * The row's rates are the sums over its partitions; only partitions with a committed and a log-end
 * offset count (the ones the lag sums).
 */
export function ratesOver(reads: readonly OffsetRead[]): Map<string, LagRates> {
  const series = new Map<string, {row: string; points: Array<{at: number; committed: number; logEnd: number}>}>()
  for (const read of reads) {
    for (const g of read.groups) {
      for (const p of g.partitions) {
        if (p.currentOffset === null || p.logEndOffset === null) continue
        const row = rowKey({group: g.group, topic: p.topic})
        const key = `${row}\u0000${p.partition}`
        const entry = series.get(key) ?? {row, points: []}
        entry.points.push({at: read.at, committed: p.currentOffset, logEnd: p.logEndOffset})
        series.set(key, entry)
      }
    }
  }
  const rates = new Map<string, LagRates>()
  for (const {row, points} of series.values()) {
    const windowSeconds = (points.at(-1)!.at - points[0]!.at) / 1000
    if (windowSeconds <= 0) continue
    const sum = rates.get(row) ?? {consumptionRate: 0, productionRate: 0, windowSeconds: 0}
    sum.consumptionRate += offsetRate(points.map((p) => ({at: p.at, offset: p.committed})))
    sum.productionRate += offsetRate(points.map((p) => ({at: p.at, offset: p.logEnd})))
    sum.windowSeconds = Math.max(sum.windowSeconds, windowSeconds)
    rates.set(row, sum)
  }
  return rates
}

/**
 * Offsets per second of one offset read at several times (see ratesOver). A series of steps is
 * timed from its first step to its last, unless it has been quiet for more than twice its longest
 * gap between steps (twice: the reads time each step only to within their interval): then the
 * quiet time counts, since a consumer that stopped is slowing down, not keeping its pace.
 */
export function offsetRate(points: ReadonlyArray<{at: number; offset: number}>): number {
  const first = points[0]!
  const last = points.at(-1)!
  const changes = points.filter((p, i) => i > 0 && p.offset !== points[i - 1]!.offset)
  if (changes.length < 2) return ((last.offset - first.offset) * 1000) / (last.at - first.at)
  const from = changes[0]!
  const to = changes.at(-1)!
  const longestGap = Math.max(...changes.slice(1).map((c, i) => c.at - changes[i]!.at))
  const until = last.at - to.at > 2 * longestGap ? last.at : to.at
  return ((to.offset - from.offset) * 1000) / (until - from.at)
}

export function trendOf(consumptionRate: number, productionRate: number): LagTrend {
  const lagRate = productionRate - consumptionRate
  const scale = Math.max(Math.abs(consumptionRate), Math.abs(productionRate))
  if (Math.abs(lagRate) <= STEADY_SHARE * scale) return 'steady'
  return lagRate < 0 ? 'falling' : 'rising'
}

/** The estimate for a row with this total lag; without rates every field is null. */
export function estimateCatchUp(totalLag: number, rates: LagRates | undefined): LagEstimate {
  if (!rates) return {consumptionRate: null, productionRate: null, lagRate: null, trend: null, catchUpSeconds: null, neverCatchesUp: null, rateWindowSeconds: null}
  const {consumptionRate, productionRate} = rates
  const base = {consumptionRate, productionRate, lagRate: productionRate - consumptionRate, trend: trendOf(consumptionRate, productionRate), rateWindowSeconds: rates.windowSeconds}
  if (totalLag <= 0) return {...base, catchUpSeconds: 0, neverCatchesUp: false}
  if (consumptionRate <= productionRate) return {...base, catchUpSeconds: null, neverCatchesUp: true}
  return {...base, catchUpSeconds: totalLag / (consumptionRate - productionRate), neverCatchesUp: false}
}

/** Whether a row misses a catch-up deadline: it never catches up, or its estimate is longer. Unknown estimates do not. */
export function missesCatchUp(row: Pick<LagEstimate, 'catchUpSeconds' | 'neverCatchesUp'>, maxSeconds: number): boolean {
  return row.neverCatchesUp === true || (row.catchUpSeconds !== null && row.catchUpSeconds > maxSeconds)
}

type Ranked = {group: string; topic: string; totalLag: number} & Partial<Pick<LagEstimate, 'catchUpSeconds' | 'neverCatchesUp'>>

/** 0: never catches up; 1: catching up (an estimate); 2: lag but no estimate yet; 3: no lag. */
function rank(row: Ranked): number {
  if (row.totalLag <= 0) return 3
  if (row.neverCatchesUp === true) return 0
  if (row.catchUpSeconds !== null && row.catchUpSeconds !== undefined) return 1
  return 2
}

/**
 * Worst first: rows that never catch up, then the longest catch-up estimate, then rows with lag but
 * no estimate yet, then rows without lag; ties by the larger lag, then by group and topic.
 */
export function worstFirst(a: Ranked, b: Ranked): number {
  const byRank = rank(a) - rank(b)
  if (byRank !== 0) return byRank
  if (rank(a) === 1 && a.catchUpSeconds !== b.catchUpSeconds) return b.catchUpSeconds! - a.catchUpSeconds!
  if (a.totalLag !== b.totalLag) return b.totalLag - a.totalLag
  return compareNames(a.group, b.group) || compareNames(a.topic, b.topic)
}

/**
 * The reads --watch keeps: for the rates, the reads back to the newest one at least RATE_WINDOW_MS
 * old; for each row's sparkline, its lag over the last HISTORY_CELLS cells of time.
 */
export class LagWatchHistory {
  private readonly reads: OffsetRead[] = []
  private readonly lags = new Map<string, Array<{at: number; lag: number}>>()
  private readonly cellMs: number

  /** A cell is never shorter than the watch interval, so the sparkline has no holes. */
  constructor(intervalMs: number, private readonly windowMs = RATE_WINDOW_MS) {
    this.cellMs = Math.max(HISTORY_CELL_MS, intervalMs)
  }

  /** Adds a read and its rows' lag; returns the rates (oldest kept read to this one) and each row's lag history. */
  add(read: OffsetRead, rows: ReadonlyArray<{group: string; topic: string; totalLag: number}>): {rates: Map<string, LagRates>; history: Map<string, number[]>} {
    this.reads.push(read)
    const cutoff = read.at - this.windowMs
    while (this.reads.length > 2 && this.reads[1]!.at <= cutoff) this.reads.shift()
    const rates = ratesOver(this.reads)

    const keep = read.at - HISTORY_CELLS * this.cellMs
    const history = new Map<string, number[]>()
    const seen = new Set<string>()
    for (const row of rows) {
      const key = rowKey(row)
      seen.add(key)
      const samples = (this.lags.get(key) ?? []).filter((s) => s.at > keep)
      samples.push({at: read.at, lag: row.totalLag})
      this.lags.set(key, samples)
      history.set(key, historyCells(samples, this.cellMs))
    }
    // Rows that are gone (a group deleted, a topic no longer consumed) are forgotten.
    for (const key of [...this.lags.keys()]) if (!seen.has(key)) this.lags.delete(key)
    return {rates, history}
  }
}

/** The last lag read in each cell of time that has one, oldest first, at most HISTORY_CELLS. */
export function historyCells(samples: ReadonlyArray<{at: number; lag: number}>, cellMs: number): number[] {
  const cells = new Map<number, number>()
  for (const s of samples) cells.set(Math.floor(s.at / cellMs), s.lag)
  return [...cells].sort(([a], [b]) => a - b).map(([, lag]) => lag).slice(-HISTORY_CELLS)
}
