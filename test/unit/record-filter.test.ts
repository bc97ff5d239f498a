import {describe, expect, it} from 'vitest'

import {KafkitError} from '../../src/lib/errors.js'
import type {ConsumedRecord} from '../../src/lib/records/consumed-record.js'
import {recordFilter} from '../../src/lib/records/record-filter.js'

const record = (over: Partial<ConsumedRecord> = {}): ConsumedRecord => ({
  topic: 't',
  partition: 0,
  offset: 0,
  key: Buffer.from('order-17'),
  value: Buffer.from('{"amount":12,"currency":"EUR"}'),
  headers: [{type: Buffer.from('refund')}, {trace: null}],
  ...over,
})

describe('consume --grep / --filter', () => {
  it('--grep matches the key, the value or any header value', () => {
    expect(recordFilter('^order-1')!(record())).toBe(true)
    expect(recordFilter('EUR')!(record())).toBe(true)
    expect(recordFilter('^refund$')!(record())).toBe(true)
    expect(recordFilter('USD')!(record())).toBe(false)
    expect(recordFilter('x')!(record({key: null, value: null, headers: []}))).toBe(false)
  })

  it('--filter names the field; several filters must all match', () => {
    expect(recordFilter(undefined, ['key~^order-\\d+$'])!(record())).toBe(true)
    expect(recordFilter(undefined, ['value~^order'])!(record())).toBe(false)
    expect(recordFilter(undefined, ['header:type~fund'])!(record())).toBe(true)
    expect(recordFilter(undefined, ['header:type~^sale'])!(record())).toBe(false)
    expect(recordFilter(undefined, ['header:trace'])!(record())).toBe(true)
    expect(recordFilter(undefined, ['header:missing'])!(record())).toBe(false)
    expect(recordFilter(undefined, ['key~order', 'value~USD'])!(record())).toBe(false)
    expect(recordFilter('EUR', ['header:type'])!(record())).toBe(true)
  })

  it('matches bytes as UTF-8 text', () => {
    expect(recordFilter('ü')!(record({value: Buffer.from('grüße')}))).toBe(true)
  })

  it('no filter at all is undefined (the native loop stays usable)', () => {
    expect(recordFilter(undefined, [])).toBeUndefined()
  })

  it('bad input is a usage error naming the flag', () => {
    expect(() => recordFilter('(')).toThrowError(KafkitError)
    expect(() => recordFilter('(')).toThrowError(/--grep '\(': not a valid regular expression/)
    expect(() => recordFilter(undefined, ['size~3'])).toThrowError(/unknown field 'size'/)
    expect(() => recordFilter(undefined, ['key'])).toThrowError(/key needs ~REGEX/)
  })
})
