import {usageError} from './errors.js'

// Topic-and-partitions arguments, as kafka-get-offsets and kafka-consumer-groups take them:
//   orders            every partition
//   orders:0          one partition
//   orders:0,2,5      a list (kafka-consumer-groups --topic t:0,1)
//   orders:0-3        a range, lower bound inclusive, upper bound EXCLUSIVE: 0, 1, 2
//                     (kafka-get-offsets --topic-partitions semantics)
//   orders:5-         partition 5 and every one after it
//   orders:-3         every partition before 3: 0, 1, 2
// Kafka topic names never contain ':', so the last ':' separates the name from the partitions.

export interface PartitionRange {
  from: number
  /** Exclusive; undefined for an open end ("5-"). */
  to?: number
  /** Named as one partition ("3"), not as a range: it must exist. */
  single?: boolean
}

export interface TopicPartitionSpec {
  topic: string
  /** undefined: every partition of the topic. */
  ranges?: PartitionRange[]
}

const HINT = 'write TOPIC, TOPIC:P, TOPIC:P,P, TOPIC:FROM-TO (TO excluded), TOPIC:FROM- or TOPIC:-TO (e.g. orders:0-3 is 0, 1, 2)'

export function parseTopicPartitionSpec(text: string): TopicPartitionSpec {
  const colon = text.lastIndexOf(':')
  const topic = colon === -1 ? text : text.slice(0, colon)
  if (topic.trim() === '') throw usageError(`invalid topic '${text}': the topic name is empty`, HINT)
  if (colon === -1) return {topic}
  const list = text.slice(colon + 1)
  if (list.trim() === '') throw usageError(`invalid partitions in '${text}': nothing after ':'`, HINT)
  const ranges = list.split(',').map((item) => parseRange(item.trim(), text))
  return {topic, ranges}
}

function parseRange(item: string, whole: string): PartitionRange {
  const match = /^(\d*)(?:(-)(\d*))?$/.exec(item)
  if (!match || (match[1] === '' && (match[2] === undefined || match[3] === ''))) throw usageError(`invalid partition '${item}' in '${whole}'`, HINT)
  const from = match[1] === '' ? 0 : Number(match[1])
  if (match[2] === undefined) return {from, to: from + 1, single: true}
  if (match[3] === '') return {from}
  const to = Number(match[3])
  if (to <= from) throw usageError(`invalid partition range '${item}' in '${whole}': it selects nothing (the upper bound ${to} is excluded)`, HINT)
  return {from, to}
}

export interface ExpandedPartitions {
  partitions: number[]
  /** Partitions named explicitly (not by an open range) that the topic does not have. */
  missing: number[]
}

/**
 * The partition numbers a spec selects in a topic with `partitionCount` partitions, sorted and
 * without duplicates. Ranges stop at the last partition (as kafka-get-offsets does); a single
 * partition number past it is reported in `missing`.
 */
export function expandPartitions(spec: TopicPartitionSpec, partitionCount: number): ExpandedPartitions {
  if (!spec.ranges) return {partitions: Array.from({length: partitionCount}, (_, i) => i), missing: []}
  const selected = new Set<number>()
  const missing = new Set<number>()
  for (const range of spec.ranges) {
    if (range.single && range.from >= partitionCount) missing.add(range.from)
    const end = Math.min(range.to ?? partitionCount, partitionCount)
    for (let p = range.from; p < end; p++) selected.add(p)
  }
  const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b)
  return {partitions: sorted(selected), missing: sorted(missing)}
}

export function formatTopicPartitionSpec(spec: TopicPartitionSpec): string {
  if (!spec.ranges) return spec.topic
  const items = spec.ranges.map((r) => (r.single ? `${r.from}` : `${r.from}-${r.to ?? ''}`))
  return `${spec.topic}:${items.join(',')}`
}
