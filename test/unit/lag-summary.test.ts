import {Chalk} from 'chalk'
import {describe, expect, it} from 'vitest'

import {watchIntervalAsFlag} from '../../src/commands/lag.js'
import type {GroupDetail, GroupPartitionRow} from '../../src/lib/kafka/groups/groups.js'
import {overThreshold, summarizeLag} from '../../src/lib/kafka/lag.js'
import {lagTopicColumns} from '../../src/lib/output/lag-table.js'
import {etaText, formatEta, formatPerSecond, sparkline} from '../../src/lib/output/lag-text.js'
import {renderPlainRows, renderTerminalTable} from '../../src/lib/output/table.js'

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

describe('the lag table', () => {
  const rows = [
    {group: 'stuck', topic: 't', partitions: 1, totalLag: 50, maxPartitionLag: 50, members: 0, consumptionRate: 0, productionRate: 4, trend: 'rising' as const, catchUpSeconds: null, neverCatchesUp: true},
    {group: 'busy', topic: 't', partitions: 2, totalLag: 700, maxPartitionLag: 400, members: 2, consumptionRate: 120, productionRate: 50, trend: 'falling' as const, catchUpSeconds: 10, neverCatchesUp: false},
  ]

  it('piped: the estimate as plain words and numbers, no arrows, no sparkline unless asked', () => {
    expect(renderPlainRows(rows, lagTopicColumns({estimates: true}))).toBe('stuck\tt\t1\t50\t50\t0\t0\t4\trising\tnever\nbusy\tt\t2\t700\t400\t2\t120\t50\tfalling\t10s\n')
    expect(renderPlainRows(rows, lagTopicColumns({estimates: false}))).toBe('stuck\tt\t1\t50\t50\t0\nbusy\tt\t2\t700\t400\t2\n')
  })

  it('on a terminal: trend arrows and the HISTORY sparkline', () => {
    const text = renderTerminalTable(rows, lagTopicColumns({estimates: true, history: (r) => (r.group === 'busy' ? [900, 800, 700] : [10, 50])}), new Chalk({level: 0}))
    const lines = text.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^GROUP\s+TOPIC\s+PARTITIONS\s+LAG\s+MAX-LAG\s+MEMBERS\s+CONSUMED\/S\s+PRODUCED\/S\s+TREND\s+ETA\s+HISTORY$/)
    expect(lines[1]).toMatch(/^stuck\s+t\s+1\s+50\s+50\s+0\s+0\s+4\s+↑ rising\s+never\s+▂█$/)
    expect(lines[2]).toMatch(/^busy\s+t\s+2\s+700\s+400\s+2\s+120\s+50\s+↓ falling\s+10s\s+█▇▆$/)
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
