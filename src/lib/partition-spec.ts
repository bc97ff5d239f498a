import {usageError} from './errors.js'

// Partition lists, one syntax and one meaning everywhere in kafkit (docs/offsets.md):
//   0          one partition
//   0,2,5      a list
//   0-3        a range, BOTH ends included: 0, 1, 2, 3
//   5-         partition 5 and every one after it
//   -3         every partition up to 3: 0, 1, 2, 3
// `consume -p` takes the list alone; offsets get and the groups offset commands take
// TOPIC[:LIST] (orders:0-3). Kafka topic names never contain ':', so the last ':' separates the
// name from the list. (kafka-get-offsets --topic-partitions excludes a range's upper bound:
// its t:0-3 is kafkit's t:0-2.)

export interface PartitionRange {
  from: number
  /** Included; undefined for an open end ("5-"). */
  to?: number
  /** Named as one partition ("3"), not as a range: it must exist. */
  single?: boolean
}

export interface TopicPartitionSpec {
  topic: string
  /** undefined: every partition of the topic. */
  ranges?: PartitionRange[]
}

const LIST_FORMS = 'P, P,P, FROM-TO (both included), FROM- or -TO (e.g. 0-3 is 0, 1, 2 and 3)'
const TOPIC_HINT = 'write TOPIC, TOPIC:P, TOPIC:P,P, TOPIC:FROM-TO (both included), TOPIC:FROM- or TOPIC:-TO (e.g. orders:0-3 is 0, 1, 2 and 3)'

/** A partition list such as `0,2,5-7`; `what` names the flag or argument in errors. */
export function parsePartitionList(list: string, what: string, hint = `partitions: ${LIST_FORMS}`): PartitionRange[] {
  if (list.trim() === '') throw usageError(`invalid partitions in ${what}: the list is empty`, hint)
  return list.split(',').map((item) => parseRange(item.trim(), what, hint))
}

export function parseTopicPartitionSpec(text: string): TopicPartitionSpec {
  const colon = text.lastIndexOf(':')
  const topic = colon === -1 ? text : text.slice(0, colon)
  if (topic.trim() === '') throw usageError(`invalid topic '${text}': the topic name is empty`, TOPIC_HINT)
  if (colon === -1) return {topic}
  const list = text.slice(colon + 1)
  if (list.trim() === '') throw usageError(`invalid partitions in '${text}': nothing after ':'`, TOPIC_HINT)
  return {topic, ranges: parsePartitionList(list, `'${text}'`, TOPIC_HINT)}
}

function parseRange(item: string, what: string, hint: string): PartitionRange {
  const match = /^(\d*)(?:(-)(\d*))?$/.exec(item)
  if (!match || (match[1] === '' && (match[2] === undefined || match[3] === ''))) throw usageError(`invalid partition '${item}' in ${what}`, hint)
  const from = match[1] === '' ? 0 : Number(match[1])
  if (match[2] === undefined) return {from, to: from, single: true}
  if (match[3] === '') return {from}
  const to = Number(match[3])
  if (to < from) throw usageError(`invalid partition range '${item}' in ${what}: it ends before it starts`, hint)
  return {from, to}
}

export interface ExpandedPartitions {
  partitions: number[]
  /** Partitions named explicitly (not by a range) that the topic does not have. */
  missing: number[]
}

/**
 * The partition numbers a spec selects in a topic with `partitionCount` partitions, sorted and
 * without duplicates. Ranges stop at the last partition (as kafka-get-offsets does); a single
 * partition number past it is reported in `missing`.
 */
export function expandPartitions(spec: {ranges?: PartitionRange[]}, partitionCount: number): ExpandedPartitions {
  if (!spec.ranges) return {partitions: Array.from({length: partitionCount}, (_, i) => i), missing: []}
  const selected = new Set<number>()
  const missing = new Set<number>()
  for (const range of spec.ranges) {
    if (range.single && range.from >= partitionCount) missing.add(range.from)
    const last = Math.min(range.to ?? partitionCount - 1, partitionCount - 1)
    for (let p = range.from; p <= last; p++) selected.add(p)
  }
  const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b)
  return {partitions: sorted(selected), missing: sorted(missing)}
}
