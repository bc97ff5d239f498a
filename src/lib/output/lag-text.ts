// How lag trends read in a table or a piped row: a signed rate and a short catch-up estimate.

/** 42s, 3m10s, 2h05m, 3d04h: short enough for a table column. */
export function formatEta(seconds: number | null): string {
  if (seconds === null) return '-'
  const s = Math.round(seconds)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  if (s < 86_400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
  return `${Math.floor(s / 86_400)}d${String(Math.floor((s % 86_400) / 3600)).padStart(2, '0')}h`
}

export function formatRate(rate: number | null): string {
  if (rate === null) return '-'
  const rounded = Math.abs(rate) >= 10 ? Math.round(rate) : Math.round(rate * 10) / 10
  return `${rounded > 0 ? '+' : ''}${rounded}/s`
}
