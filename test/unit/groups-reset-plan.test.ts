import {describe, expect, it} from 'vitest'

import {KafkitError} from '../../src/lib/errors.js'
import {
  computeResetPlan,
  parseDatetimeTarget,
  parseDurationTarget,
  parseOffset,
  parsePlanFile,
  parseShift,
  type PlanInputs,
  planToCsv,
  type ResetTarget,
} from '../../src/lib/kafka/groups/reset.js'
import {partitionKey} from '../../src/lib/kafka/offsets.js'

// Partition 0: log 10..50, committed 20. Partition 1: log 0..5, committed 5. Partition 2: log 0..8, no commit.
const p0 = {topic: 't', partition: 0}
const p1 = {topic: 't', partition: 1}
const p2 = {topic: 't', partition: 2}

function inputs(extra: Partial<PlanInputs> = {}): PlanInputs {
  return {
    partitions: [p0, p1, p2],
    committed: new Map([
      [partitionKey(p0), 20],
      [partitionKey(p1), 5],
    ]),
    bounds: new Map([
      [partitionKey(p0), {earliest: 10, latest: 50}],
      [partitionKey(p1), {earliest: 0, latest: 5}],
      [partitionKey(p2), {earliest: 0, latest: 8}],
    ]),
    ...extra,
  }
}

const plan = (target: ResetTarget, extra: Partial<PlanInputs> = {}) => computeResetPlan('g', target, inputs(extra))
const offsets = (target: ResetTarget, extra: Partial<PlanInputs> = {}) => plan(target, extra).partitions.map((r) => r.newOffset)
const notes = (target: ResetTarget, extra: Partial<PlanInputs> = {}) => plan(target, extra).partitions.map((r) => r.note ?? '')

describe('computeResetPlan', () => {
  it('--to-earliest and --to-latest take the log bounds', () => {
    expect(offsets({kind: 'earliest'})).toEqual([10, 0, 0])
    expect(offsets({kind: 'latest'})).toEqual([50, 5, 8])
  })

  it('--to-current keeps committed offsets and uses latest where there is none', () => {
    expect(offsets({kind: 'current'})).toEqual([20, 5, 8])
    expect(notes({kind: 'current'})).toEqual(['', '', 'no-committed-offset-latest'])
  })

  it('--to-offset clamps into the log and says so', () => {
    expect(offsets({kind: 'offset', offset: 7})).toEqual([10, 5, 7])
    expect(notes({kind: 'offset', offset: 7})).toEqual(['clamped-to-earliest', 'clamped-to-latest', ''])
    const row = plan({kind: 'offset', offset: 7}).partitions[0]!
    expect(row).toMatchObject({requestedOffset: 7, newOffset: 10, currentOffset: 20, logStartOffset: 10, logEndOffset: 50})
  })

  it('--shift-by moves committed offsets and clamps', () => {
    const only = {partitions: [p0, p1]}
    expect(offsets({kind: 'shift', by: -5}, only)).toEqual([15, 0])
    expect(offsets({kind: 'shift', by: -15}, only)).toEqual([10, 0])
    expect(notes({kind: 'shift', by: -15}, only)).toEqual(['clamped-to-earliest', 'clamped-to-earliest'])
    expect(notes({kind: 'shift', by: -5}, only)).toEqual(['', ''])
    expect(offsets({kind: 'shift', by: 1}, only)).toEqual([21, 5])
    expect(notes({kind: 'shift', by: 1}, only)).toEqual(['', 'clamped-to-latest'])
  })

  it('--shift-by refuses a partition without a committed offset', () => {
    expect(() => plan({kind: 'shift', by: 1})).toThrow(/cannot shift t:2: group 'g' has no committed offset there/)
  })

  it('a time target takes the offset found, or latest when no record is that new', () => {
    const byTime = new Map([
      [partitionKey(p0), {...p0, offset: 30}],
      [partitionKey(p1), {...p1, offset: null}],
      [partitionKey(p2), {...p2, offset: 0}],
    ])
    const target: ResetTarget = {kind: 'time', timestamp: 1, description: 'x'}
    expect(offsets(target, {byTime})).toEqual([30, 5, 0])
    expect(notes(target, {byTime})).toEqual(['', 'no-record-after-time-latest', ''])
  })

  it('a file target clamps each offset', () => {
    const fromFile = new Map([
      [partitionKey(p0), 100],
      [partitionKey(p1), 3],
      [partitionKey(p2), 0],
    ])
    expect(offsets({kind: 'file', entries: [], source: 'f'}, {fromFile})).toEqual([50, 3, 0])
  })

  it('fails clearly when a partition has no known bounds', () => {
    const bounds = new Map([[partitionKey(p0), {earliest: null, latest: null}]])
    expect(() => plan({kind: 'latest'}, {partitions: [p0], bounds})).toThrow(/cannot read the offsets of t:0/)
  })
})

describe('plan files', () => {
  it('reads the Apache single-group CSV', () => {
    expect(parsePlanFile('t,1,5\nt,0,7\n\n', 'g', 'p.csv')).toEqual([
      {topic: 't', partition: 0, offset: 7},
      {topic: 't', partition: 1, offset: 5},
    ])
  })

  it('reads the Apache multi-group CSV, keeping only the group asked for', () => {
    expect(parsePlanFile('g,t,0,7\nother,t,0,99\ng,u,3,1\n', 'g', 'p.csv')).toEqual([
      {topic: 't', partition: 0, offset: 7},
      {topic: 'u', partition: 3, offset: 1},
    ])
    expect(() => parsePlanFile('other,t,0,99\n', 'g', 'p.csv')).toThrow(/no rows for group 'g' \(it has rows for 'other'\)/)
  })

  it('reads kafkit JSON plans (the --json output of reset-offsets)', () => {
    const json = JSON.stringify({group: 'g', target: 'to-latest', executed: false, partitions: [{topic: 't', partition: 2, currentOffset: 1, newOffset: 9}]})
    expect(parsePlanFile(json, 'g', 'p.json')).toEqual([{topic: 't', partition: 2, offset: 9}])
  })

  it('refuses malformed lines, duplicates and empty files with the place', () => {
    expect(() => parsePlanFile('t,0,x\n', 'g', 'p.csv')).toThrow(/p.csv line 1/)
    expect(() => parsePlanFile('t,0\n', 'g', 'p.csv')).toThrow(/p.csv line 1: expected topic,partition,offset/)
    expect(() => parsePlanFile('t,0,1\nt,0,2\n', 'g', 'p.csv')).toThrow(/names t:0 twice/)
    expect(() => parsePlanFile('  \n', 'g', 'p.csv')).toThrow(/is empty/)
    expect(() => parsePlanFile('{"partitions": [{"topic": "t"}]}', 'g', 'p.json')).toThrow(/partitions\[0\] needs/)
  })

  it('round-trips through the exported CSV', () => {
    const computed = computeResetPlan('g', {kind: 'offset', offset: 7}, inputs())
    const csv = planToCsv(computed)
    expect(csv).toBe('t,0,10\nt,1,5\nt,2,7\n')
    expect(parsePlanFile(csv, 'g', 'p.csv')).toEqual(computed.partitions.map(({topic, partition, newOffset}) => ({topic, partition, offset: newOffset})))
  })
})

describe('target parsing', () => {
  const now = Date.UTC(2024, 0, 31, 12, 0, 0)

  it('reads shifts and offsets, refusing anything else', () => {
    expect(parseShift('+5')).toBe(5)
    expect(parseShift('-3')).toBe(-3)
    expect(parseShift('4')).toBe(4)
    expect(() => parseShift('1.5')).toThrow(KafkitError)
    expect(parseOffset('42')).toBe(42)
    expect(() => parseOffset('-1')).toThrow(/invalid --to-offset/)
  })

  it('reads ISO and short durations back from now', () => {
    expect(parseDurationTarget('PT1H', now)).toMatchObject({kind: 'time', timestamp: now - 3_600_000})
    expect(parseDurationTarget('P1DT2H', now)).toMatchObject({timestamp: now - 26 * 3_600_000})
    expect(parseDurationTarget('30m', now)).toMatchObject({timestamp: now - 1_800_000})
    expect(() => parseDurationTarget('soon', now)).toThrow(/invalid --by-duration/)
  })

  it('reads the Apache datetime format in local time, and zoned ISO times exactly', () => {
    expect(parseDatetimeTarget('2024-01-31T10:00:00.000')).toMatchObject({timestamp: new Date(2024, 0, 31, 10, 0, 0, 0).getTime()})
    expect(parseDatetimeTarget('2024-01-31T10:00:00.250Z')).toMatchObject({timestamp: Date.UTC(2024, 0, 31, 10, 0, 0, 250)})
    expect(parseDatetimeTarget('2024-01-31T10:00:00+02:00')).toMatchObject({timestamp: Date.UTC(2024, 0, 31, 8)})
    expect(() => parseDatetimeTarget('31/01/2024')).toThrow(/invalid --to-datetime/)
  })
})
