// How lag estimates read in a table or a piped row: rates, the trend, the catch-up time and the
// sparkline of `lag --watch`.

/** 42s, 3m10s, 2h05m, 3d04h: short enough for a table column. */
export function formatEta(seconds: number | null): string {
  if (seconds === null) return '-'
  const s = Math.round(seconds)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  if (s < 86_400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
  return `${Math.floor(s / 86_400)}d${String(Math.floor((s % 86_400) / 3600)).padStart(2, '0')}h`
}

/** Records per second: whole above 10, one decimal below; '-' when not measured. */
export function formatPerSecond(rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return '-'
  const rounded = Math.abs(rate) >= 10 ? Math.round(rate) : Math.round(rate * 10) / 10
  return String(rounded === 0 ? 0 : rounded)
}

/** The ETA column: 'caught up' without lag, 'never' when falling behind, '-' before rates are known. */
export function etaText(row: {totalLag: number; catchUpSeconds?: number | null; neverCatchesUp?: boolean | null}): string {
  if (row.totalLag <= 0) return 'caught up'
  if (row.neverCatchesUp) return 'never'
  return formatEta(row.catchUpSeconds ?? null)
}

export const TREND_ARROWS = {falling: '↓', rising: '↑', steady: '→'} as const

const BLOCKS = '▁▂▃▄▅▆▇█'

/** One block character per value, scaled from 0 to the largest value (all zero: the lowest block). */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values)
  return values.map((v) => BLOCKS[max <= 0 || v <= 0 ? 0 : Math.max(0, Math.min(7, Math.round((v / max) * 7)))]).join('')
}
