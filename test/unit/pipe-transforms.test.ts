import {isUtf8} from 'node:buffer'

import {describe, expect, it} from 'vitest'

import {KafkitError} from '../../src/lib/errors.js'
import {PIPE_FRAME_FIXED} from '../../src/lib/native/contracts.js'
import {decodeRecord, encodeRecord, keyOf, readFrames, valueOf, type PipeRecord, type SourceRecord} from '../../src/lib/records/pipe-codec.js'
import {SERIALIZERS} from '../../src/lib/records/serializers.js'
import {expressionSteps, expressionTransform} from '../../src/lib/transform/expressions.js'
import {chainTransforms, completeReturn} from '../../src/lib/transform/record-transform.js'

// The pure parts of `kafkit pipe`: what transforms return, the --map/--filter chain, and the
// conversions between consumed bytes and the records transforms see.

const record = (value: unknown, extra: Partial<PipeRecord> = {}): PipeRecord => ({topic: 't', partition: 1, offset: 7, timestamp: 1_700_000_000_000, key: 'k', value: value as PipeRecord['value'], headers: [], ...extra})
const json = {key: SERIALIZERS.str!, value: SERIALIZERS.json!}

describe('transform results', () => {
  it('completes partial records from the input, fans out lists, drops null', () => {
    const input = record({c: 1}, {headers: [{key: 'h', value: 'v'}]})
    expect(completeReturn(input, {value: 2})).toEqual({records: [{...input, value: 2}]})
    expect(completeReturn(input, [{value: 1}, {key: null}])).toEqual({records: [{...input, value: 1}, {...input, key: null}]})
    expect(completeReturn(input, null)).toEqual({records: []})
    expect(completeReturn(input, undefined)).toEqual({records: []})
    expect(completeReturn(input, 42)).toHaveProperty('error')
    expect(completeReturn(input, [[input]])).toHaveProperty('error')
  })
})

describe('--map and --filter', () => {
  it('keeps the order typed across the two flags, in both spellings', () => {
    expect(expressionSteps(['t', 'u', '--filter', 'r.value > 1', '-g', 'g', '--map=r', '--map', '({...r})', '--', '--map', 'x'])).toEqual([
      {kind: 'filter', source: 'r.value > 1'},
      {kind: 'map', source: 'r'},
      {kind: 'map', source: '({...r})'},
    ])
  })

  it('runs maps and filters in order, per input record', async () => {
    const transform = expressionTransform([
      {kind: 'map', source: '[{...r, value: r.value * 10}, {...r, value: r.value * 10 + 1}]'},
      {kind: 'filter', source: 'r.value % 2 === 0'},
      {kind: 'map', source: 'r.value === 20 ? null : r'},
    ])
    const outcomes = await transform.apply([record(1), record(2), record(3)])
    expect(outcomes.map((o) => ('records' in o ? o.records.map((r) => r.value) : o.error))).toEqual([[10], [], [30]])
  })

  it('turns a throw into that record\'s error and leaves the others alone', async () => {
    const outcomes = await expressionTransform([{kind: 'map', source: '({...r, value: r.value.x.y})'}]).apply([record({x: {y: 1}}), record({})])
    expect(outcomes[0]).toEqual({records: [record(1)]})
    expect((outcomes[1] as {error: string}).error).toMatch(/^--map '.*' threw: TypeError: Cannot read properties of undefined/)
  })

  it('refuses an expression that is not JavaScript when it is compiled', () => {
    expect(() => expressionTransform([{kind: 'filter', source: 'r.value >'}])).toThrow(KafkitError)
  })

  it('chains transforms: each output record of one feeds the next, folded back per input', async () => {
    const double = expressionTransform([{kind: 'map', source: '[r, r]'}])
    const failOnTwo = expressionTransform([{kind: 'map', source: 'r.value === 2 ? undefined.x : r'}])
    const outcomes = await chainTransforms([double, failOnTwo]).apply([record(1), record(2), record(3)])
    expect(outcomes.map((o) => ('records' in o ? o.records.length : 'error'))).toEqual([2, 'error', 2])
  })
})

/** A native record frame (native/src/kafkit_frame.h), with the UTF-8 flags C would set unless `utf8` says otherwise. */
function frame(index: number, partition: number, offset: number, timestamp: number, key: Buffer | null, value: Buffer | null, headers: Array<[string, Buffer | null]>, utf8?: number): Buffer {
  const parts = headers.map(([name, v]) => {
    const head = Buffer.alloc(8)
    head.writeInt32LE(Buffer.byteLength(name), 0)
    head.writeInt32LE(v === null ? -1 : v.length, 4)
    return Buffer.concat([head, Buffer.from(name), v ?? Buffer.alloc(0)])
  })
  const headerBlock = Buffer.concat(parts)
  const fixed = Buffer.alloc(PIPE_FRAME_FIXED)
  fixed.writeInt32LE(index, 0)
  fixed.writeInt32LE(partition, 4)
  fixed.writeDoubleLE(offset, 8)
  fixed.writeDoubleLE(timestamp, 16)
  fixed.writeInt32LE(key === null ? -1 : key.length, 24)
  fixed.writeInt32LE(value === null ? -1 : value.length, 28)
  fixed.writeInt32LE(headers.length, 32)
  fixed.writeInt32LE(headerBlock.length, 36)
  fixed.writeInt32LE(utf8 ?? ((key && isUtf8(key) ? 1 : 0) | (value && isUtf8(value) ? 2 : 0)), 40)
  return Buffer.concat([fixed, key ?? Buffer.alloc(0), value ?? Buffer.alloc(0), headerBlock])
}

const source = (key: Buffer | null, value: Buffer | null, headers: Array<[string, Buffer | null]> = [], utf8?: number): SourceRecord =>
  readFrames(frame(0, 0, 3, 5, key, value, headers, utf8), () => 't')[0]!

describe('pipe codec', () => {
  it('decodes with the chosen formats and encodes back to the same bytes (JSON as text written in place)', () => {
    for (const utf8 of [undefined, 0]) {
      const decoded = decodeRecord(source(Buffer.from('k'), Buffer.from('{"a":[1,2]}'), [['h', Buffer.from('v')]], utf8), json)
      expect(decoded).toEqual({record: {topic: 't', partition: 0, offset: 3, timestamp: 5, key: 'k', value: {a: [1, 2]}, headers: [{key: 'h', value: 'v'}]}})
      const encoded = encodeRecord((decoded as {record: PipeRecord}).record, json, true)
      expect(encoded).toEqual({record: {key: 'k', value: '{"a":[1,2]}', headers: [['h', Buffer.from('v')]], partition: 0, timestamp: 5}})
    }
  })

  it('reports a value that does not fit the format instead of passing something else on', () => {
    for (const value of [Buffer.from('not json'), Buffer.from([0x7b, 0xff, 0x7d])]) {
      const decoded = decodeRecord(source(null, value), json)
      expect((decoded as {error: string}).error).toMatch(/the value does not fit --value-format json/)
    }
    expect(decodeRecord(source(null, Buffer.from('-0')), json)).toMatchObject({record: {value: '-0'}})
    expect(encodeRecord(record({a: 1}), {key: SERIALIZERS.str!, value: SERIALIZERS.int!}, false)).toHaveProperty('error')
  })

  it('keeps nulls and bytes that are not text', () => {
    const str = {key: SERIALIZERS.str!, value: SERIALIZERS.str!}
    const decoded = decodeRecord(source(null, Buffer.from([0xff, 0x00])), str)
    expect(decoded).toMatchObject({record: {key: null, value: {base64: '/wA='}}})
    const encoded = encodeRecord((decoded as {record: PipeRecord}).record, str, false)
    expect(encoded).toMatchObject({record: {key: null, value: Buffer.from([0xff, 0x00]), partition: -1}})
    expect(decodeRecord(source(Buffer.alloc(0), Buffer.from('\ufeffbom')), str)).toMatchObject({record: {key: '', value: '\ufeffbom'}})
  })

  it('reads the native record frames: null and empty keys, values and header values kept apart, timestamps, header order', () => {
    const data = Buffer.concat([
      frame(0, 2, 41, 1_700_000_000_000, Buffer.from('k'), Buffer.alloc(0), [['a', Buffer.from('1')], ['e', Buffer.alloc(0)], ['n', null], ['a', Buffer.from('2')]]),
      frame(1, 0, 7, -1, Buffer.alloc(0), null, []),
    ])
    const records = readFrames(data, (i) => ['src', 'other'][i]!)
    expect(records.map((r) => ({...r, data: undefined, key: keyOf(r), value: valueOf(r)}))).toEqual([
      expect.objectContaining({index: 0, topic: 'src', partition: 2, offset: 41, timestamp: 1_700_000_000_000, key: Buffer.from('k'), value: Buffer.alloc(0), headers: [['a', Buffer.from('1')], ['e', Buffer.alloc(0)], ['n', null], ['a', Buffer.from('2')]]}),
      expect.objectContaining({index: 1, topic: 'other', partition: 0, offset: 7, timestamp: undefined, key: Buffer.alloc(0), value: null, headers: []}),
    ])
    expect(() => readFrames(data.subarray(0, data.length - 1), () => 't')).toThrow(/cut short/)
  })
})
