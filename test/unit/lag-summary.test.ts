import {describe, expect, it} from 'vitest'

import {watchIntervalAsFlag} from '../../src/commands/lag.js'
import type {GroupDetail, GroupPartitionRow} from '../../src/lib/kafka/groups/groups.js'
import {overThreshold, summarizeLag} from '../../src/lib/kafka/lag.js'
import {etaText, formatEta, formatPerSecond, sparkline} from '../../src/lib/output/lag-text.js'

const row = (topic: string, partition: number, current: number | null, end: number, memberId: string | null): GroupPartitionRow => ({
  topic,
  partition,
  currentOffset: current,
  logEndOffset: end,
  lag: current === null ? null : end - current,
  memberId,
  host: memberId ? 'h' : null,
  clientId: memberId ? 'c' : null,
})

const group = (name: string, partitions: GroupPartitionRow[]): GroupDetail => ({
  group: name,
  state: 'Stable',
  type: 'Classic',
  protocolType: 'consumer',
  assignor: 'range',
  coordinator: null,
  members: [],
  partitions,
})

describe('summarizeLag', () => {
  it('sums lag per group and topic, with the largest partition lag and the members', () => {
    const rows = summarizeLag([
      group('b', [row('orders', 0, 5, 15, 'm1'), row('orders', 1, 0, 3, 'm2'), row('orders', 2, null, 7, 'm2'), row('audit', 0, 1, 1, null)]),
      group('a', [row('orders', 0, 15, 15, 'x')]),
    ])
    expect(rows).toEqual([
      {group: 'a', topic: 'orders', partitions: 1, totalLag: 0, maxPartitionLag: 0, uncommitted: 0, members: 1},
      {group: 'b', topic: 'audit', partitions: 1, totalLag: 0, maxPartitionLag: 0, uncommitted: 0, members: 0},
      {group: 'b', topic: 'orders', partitions: 3, totalLag: 13, maxPartitionLag: 10, uncommitted: 1, members: 2},
    ])
  })

  it('flags only rows strictly above --max-lag', () => {
    const rows = summarizeLag([group('g', [row('t', 0, 0, 10, null)]), group('h', [row('t', 0, 0, 11, null)])])
    expect(overThreshold(rows, 10).map((r) => r.group)).toEqual(['h'])
    expect(overThreshold(rows, 11)).toEqual([])
  })
})

describe('formatting', () => {
  it('formats rates and times to catch up', () => {
    expect(formatPerSecond(null)).toBe('-')
    expect(formatPerSecond(-1234.4)).toBe('-1234')
    expect(formatPerSecond(2.25)).toBe('2.3')
    expect(formatPerSecond(-0.01)).toBe('0')
    expect(formatEta(null)).toBe('-')
    expect(formatEta(42)).toBe('42s')
    expect(formatEta(190)).toBe('3m10s')
    expect(formatEta(7500)).toBe('2h05m')
    expect(formatEta(3 * 86_400 + 4 * 3600)).toBe('3d04h')
  })

  it('says caught up without lag, never when falling behind, - before any rate', () => {
    expect(etaText({totalLag: 0, catchUpSeconds: null})).toBe('caught up')
    expect(etaText({totalLag: 5, catchUpSeconds: null, neverCatchesUp: true})).toBe('never')
    expect(etaText({totalLag: 5, catchUpSeconds: null, neverCatchesUp: null})).toBe('-')
    expect(etaText({totalLag: 5, catchUpSeconds: 190, neverCatchesUp: false})).toBe('3m10s')
  })

  it('draws a sparkline scaled from 0 to the largest value', () => {
    expect(sparkline([])).toBe('')
    expect(sparkline([0, 0])).toBe('▁▁')
    expect(sparkline([0, 50, 100])).toBe('▁▅█')
    expect(sparkline([100, 100])).toBe('██')
  })
})

describe('watchIntervalAsFlag', () => {
  it('turns --watch INTERVAL and --watch=INTERVAL into --interval', () => {
    expect(watchIntervalAsFlag(['g', '--watch', '5s'])).toEqual(['g', '--watch', '--interval', '5s'])
    expect(watchIntervalAsFlag(['--watch=500ms', 'g'])).toEqual(['--watch', '--interval', '500ms', 'g'])
    expect(watchIntervalAsFlag(['--watch', '3'])).toEqual(['--watch', '--interval', '3'])
  })

  it('leaves a group name after --watch alone', () => {
    expect(watchIntervalAsFlag(['--watch', 'orders-service'])).toEqual(['--watch', 'orders-service'])
  })
})
