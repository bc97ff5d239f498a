import {usageError} from './errors.js'
import {parseAnyDuration, parseTimestamp} from './time.js'

// The -o / --offset syntax of `kafkit consume` (docs/offsets.md): where each partition starts
// and, optionally, where it stops. One parser for what users of kcat, rpk, the Apache tools and
// Spark already type. Pure: positions are resolved against the broker elsewhere
// (src/lib/kafka/consume/positions.ts).

/** Where a partition starts. */
export type StartPosition =
  | {kind: 'beginning'}
  | {kind: 'end'}
  /** The group's committed offset (needs --group). */
  | {kind: 'stored'}
  | {kind: 'offset'; offset: number}
  /** The last N records of the partition (kcat/rpk `-N`). */
  | {kind: 'fromEnd'; count: number}
  /** N records after the partition's first offset (rpk `+N`). */
  | {kind: 'fromBeginning'; count: number}
  /** The first record whose timestamp is at or after `ms`. */
  | {kind: 'time'; ms: number}

/** Where a partition stops (exclusive: the record AT the stop position is not read). */
export type StopPosition =
  /** The end offset (high watermark) read when consuming starts. */
  | {kind: 'end'}
  | {kind: 'offset'; offset: number}
  /** The first record whose timestamp is at or after `ms`. */
  | {kind: 'time'; ms: number}

export interface PositionRange {
  /** Undefined: the command's default start (beginning, or stored in group mode). */
  start?: StartPosition
  stop?: StopPosition
}

export interface OffsetSpec {
  /** Applies to every partition without an override. */
  all: PositionRange
  /** Per-partition overrides (`0=100,1=200`), for every topic. */
  partitions: Map<number, PositionRange>
  /** Per-topic, per-partition starts from the Spark JSON form. */
  topics: Map<string, Map<number, PositionRange>>
}

export const OFFSET_FORMS = [
  'beginning | earliest | start | oldest',
  'end | latest | newest',
  'stored (the group\'s committed offset)',
  'N (absolute), -N (last N per partition), +N (N after the first offset)',
  '@TIME (epoch ms or s, YYYY-MM-DD, RFC 3339, or a duration back such as -1h)',
  'ranges START:END (100:200, :end, @2024-01-01:@2024-01-02, @-2h:1h)',
  'per partition 0=100,1=-5 (several, comma separated)',
  'Spark JSON {"orders":{"0":100,"1":-2}} (-2 earliest, -1 latest)',
  'kcat s@MS / e@MS',
]

const HINT = `accepted: ${OFFSET_FORMS.join('; ')} (see docs/offsets.md)`

export interface ParseOptions {
  /** "now" for durations (tests pass a fixed one). */
  now?: number
}

function fail(text: string, why?: string): never {
  throw usageError(`invalid offset '${text}'${why ? `: ${why}` : ''}`, HINT)
}

const BEGINNING = new Set(['beginning', 'earliest', 'start', 'oldest', 'first', 'smallest'])
const END = new Set(['end', 'latest', 'newest', 'last', 'largest'])
const STORED = new Set(['stored', 'committed', 'group'])

function nonNegativeInteger(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined
  const n = Number(text)
  return Number.isSafeInteger(n) ? n : undefined
}

function parseTime(text: string, whole: string, options: ParseOptions): number {
  try {
    return parseTimestamp(text, 'time', {now: options.now})
  } catch {
    return fail(whole, `'${text}' is not a time`)
  }
}

/** One start position, e.g. `beginning`, `-10`, `@2024-01-01`; undefined when the text is not one. */
function parseStart(text: string, whole: string, options: ParseOptions): StartPosition | undefined {
  const lower = text.toLowerCase()
  if (BEGINNING.has(lower)) return {kind: 'beginning'}
  if (END.has(lower)) return {kind: 'end'}
  if (STORED.has(lower)) return {kind: 'stored'}
  const absolute = nonNegativeInteger(text)
  if (absolute !== undefined) return {kind: 'offset', offset: absolute}
  if (/^-\d+$/.test(text)) return {kind: 'fromEnd', count: nonNegativeInteger(text.slice(1)) ?? fail(whole, 'number too large')}
  if (/^\+\d+$/.test(text)) return {kind: 'fromBeginning', count: nonNegativeInteger(text.slice(1)) ?? fail(whole, 'number too large')}
  if (text.startsWith('@')) return {kind: 'time', ms: parseTime(text.slice(1), whole, options)}
  if (/^s@/i.test(text)) return {kind: 'time', ms: parseTime(text.slice(2), whole, options)}
  return undefined
}

/** One stop position; `start` lets `@t1:1h` mean one hour after t1 (rpk's rule). */
function parseStop(text: string, start: StartPosition | undefined, whole: string, options: ParseOptions): StopPosition | undefined {
  const lower = text.toLowerCase()
  if (END.has(lower)) return {kind: 'end'}
  const absolute = nonNegativeInteger(text)
  if (absolute !== undefined) return {kind: 'offset', offset: absolute}
  const timeText = text.startsWith('@') ? text.slice(1) : /^e@/i.test(text) ? text.slice(2) : start?.kind === 'time' ? text : undefined
  if (timeText === undefined) return undefined
  if (start?.kind === 'time' && !timeText.startsWith('-')) {
    const duration = parseAnyDuration(timeText)
    if (duration !== undefined && !/^\d{10}(\d{3})?$/.test(timeText)) return {kind: 'time', ms: start.ms + duration}
  }
  return {kind: 'time', ms: parseTime(timeText, whole, options)}
}

/**
 * A single range `START`, `START:END`, `:END` or `START:`. Times may contain colons
 * (RFC 3339), so every colon is tried as the separator and the first split where both sides
 * parse wins.
 */
export function parseRange(text: string, options: ParseOptions = {}, whole = text): PositionRange {
  const trimmed = text.trim()
  if (trimmed === '') fail(whole, 'empty')
  if (/^e@/i.test(trimmed)) return {stop: parseStop(trimmed, undefined, whole, options)}
  // The last split tried is the one that kept the most of a time together: its error says the most.
  let lastError: unknown
  for (let colon = -1; ; colon = trimmed.indexOf(':', colon + 1)) {
    try {
      const range = tryRange(trimmed, colon, whole, options)
      if (range) return range
    } catch (error) {
      // A time cut at one of its own colons fails; another split may fit.
      lastError = error
    }
    if (trimmed.indexOf(':', colon + 1) === -1) break
  }
  throw lastError ?? fail(whole)
}

function tryRange(text: string, colon: number, whole: string, options: ParseOptions): PositionRange | undefined {
  const left = colon === -1 ? text : text.slice(0, colon)
  const right = colon === -1 ? undefined : text.slice(colon + 1)
  // rpk's `@:t` (from the default start until t): a bare @ makes the end a time.
  const bareAt = left === '@'
  const start = left === '' || bareAt ? undefined : parseStart(left, whole, options)
  if (left !== '' && !bareAt && !start) return undefined
  if (bareAt && right !== undefined && right !== '' && !right.startsWith('@')) {
    return {start, stop: {kind: 'time', ms: parseTime(right, whole, options)}}
  }
  if (right === undefined) return start ? {start} : undefined
  if (right === '') return {start}
  const stop = parseStop(right, start, whole, options)
  if (!stop) return undefined
  if (start?.kind === 'offset' && stop.kind === 'offset' && stop.offset < start.offset) fail(whole, `the end ${stop.offset} is before the start ${start.offset}`)
  if (start?.kind === 'time' && stop.kind === 'time' && stop.ms < start.ms) fail(whole, 'the end time is before the start time')
  return {start, stop}
}

/** Combines two ranges: later fields win (kcat's `-o s@A -o e@B`). */
function merge(a: PositionRange, b: PositionRange): PositionRange {
  return {start: b.start ?? a.start, stop: b.stop ?? a.stop}
}

/** Spark's JSON form: {"topic": {"0": 100, "1": -2}}; a string value is any kafkit range. */
function parseSparkJson(text: string, options: ParseOptions): Map<string, Map<number, PositionRange>> {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (error) {
    fail(text, `not JSON: ${(error as Error).message}`)
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail(text, 'the JSON form is {"topic": {"partition": offset}}')
  const topics = new Map<string, Map<number, PositionRange>>()
  for (const [topic, partitions] of Object.entries(doc)) {
    if (typeof partitions !== 'object' || partitions === null || Array.isArray(partitions)) fail(text, `topic ${topic}: expected {"partition": offset}`)
    const byPartition = new Map<number, PositionRange>()
    for (const [partitionText, value] of Object.entries(partitions as Record<string, unknown>)) {
      const partition = nonNegativeInteger(partitionText) ?? fail(text, `'${partitionText}' is not a partition number`)
      if (value === -2) byPartition.set(partition, {start: {kind: 'beginning'}})
      else if (value === -1) byPartition.set(partition, {start: {kind: 'end'}})
      else if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) byPartition.set(partition, {start: {kind: 'offset', offset: value}})
      else if (typeof value === 'string') byPartition.set(partition, parseRange(value, options, text))
      else fail(text, `topic ${topic} partition ${partition}: ${JSON.stringify(value)} is not an offset (-2 earliest, -1 latest, N)`)
    }
    topics.set(topic, byPartition)
  }
  return topics
}

/**
 * Parses one or more -o values into a spec. Each value is a range, a comma-separated list of
 * ranges and `P=RANGE` overrides, or the Spark JSON form.
 */
export function parseOffsetSpec(values: readonly string[], options: ParseOptions = {}): OffsetSpec {
  const spec: OffsetSpec = {all: {}, partitions: new Map(), topics: new Map()}
  for (const value of values) {
    const text = value.trim()
    if (text.startsWith('{')) {
      for (const [topic, partitions] of parseSparkJson(text, options)) spec.topics.set(topic, partitions)
      continue
    }
    for (const item of text.split(',')) {
      const override = /^\s*(\d+)\s*=(.*)$/.exec(item)
      if (override) {
        const partition = Number(override[1])
        spec.partitions.set(partition, merge(spec.partitions.get(partition) ?? {}, parseRange(override[2]!, options, value)))
      } else {
        spec.all = merge(spec.all, parseRange(item, options, value))
      }
    }
  }
  return spec
}

/** The range that applies to one partition: Spark per-topic entry, else partition override, else the default. */
export function rangeFor(spec: OffsetSpec, topic: string, partition: number): PositionRange {
  const fromTopic = spec.topics.get(topic)?.get(partition)
  const fromPartition = spec.partitions.get(partition)
  return merge(merge(spec.all, fromPartition ?? {}), fromTopic ?? {})
}

/** Whether the spec names partitions explicitly (then only those are read, unless -p says otherwise). */
export function namedPartitions(spec: OffsetSpec, topic: string): number[] | undefined {
  const fromTopic = spec.topics.get(topic)
  if (fromTopic) return [...fromTopic.keys()]
  return undefined
}

/** Text for a start position, for notices and --json. */
export function describeStart(start: StartPosition): string {
  switch (start.kind) {
    case 'beginning':
    case 'end':
    case 'stored':
      return start.kind
    case 'offset':
      return String(start.offset)
    case 'fromEnd':
      return `-${start.count}`
    case 'fromBeginning':
      return `+${start.count}`
    case 'time':
      return `@${new Date(start.ms).toISOString()}`
  }
}
