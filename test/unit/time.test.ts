import {describe, expect, it} from 'vitest'

import {parseIsoDuration} from '../../src/lib/duration.js'
import {parseAnyDuration, parseTimestamp} from '../../src/lib/time.js'

const now = Date.UTC(2024, 0, 31, 12, 0, 0)

describe('parseTimestamp', () => {
  it.each([
    ['1700000000000', 1_700_000_000_000],
    ['1700000000', 1_700_000_000_000],
    ['2024-01-31', Date.UTC(2024, 0, 31)],
    ['2024-01-31T10:00:00Z', Date.UTC(2024, 0, 31, 10)],
    ['2024-01-31T10:00:00.250Z', Date.UTC(2024, 0, 31, 10, 0, 0, 250)],
    ['2024-01-31T10:00:00+02:00', Date.UTC(2024, 0, 31, 8)],
    ['2024-01-31T10:00:00-0130', Date.UTC(2024, 0, 31, 11, 30)],
    ['2024-01-31T10:00', Date.UTC(2024, 0, 31, 10)],
    ['2024-01-31 10:00:00', Date.UTC(2024, 0, 31, 10)],
    ['-1h', now - 3_600_000],
    ['30m', now - 1_800_000],
    ['-1d12h', now - 36 * 3_600_000],
    ['P1DT2H', now - 26 * 3_600_000],
    ['PT0.5S', now - 500],
  ])('%s', (text, expected) => expect(parseTimestamp(text, 'time', {now})).toBe(expected))

  it('reads zone-less date-times in the local zone when asked (Apache --to-datetime)', () => {
    expect(parseTimestamp('2024-01-31T10:00:00.000', 'x', {localTime: true})).toBe(new Date(2024, 0, 31, 10).getTime())
  })

  it.each(['yesterday', '2024-13-45', '2024-13-01T10:00:00Z', '2024-01-31T25:00', '12345', '1h junk', 'P', 'PT'])('rejects %j listing the accepted forms', (text) => {
    expect(() => parseTimestamp(text, '--to-datetime', {now})).toThrowError(/invalid --to-datetime/)
  })
})

describe('durations', () => {
  it('ISO and short forms', () => {
    expect(parseIsoDuration('P1W')).toBe(604_800_000)
    expect(parseIsoDuration('PT1H30M')).toBe(5_400_000)
    expect(parseIsoDuration('P1Y')).toBeUndefined()
    expect(parseAnyDuration('-PT10S')).toBe(10_000)
    expect(parseAnyDuration('90s')).toBe(90_000)
    expect(parseAnyDuration('abc')).toBeUndefined()
  })
})
