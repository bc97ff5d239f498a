import {usageError} from './errors.js'

const unitMs: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}

/**
 * Parses a duration like `10s`, `500ms`, `1m30s`, `2h` or `1.5s`. A bare number means seconds
 * (`--timeout 10`), because that is what people type for a timeout.
 */
export function parseDuration(text: string, what = 'duration'): number {
  const trimmed = text.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000)
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy
  let total = 0
  let consumed = 0
  let match: RegExpExecArray | null
  while ((match = part.exec(trimmed)) !== null) {
    total += Number(match[1]) * unitMs[match[2]!]!
    consumed = part.lastIndex
  }
  if (consumed === 0 || consumed !== trimmed.length) {
    throw usageError(`invalid ${what} '${text}'`, 'use a number of seconds or a value with a unit: 500ms, 10s, 5m, 1h, 1m30s')
  }
  return Math.round(total)
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`
  const seconds = ms / 1000
  if (seconds < 60) return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)}s`
  const minutes = Math.floor(seconds / 60)
  const rest = Math.round(seconds - minutes * 60)
  return rest === 0 ? `${minutes}m` : `${minutes}m${rest}s`
}
