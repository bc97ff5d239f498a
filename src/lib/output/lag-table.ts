// The tables of `kafkit lag`: one row per group/topic (with the estimate columns when rates were
// measured, and the lag sparkline on a terminal during --watch), or one row per partition.

import {missesCatchUp, type LagTrend} from '../lag-estimate.js'
import {etaText, formatPerSecond, sparkline, TREND_ARROWS} from './lag-text.js'
import type {Column} from './table.js'

export interface LagTableRow {
  group: string
  topic: string
  partitions: number
  totalLag: number
  maxPartitionLag: number
  members: number
  consumptionRate?: number | null
  productionRate?: number | null
  trend?: LagTrend | null
  catchUpSeconds?: number | null
  neverCatchesUp?: boolean | null
}

export interface LagTableOptions<Row> {
  /** Lag cells above it are red. */
  maxLag?: number
  /** ETA cells beyond it (or 'never') are red. */
  maxCatchUpSeconds?: number
  /** Adds CONSUMED/S, PRODUCED/S, TREND and ETA. */
  estimates: boolean
  /** Adds HISTORY, the row's lag as a sparkline (a terminal during --watch only). */
  history?: (row: Row) => readonly number[] | undefined
}

export function lagTopicColumns<Row extends LagTableRow>(options: LagTableOptions<Row>): Column<Row>[] {
  const {maxLag, maxCatchUpSeconds, history} = options
  const lagOver = (r: Row) => maxLag !== undefined && r.totalLag > maxLag
  const etaOver = (r: Row) => maxCatchUpSeconds !== undefined && missesCatchUp({catchUpSeconds: r.catchUpSeconds ?? null, neverCatchesUp: r.neverCatchesUp ?? null}, maxCatchUpSeconds)
  const columns: Column<Row>[] = [
    {header: 'GROUP', value: (r) => r.group},
    {header: 'TOPIC', value: (r) => r.topic},
    {header: 'PARTITIONS', value: (r) => r.partitions, align: 'right'},
    {header: 'LAG', value: (r) => r.totalLag, align: 'right', style: (t, r, c) => (lagOver(r) ? c.red.bold(t) : r.totalLag > 0 ? c.yellow(t) : t)},
    {header: 'MAX-LAG', value: (r) => r.maxPartitionLag, align: 'right'},
    {header: 'MEMBERS', value: (r) => r.members, align: 'right'},
  ]
  if (options.estimates) {
    columns.push(
      {header: 'CONSUMED/S', value: (r) => formatPerSecond(r.consumptionRate), align: 'right'},
      {header: 'PRODUCED/S', value: (r) => formatPerSecond(r.productionRate), align: 'right'},
      {
        header: 'TREND',
        value: (r) => r.trend ?? '-',
        style: (t, r, c) => (r.trend === 'falling' ? c.green(`${TREND_ARROWS.falling} ${t}`) : r.trend === 'rising' ? c.yellow(`${TREND_ARROWS.rising} ${t}`) : r.trend === 'steady' ? `${TREND_ARROWS.steady} ${t}` : t),
      },
      {header: 'ETA', value: (r) => etaText(r), align: 'right', style: (t, r, c) => (etaOver(r) ? c.red.bold(t) : r.neverCatchesUp ? c.yellow(t) : t)},
    )
  }
  if (history) columns.push({header: 'HISTORY', value: (r) => sparkline(history(r) ?? []), style: (t, _r, c) => c.cyan(t)})
  return columns
}

export interface PartitionLagRow {
  group: string
  topic: string
  partition: number
  currentOffset: number | null
  logEndOffset: number | null
  lag: number | null
  memberId: string | null
}

export function lagPartitionColumns<Row extends PartitionLagRow>(): Column<Row>[] {
  const dash = (v: number | string | null) => (v === null ? '-' : v)
  return [
    {header: 'GROUP', value: (r) => r.group},
    {header: 'TOPIC', value: (r) => r.topic},
    {header: 'PARTITION', value: (r) => r.partition, align: 'right'},
    {header: 'CURRENT-OFFSET', value: (r) => dash(r.currentOffset), align: 'right'},
    {header: 'LOG-END-OFFSET', value: (r) => dash(r.logEndOffset), align: 'right'},
    {header: 'LAG', value: (r) => dash(r.lag), align: 'right', style: (t, r, c) => (r.lag ? c.yellow(t) : t)},
    {header: 'CONSUMER-ID', value: (r) => dash(r.memberId)},
  ]
}
