import {describe, expect, it} from 'vitest'

import {KafkitError} from '../../src/lib/errors.js'
import {parseLogPosition} from '../../src/lib/kafka/offsets.js'
import {expandPartitions, parsePartitionList, parseTopicPartitionSpec} from '../../src/lib/partition-spec.js'

describe('parseTopicPartitionSpec', () => {
  it('reads a bare topic as every partition', () => {
    expect(parseTopicPartitionSpec('orders')).toEqual({topic: 'orders'})
  })

  it('reads single partitions, lists, ranges (both ends included) and open ranges', () => {
    expect(parseTopicPartitionSpec('orders:3')).toEqual({topic: 'orders', ranges: [{from: 3, to: 3, single: true}]})
    expect(parseTopicPartitionSpec('orders:0,2')).toEqual({topic: 'orders', ranges: [{from: 0, to: 0, single: true}, {from: 2, to: 2, single: true}]})
    expect(parseTopicPartitionSpec('orders:0-3')).toEqual({topic: 'orders', ranges: [{from: 0, to: 3}]})
    expect(parseTopicPartitionSpec('orders:2-2')).toEqual({topic: 'orders', ranges: [{from: 2, to: 2}]})
    expect(parseTopicPartitionSpec('orders:5-')).toEqual({topic: 'orders', ranges: [{from: 5}]})
    expect(parseTopicPartitionSpec('orders:-3')).toEqual({topic: 'orders', ranges: [{from: 0, to: 3}]})
    expect(parseTopicPartitionSpec('a.b_c-d:1,4-6,9-')).toEqual({topic: 'a.b_c-d', ranges: [{from: 1, to: 1, single: true}, {from: 4, to: 6}, {from: 9}]})
  })

  it.each(['orders:', ':1', 'orders:x', 'orders:3-1', 'orders:-', 'orders:1,,2', 'orders:1.5'])('refuses %s as a usage error', (text) => {
    const error = (() => {
      try {
        parseTopicPartitionSpec(text)
      } catch (error_) {
        return error_
      }
    })()
    expect(error).toBeInstanceOf(KafkitError)
    expect((error as KafkitError).exitCode).toBe(2)
  })
})

describe('parsePartitionList (consume -p): the same syntax and meaning', () => {
  it('0-3 is 0, 1, 2 and 3, as in TOPIC:0-3', () => {
    expect(parsePartitionList('0-3', '--partition')).toEqual(parseTopicPartitionSpec('t:0-3').ranges)
    expect(expandPartitions({ranges: parsePartitionList('0-3', '--partition')}, 8).partitions).toEqual([0, 1, 2, 3])
    expect(expandPartitions({ranges: parsePartitionList('5,1-2', '--partition')}, 8).partitions).toEqual([1, 2, 5])
  })

  it('names the flag in errors', () => {
    expect(() => parsePartitionList('1-x', "--partition '1-x'")).toThrow(/invalid partition '1-x' in --partition '1-x'/)
    expect(() => parsePartitionList('', '--partition')).toThrow(/empty/)
  })
})

describe('expandPartitions', () => {
  it('selects every partition without ranges', () => {
    expect(expandPartitions({}, 4)).toEqual({partitions: [0, 1, 2, 3], missing: []})
  })

  it('selects ranges with their upper bound, and stops them at the last partition', () => {
    expect(expandPartitions(parseTopicPartitionSpec('t:1-3'), 5)).toEqual({partitions: [1, 2, 3], missing: []})
    expect(expandPartitions(parseTopicPartitionSpec('t:-2'), 5)).toEqual({partitions: [0, 1, 2], missing: []})
    expect(expandPartitions(parseTopicPartitionSpec('t:2-'), 5)).toEqual({partitions: [2, 3, 4], missing: []})
    expect(expandPartitions(parseTopicPartitionSpec('t:3-9'), 5)).toEqual({partitions: [3, 4], missing: []})
    expect(expandPartitions(parseTopicPartitionSpec('t:7-'), 5)).toEqual({partitions: [], missing: []})
  })

  it('reports single partitions the topic lacks, and removes duplicates', () => {
    expect(expandPartitions(parseTopicPartitionSpec('t:1,1,0-2,4,6,7'), 5)).toEqual({partitions: [0, 1, 2, 4], missing: [6, 7]})
  })
})

describe('parseLogPosition', () => {
  const now = Date.UTC(2024, 0, 31, 12, 0, 0)

  it('reads the named positions and the Apache numbers', () => {
    expect(parseLogPosition('earliest')).toEqual({kind: 'earliest'})
    expect(parseLogPosition('-2')).toEqual({kind: 'earliest'})
    expect(parseLogPosition('latest')).toEqual({kind: 'latest'})
    expect(parseLogPosition('-1')).toEqual({kind: 'latest'})
    expect(parseLogPosition('max-timestamp')).toEqual({kind: 'max-timestamp'})
    expect(parseLogPosition('-3')).toEqual({kind: 'max-timestamp'})
  })

  it('reads epoch ms, ISO times and durations back from now', () => {
    expect(parseLogPosition('1700000000000')).toEqual({kind: 'timestamp', timestamp: 1_700_000_000_000})
    expect(parseLogPosition('2024-01-31T10:00:00Z')).toEqual({kind: 'timestamp', timestamp: Date.UTC(2024, 0, 31, 10)})
    expect(parseLogPosition('-1h', now)).toEqual({kind: 'timestamp', timestamp: now - 3_600_000})
    expect(parseLogPosition('PT30M', now)).toEqual({kind: 'timestamp', timestamp: now - 1_800_000})
  })

  it('refuses anything else with a usage error', () => {
    expect(() => parseLogPosition('yesterday')).toThrow(/invalid --time 'yesterday'/)
  })
})
