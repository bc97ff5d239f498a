import {describe, expect, it} from 'vitest'

import {groupDigits} from '../../src/lib/output/numbers.js'

describe('groupDigits', () => {
  it('groups thousands the way en-US does', () => {
    for (const n of [0, 7, 999, 1000, 12345, 999999, 1000000, 1234567890, -1234, 1e15]) {
      expect(groupDigits(n)).toBe(new Intl.NumberFormat('en-US').format(n))
    }
  })

  it('rounds fractions to whole numbers', () => {
    expect(groupDigits(1234.6)).toBe('1,235')
  })
})
