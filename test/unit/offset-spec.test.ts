import {describe, expect, it} from 'vitest'

import {KafkitError} from '../../src/lib/errors.js'
import {parseOffsetSpec, parseRange, rangeFor} from '../../src/lib/offset-spec.js'

const now = Date.UTC(2024, 0, 31, 12, 0, 0)
const spec = (...values: string[]) => parseOffsetSpec(values, {now})
const range = (text: string) => parseRange(text, {now})

describe('offset spec: single starts', () => {
  it.each([
    ['beginning', 'beginning'],
    ['earliest', 'beginning'],
    ['start', 'beginning'],
    ['oldest', 'beginning'],
    ['end', 'end'],
    ['latest', 'end'],
    ['newest', 'end'],
    ['stored', 'stored'],
  ])('%s is %s', (text, kind) => {
    expect(range(text)).toEqual({start: {kind}})
  })

  it('absolute, last N, N after the first offset', () => {
    expect(range('42')).toEqual({start: {kind: 'offset', offset: 42}})
    expect(range('-10')).toEqual({start: {kind: 'fromEnd', count: 10}})
    expect(range('+5')).toEqual({start: {kind: 'fromBeginning', count: 5}})
  })

  it('times: epoch ms, epoch s, date, RFC 3339, durations back from now, kcat s@', () => {
    expect(range('@1700000000000')).toEqual({start: {kind: 'time', ms: 1_700_000_000_000}})
    expect(range('@1700000000')).toEqual({start: {kind: 'time', ms: 1_700_000_000_000}})
    expect(range('@2024-01-31')).toEqual({start: {kind: 'time', ms: Date.UTC(2024, 0, 31)}})
    expect(range('@2024-01-31T10:00:00Z')).toEqual({start: {kind: 'time', ms: Date.UTC(2024, 0, 31, 10)}})
    expect(range('@2024-01-31T10:00:00+02:00')).toEqual({start: {kind: 'time', ms: Date.UTC(2024, 0, 31, 8)}})
    expect(range('@-1h')).toEqual({start: {kind: 'time', ms: now - 3_600_000}})
    expect(range('@30m')).toEqual({start: {kind: 'time', ms: now - 1_800_000}})
    expect(range('s@1700000000000')).toEqual({start: {kind: 'time', ms: 1_700_000_000_000}})
  })
})

describe('offset spec: ranges', () => {
  it('START:END with offsets; END is exclusive and may be end', () => {
    expect(range('100:200')).toEqual({start: {kind: 'offset', offset: 100}, stop: {kind: 'offset', offset: 200}})
    expect(range(':end')).toEqual({start: undefined, stop: {kind: 'end'}})
    expect(range('beginning:end')).toEqual({start: {kind: 'beginning'}, stop: {kind: 'end'}})
    expect(range('-5:end')).toEqual({start: {kind: 'fromEnd', count: 5}, stop: {kind: 'end'}})
    expect(range('100:')).toEqual({start: {kind: 'offset', offset: 100}})
    expect(range(':300')).toEqual({start: undefined, stop: {kind: 'offset', offset: 300}})
  })

  it('time ranges, including RFC 3339 times that contain colons', () => {
    expect(range('@2024-01-01:@2024-01-02')).toEqual({start: {kind: 'time', ms: Date.UTC(2024, 0, 1)}, stop: {kind: 'time', ms: Date.UTC(2024, 0, 2)}})
    expect(range('@2024-01-31T10:00:00Z:2024-01-31T11:30:00Z')).toEqual({
      start: {kind: 'time', ms: Date.UTC(2024, 0, 31, 10)},
      stop: {kind: 'time', ms: Date.UTC(2024, 0, 31, 11, 30)},
    })
    expect(range('@:@2024-01-02')).toEqual({start: undefined, stop: {kind: 'time', ms: Date.UTC(2024, 0, 2)}})
    expect(range('@:2024-01-02')).toEqual({start: undefined, stop: {kind: 'time', ms: Date.UTC(2024, 0, 2)}})
  })

  it('an end given as a duration after a start time counts from the start (rpk)', () => {
    expect(range('@2024-01-31:1h')).toEqual({start: {kind: 'time', ms: Date.UTC(2024, 0, 31)}, stop: {kind: 'time', ms: Date.UTC(2024, 0, 31, 1)}})
    // With a sign it is back from now, like the start.
    expect(range('@-2h:-1h')).toEqual({start: {kind: 'time', ms: now - 7_200_000}, stop: {kind: 'time', ms: now - 3_600_000}})
  })

  it('kcat e@ stops at a time; several -o values combine', () => {
    const s = spec('s@1700000000000', 'e@1700000060000')
    expect(s.all).toEqual({start: {kind: 'time', ms: 1_700_000_000_000}, stop: {kind: 'time', ms: 1_700_000_060_000}})
  })

  it('an end before the start is refused', () => {
    expect(() => range('200:100')).toThrow(/end 100 is before the start 200/)
    expect(() => range('@2024-01-02:@2024-01-01')).toThrow(/end time is before the start time/)
  })
})

describe('offset spec: per partition and Spark JSON', () => {
  it('P=RANGE overrides, mixed with a default', () => {
    const s = spec('end,0=100,1=-5:end')
    expect(rangeFor(s, 't', 0)).toEqual({start: {kind: 'offset', offset: 100}, stop: undefined})
    expect(rangeFor(s, 't', 1)).toEqual({start: {kind: 'fromEnd', count: 5}, stop: {kind: 'end'}})
    expect(rangeFor(s, 't', 2)).toEqual({start: {kind: 'end'}, stop: undefined})
  })

  it('Spark JSON: -2 earliest, -1 latest, N, or any range as a string', () => {
    const s = spec('{"orders":{"0":100,"1":-2,"2":-1,"3":"@2024-01-31"}}')
    expect(rangeFor(s, 'orders', 0).start).toEqual({kind: 'offset', offset: 100})
    expect(rangeFor(s, 'orders', 1).start).toEqual({kind: 'beginning'})
    expect(rangeFor(s, 'orders', 2).start).toEqual({kind: 'end'})
    expect(rangeFor(s, 'orders', 3).start).toEqual({kind: 'time', ms: Date.UTC(2024, 0, 31)})
    expect(rangeFor(s, 'other', 0).start).toBeUndefined()
  })

  it('bad Spark JSON says what is wrong', () => {
    expect(() => spec('{"orders":{"x":1}}')).toThrow(/'x' is not a partition number/)
    expect(() => spec('{"orders":{"0":-7}}')).toThrow(/-7 is not an offset/)
    expect(() => spec('{"orders":')).toThrow(/not JSON/)
  })
})

describe('offset spec: errors', () => {
  it.each(['bogus', '1.5', '--3', '@yesterday', '@2024-13-45', '100:abc', '', 'x=1'])('%j is refused with the accepted forms', (text) => {
    let error: unknown
    try {
      spec(text)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(KafkitError)
    expect((error as KafkitError).kind).toBe('usage')
    expect((error as KafkitError).message).toContain('invalid offset')
    expect((error as KafkitError).hint).toContain('beginning | earliest')
    expect((error as KafkitError).hint).toContain('@TIME')
  })
})
