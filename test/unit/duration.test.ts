import {describe, expect, it} from 'vitest'

import {formatDuration, isDuration, parseDuration, parseShortDuration} from '../../src/lib/duration.js'

describe('parseDuration', () => {
  it.each([
    ['10', 10_000], ['1.5', 1500], ['500ms', 500], ['10s', 10_000], ['2m', 120_000], ['1h', 3_600_000], ['1m30s', 90_000], ['1d', 86_400_000], ['1w', 604_800_000], ['PT1M30S', 90_000], ['P1D', 86_400_000],
  ])('%s = %i ms', (text, ms) => expect(parseDuration(text)).toBe(ms))

  it.each(['', 'abc', '10x', '-5s', '5s junk'])('rejects %j', (text) => expect(() => parseDuration(text, '--timeout')).toThrowError(/invalid --timeout/))

  it('every duration form reads the same unit table', () => {
    // The flag parser, the relative-time parser (-o -1w) and lag's --watch INTERVAL agree.
    for (const text of ['1w', '2d12h', '1.5s', '250ms', 'PT30M']) {
      expect(parseDuration(text)).toBeGreaterThan(0)
      expect(isDuration(text)).toBe(true)
    }
    expect(parseShortDuration('1w2d')).toBe(9 * 86_400_000)
    expect(isDuration('5x')).toBe(false)
    expect(isDuration('topic-name')).toBe(false)
  })

  it('formats durations compactly', () => {
    expect(formatDuration(250)).toBe('250ms')
    expect(formatDuration(2000)).toBe('2s')
    expect(formatDuration(90_000)).toBe('1m30s')
  })
})
