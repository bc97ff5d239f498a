import {usageError} from './errors.js'

// The one reading of a length of time a user types, for every flag and form that takes one
// (--timeout, --interval, --idle-timeout, -o -1h, --by-duration ...). Units: ms, s, m, h, d, w,
// combinable (1m30s) and with fractions (1.5s); or ISO 8601 (PT30M, P1DT2H; no years or months,
// their length varies). docs/configuration.md lists them.

const UNIT_MS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000}
const SHORT_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy
const ISO_DURATION = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i

const DURATION_FORMS = '500ms, 10s, 5m, 1h, 2d, 1w, 1m30s, or ISO 8601 (PT30M)'

/** A duration with units like `1h30m` in ms, or undefined when the text is not one. */
export function parseShortDuration(text: string): number | undefined {
  SHORT_PART.lastIndex = 0
  let total = 0
  let consumed = 0
  let match: RegExpExecArray | null
  while ((match = SHORT_PART.exec(text)) !== null) {
    total += Number(match[1]) * UNIT_MS[match[2]!]!
    consumed = SHORT_PART.lastIndex
  }
  return consumed > 0 && consumed === text.length ? Math.round(total) : undefined
}

/** An ISO 8601 duration (PnWnDTnHnMnS) in ms, or undefined. Years and months are refused: their length varies. */
export function parseIsoDuration(text: string): number | undefined {
  const m = ISO_DURATION.exec(text)
  if (!m || text.toUpperCase() === 'P' || text.toUpperCase().endsWith('T')) return undefined
  const [, w, d, h, min, s] = m.map((v) => (v === undefined ? 0 : Number(v)))
  return Math.round((w! * UNIT_MS.w! + d! * UNIT_MS.d! + h! * UNIT_MS.h! + min! * UNIT_MS.m! + s! * UNIT_MS.s!))
}

/**
 * A duration flag's value in ms: the forms above, or a bare number meaning seconds
 * (`--timeout 10`), because that is what people type for a timeout.
 */
export function parseDuration(text: string, what = 'duration'): number {
  const trimmed = text.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000)
  const ms = parseShortDuration(trimmed) ?? parseIsoDuration(trimmed)
  if (ms === undefined) throw usageError(`invalid ${what} '${text}'`, `use a number of seconds or a value with a unit: ${DURATION_FORMS}`)
  return ms
}

/** Whether parseDuration reads this text (lag's `--watch 5s` needs to know before parsing). */
export function isDuration(text: string): boolean {
  const trimmed = text.trim()
  return /^\d+(\.\d+)?$/.test(trimmed) || parseShortDuration(trimmed) !== undefined || parseIsoDuration(trimmed) !== undefined
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`
  const seconds = ms / 1000
  if (seconds < 60) return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)}s`
  const minutes = Math.floor(seconds / 60)
  const rest = Math.round(seconds - minutes * 60)
  return rest === 0 ? `${minutes}m` : `${minutes}m${rest}s`
}
