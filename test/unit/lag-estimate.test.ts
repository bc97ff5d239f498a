import {describe, expect, it} from 'vitest'

import {estimateCatchUp, historyCells, LagWatchHistory, missesCatchUp, offsetRate, type OffsetRead, ratesOver, rowKey, trendOf, worstFirst} from '../../src/lib/lag-estimate.js'

// The estimate's arithmetic: rates between reads, the trend, the catch-up time, "never", the
// worst-first order, and the window and history --watch keeps.

/** One read of group g on topic t: [committed, logEnd] per partition. */
const read = (at: number, partitions: Array<[number | null, number | null]>, group = 'g', topic = 't'): OffsetRead => ({
  at,
  groups: [{group, partitions: partitions.map(([currentOffset, logEndOffset], partition) => ({topic, partition, currentOffset, logEndOffset}))}],
})

const key = rowKey({group: 'g', topic: 't'})

describe('ratesOver', () => {
  it('sums committed and log-end offsets moved per second over the partitions', () => {
    // 5 s: committed +300 and +200, log end +100 and +50.
    const rates = ratesOver([read(0, [[0, 1000], [0, 500]]), read(5000, [[300, 1100], [200, 550]])])
    expect(rates.get(key)).toEqual({consumptionRate: 100, productionRate: 30, windowSeconds: 5})
  })

  it('leaves out partitions without a committed or log-end offset in either read', () => {
    const rates = ratesOver([read(0, [[0, 100], [null, 100], [0, null]]), read(2000, [[20, 140], [50, 200], [10, 120]])])
    expect(rates.get(key)).toEqual({consumptionRate: 10, productionRate: 20, windowSeconds: 2})
  })

  it('has no rates for reads at the same instant, or for a row only the second read has', () => {
    expect(ratesOver([read(1000, [[0, 1]]), read(1000, [[1, 1]])]).size).toBe(0)
    expect(ratesOver([read(0, [[0, 1]], 'other'), read(1000, [[1, 1]])]).get(key)).toBeUndefined()
    expect(ratesOver([read(0, [[0, 1]])]).size).toBe(0)
  })
})

describe('offsetRate', () => {
  /** An offset read every 500 ms for `ms`, at `offsetAt(t)`. */
  const series = (ms: number, offsetAt: (t: number) => number) => Array.from({length: ms / 500 + 1}, (_, i) => ({at: i * 500, offset: offsetAt(i * 500)}))

  it('times the steps of a consumer that commits every 5 s, whatever the window cuts', () => {
    // 100/s committed in steps of 500 at 1 s and 6 s; 7 s of reads. From the ends: 1000 / 7 s.
    expect(offsetRate(series(7000, (t) => (t >= 6000 ? 1000 : t >= 1000 ? 500 : 0)))).toBe(100)
  })

  it('is the average from the first read to the last when the offset changed at fewer than two reads', () => {
    expect(offsetRate(series(5000, (t) => (t >= 2000 ? 500 : 0)))).toBe(100)
    expect(offsetRate(series(5000, () => 7))).toBe(0)
  })

  it('measures a steady stream over the reads that saw it move', () => {
    expect(offsetRate(series(5000, (t) => t / 10))).toBeCloseTo(100, 9)
  })

  it('counts the quiet time of a series that stopped for more than twice its longest gap', () => {
    // 100/s for 2 s, then nothing for 3 s: 150 moved from the first change (0.5 s) to the last read (5 s).
    expect(offsetRate(series(5000, (t) => Math.min(t, 2000) / 10))).toBeCloseTo(150 / 4.5, 9)
    // Steps seen 4.5 s apart (at 0.5 s and 5 s), quiet for 5 s since: still the steps' pace, 500 / 4.5 s.
    expect(offsetRate(series(10_000, (t) => (t >= 5000 ? 1000 : t >= 500 ? 500 : 0)))).toBeCloseTo(500 / 4.5, 9)
  })
})

describe('estimateCatchUp', () => {
  it('divides the lag by how much faster the group consumes than the topic grows', () => {
    expect(estimateCatchUp(1400, {consumptionRate: 100, productionRate: 30, windowSeconds: 5})).toEqual({
      consumptionRate: 100,
      productionRate: 30,
      lagRate: -70,
      trend: 'falling',
      catchUpSeconds: 20,
      neverCatchesUp: false,
      rateWindowSeconds: 5,
    })
  })

  it('never catches up when consumption is not above production and there is lag', () => {
    expect(estimateCatchUp(10, {consumptionRate: 30, productionRate: 30, windowSeconds: 1})).toMatchObject({catchUpSeconds: null, neverCatchesUp: true, trend: 'steady'})
    expect(estimateCatchUp(10, {consumptionRate: 0, productionRate: 0, windowSeconds: 1})).toMatchObject({catchUpSeconds: null, neverCatchesUp: true, lagRate: 0})
    expect(estimateCatchUp(10, {consumptionRate: 5, productionRate: 50, windowSeconds: 1})).toMatchObject({neverCatchesUp: true, trend: 'rising', lagRate: 45})
  })

  it('is 0 without lag, and all null without rates', () => {
    expect(estimateCatchUp(0, {consumptionRate: 0, productionRate: 9, windowSeconds: 1})).toMatchObject({catchUpSeconds: 0, neverCatchesUp: false})
    expect(Object.values(estimateCatchUp(10, undefined)).every((v) => v === null)).toBe(true)
  })

  it('misses a deadline when it never catches up or takes longer; an unknown estimate does not', () => {
    expect(missesCatchUp({catchUpSeconds: 61, neverCatchesUp: false}, 60)).toBe(true)
    expect(missesCatchUp({catchUpSeconds: 60, neverCatchesUp: false}, 60)).toBe(false)
    expect(missesCatchUp({catchUpSeconds: null, neverCatchesUp: true}, 60)).toBe(true)
    expect(missesCatchUp({catchUpSeconds: null, neverCatchesUp: null}, 60)).toBe(false)
  })
})

describe('trendOf', () => {
  it('is steady within 5% of the larger rate, else falling or rising', () => {
    expect(trendOf(100, 96)).toBe('steady')
    expect(trendOf(100, 94)).toBe('falling')
    expect(trendOf(94, 100)).toBe('rising')
    expect(trendOf(0, 0)).toBe('steady')
    expect(trendOf(0, 0.1)).toBe('rising')
  })
})

describe('worstFirst', () => {
  it('orders never, then the longest ETA, then lag without an estimate, then no lag; ties by lag, then name', () => {
    const rows = [
      {group: 'done', topic: 't', totalLag: 0, catchUpSeconds: 0, neverCatchesUp: false},
      {group: 'quick', topic: 't', totalLag: 900, catchUpSeconds: 10, neverCatchesUp: false},
      {group: 'unknown', topic: 't', totalLag: 5, catchUpSeconds: null, neverCatchesUp: null},
      {group: 'slow', topic: 't', totalLag: 10, catchUpSeconds: 600, neverCatchesUp: false},
      {group: 'stuck-small', topic: 't', totalLag: 3, catchUpSeconds: null, neverCatchesUp: true},
      {group: 'stuck-big', topic: 't', totalLag: 300, catchUpSeconds: null, neverCatchesUp: true},
      {group: 'b', topic: 't', totalLag: 0},
      {group: 'a', topic: 't', totalLag: 0},
    ]
    expect(rows.sort(worstFirst).map((r) => r.group)).toEqual(['stuck-big', 'stuck-small', 'slow', 'quick', 'unknown', 'a', 'b', 'done'])
  })
})

describe('LagWatchHistory', () => {
  const row = (lag: number) => [{group: 'g', topic: 't', totalLag: lag}]

  it('has no rates on the first read, then rates from the first read until one is a window old', () => {
    const history = new LagWatchHistory(1000, 10_000)
    expect(history.add(read(0, [[0, 1000]]), row(1000)).rates.size).toBe(0)
    expect(history.add(read(2000, [[200, 1000]]), row(800)).rates.get(key)).toMatchObject({consumptionRate: 100, productionRate: 0, windowSeconds: 2})
    history.add(read(10_000, [[1000, 1000]]), row(0))
    // At 14 s the newest read at least 10 s old is the one at 2 s: (1400 - 200) / 12 s.
    expect(history.add(read(14_000, [[1400, 1400]]), row(0)).rates.get(key)).toMatchObject({consumptionRate: 100, productionRate: 400 / 12, windowSeconds: 12})
  })

  it('keeps each row\'s lag, one value per cell of time', () => {
    const history = new LagWatchHistory(2000)
    let cells: number[] | undefined
    for (let i = 0; i < 8; i++) cells = history.add(read(i * 2000, [[0, i]]), row(i)).history.get(key)
    // Reads at 0..14 s in cells of 6 s: the last of 0-4 s, of 6-10 s and of 12-14 s.
    expect(cells).toEqual([2, 5, 7])
  })

  it('keeps at most 20 cells', () => {
    expect(historyCells(Array.from({length: 30}, (_, i) => ({at: i * 1000, lag: i})), 1000)).toEqual(Array.from({length: 20}, (_, i) => i + 10))
  })
})
