import {usageError} from '../errors.js'
import type {ConsumedRecord} from './consumed-record.js'

// consume --grep / --filter: which records to print. Keys, values and header values are matched
// as text (their bytes read as UTF-8), with JavaScript regular expressions.
//   --grep REGEX            the key, the value or any header value matches
//   --filter key~REGEX      the key matches (likewise value~REGEX)
//   --filter header:NAME~REGEX  a header NAME has a matching value
//   --filter header:NAME    the record has a header NAME
// Several filters must all match, and --grep with them.

export type RecordFilter = (record: ConsumedRecord) => boolean

const FILTER_HINT = 'use key~REGEX, value~REGEX, header:NAME~REGEX or header:NAME'

function text(bytes: Buffer | string | null | undefined): string | undefined {
  if (bytes === null || bytes === undefined) return undefined
  return typeof bytes === 'string' ? bytes : bytes.toString('utf8')
}

function regex(source: string, what: string): RegExp {
  try {
    return new RegExp(source)
  } catch (error) {
    throw usageError(`${what}: not a valid regular expression: ${(error as Error).message}`, 'JavaScript regular expression syntax, e.g. ^order-[0-9]+')
  }
}

function headerValues(record: ConsumedRecord, name?: string): Array<string | undefined> {
  const values: Array<string | undefined> = []
  for (const header of record.headers ?? []) {
    for (const key in header) if (name === undefined || key === name) values.push(text(header[key]))
  }
  return values
}

function parseFilter(spec: string): RecordFilter {
  const what = `--filter '${spec}'`
  const tilde = spec.indexOf('~')
  const field = tilde < 0 ? spec : spec.slice(0, tilde)
  const pattern = tilde < 0 ? undefined : regex(spec.slice(tilde + 1), what)
  if (field === 'key' || field === 'value') {
    if (!pattern) throw usageError(`${what}: ${field} needs ~REGEX`, FILTER_HINT)
    return (r) => {
      const value = text(field === 'key' ? r.key : r.value)
      return value !== undefined && pattern.test(value)
    }
  }
  if (field.startsWith('header:') && field.length > 'header:'.length) {
    const name = field.slice('header:'.length)
    if (!pattern) return (r) => headerValues(r, name).length > 0
    return (r) => headerValues(r, name).some((value) => value !== undefined && pattern.test(value))
  }
  throw usageError(`${what}: unknown field '${field}'`, FILTER_HINT)
}

/** The filter for --grep and --filter, or undefined when neither is given. */
export function recordFilter(grep: string | undefined, filters: readonly string[] = []): RecordFilter | undefined {
  const all: RecordFilter[] = filters.map(parseFilter)
  if (grep !== undefined) {
    const pattern = regex(grep, `--grep '${grep}'`)
    const matches = (value: string | undefined) => value !== undefined && pattern.test(value)
    all.unshift((r) => matches(text(r.key)) || matches(text(r.value)) || headerValues(r).some(matches))
  }
  if (all.length === 0) return undefined
  if (all.length === 1) return all[0]
  return (r) => all.every((f) => f(r))
}
