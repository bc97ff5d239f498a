import {parseIsoDuration, parseShortDuration} from './duration.js'
import {usageError} from './errors.js'

// One parser for every point in time a user can type (consume -o @T, offsets get --time,
// groups reset-offsets --to-datetime / --by-duration, topics trim --before @T). Accepted:
//   1700000000000          epoch milliseconds (13 digits)
//   1700000000             epoch seconds (10 digits)
//   2024-01-31             a date, midnight UTC
//   2024-01-31T10:00:00Z   RFC 3339 / ISO 8601, with or without zone, with or without fraction;
//                          without a zone it is UTC unless `localTime` is asked (the Apache tools'
//                          --to-datetime reads zone-less times in the local zone)
//   -1h, 30m, -2d12h       a duration back from now (the sign is optional: time always goes back)
//   P1DT2H, PT30M          an ISO 8601 duration back from now (Apache's --by-duration)
// The durations are duration.ts's, the same units as every duration flag.

/** Any duration form kafkit accepts (short or ISO), in ms. */
export function parseAnyDuration(text: string): number | undefined {
  const bare = text.trim().replace(/^[-+]/, '')
  return parseShortDuration(bare) ?? parseIsoDuration(bare)
}

export interface TimeParseOptions {
  /** Epoch ms taken as "now" for relative forms (tests pass a fixed one). */
  now?: number
  /** Zone-less date-times are local time instead of UTC (Apache's --to-datetime semantics). */
  localTime?: boolean
}

export const TIME_FORMS = 'epoch ms (1700000000000), epoch s (1700000000), YYYY-MM-DD, RFC 3339 (2024-01-31T10:00:00Z), or a duration back from now (-1h, 30m, P1DT2H)'

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i

/** A point in time as epoch ms. Throws a usage error listing the accepted forms. */
export function parseTimestamp(text: string, what = 'time', options: TimeParseOptions = {}): number {
  const trimmed = text.trim()
  const now = options.now ?? Date.now()
  if (/^\d{13}$/.test(trimmed)) return Number(trimmed)
  if (/^\d{10}$/.test(trimmed)) return Number(trimmed) * 1000
  if (DATE_ONLY.test(trimmed)) return checked(Date.parse(`${trimmed}T00:00:00Z`), text, what)
  const dt = DATE_TIME.exec(trimmed)
  if (dt) {
    const [, y, mo, d, h, mi, s = '0', frac = '0', zone] = dt
    const ms = Number(frac.padEnd(3, '0').slice(0, 3))
    const fields = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms] as const
    // Date.UTC would silently roll 2024-13-45 over into 2025: refuse impossible fields instead.
    if (fields[1] > 11 || fields[2] < 1 || fields[2] > 31 || fields[3] > 23 || fields[4] > 59 || fields[5] > 59) {
      return checked(Number.NaN, text, what)
    }
    if (zone === undefined) {
      return checked(options.localTime ? new Date(...fields).getTime() : Date.UTC(...fields), text, what)
    }
    const utc = Date.UTC(...fields)
    if (zone.toUpperCase() === 'Z') return checked(utc, text, what)
    const sign = zone.startsWith('-') ? -1 : 1
    const digits = zone.slice(1).replace(':', '')
    const offsetMs = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000
    return checked(utc - offsetMs, text, what)
  }
  const duration = parseAnyDuration(trimmed)
  if (duration !== undefined) return now - duration
  throw usageError(`invalid ${what} '${text}'`, `accepted: ${TIME_FORMS}`)
}

function checked(ms: number, text: string, what: string): number {
  if (Number.isNaN(ms)) throw usageError(`invalid ${what} '${text}': no such date`, `accepted: ${TIME_FORMS}`)
  return ms
}
