import {createRequire} from 'node:module'

import {describe, expect, it} from 'vitest'

import {compileRecordFormat} from '../../src/lib/output/format/format-string.js'
import {unframeRecords} from '../../src/lib/output/format/framed.js'
import {formatJsonlRecord} from '../../src/lib/records/jsonl.js'
import {SERIALIZERS, wireSchemaId, type Serializer} from '../../src/lib/records/serializers.js'
import {readableLogicalTypes} from '../../src/lib/registry/avro-logical-types.js'

// The pure parts of the Schema Registry formats: the wire header's schema id, the %i / %I
// tokens, jsonl's schema ids, the native loop's framed records, Avro logical types as JSON.

const wire = (id: number, body: string) => Buffer.concat([Buffer.from([0]), Buffer.from([id >>> 24, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff]), Buffer.from(body)])

describe('the wire header', () => {
  it('reads the id after a zero byte; anything else has none', () => {
    expect(wireSchemaId(wire(7, 'x'))).toBe(7)
    expect(wireSchemaId(wire(0x01020304, ''))).toBe(0x01020304)
    expect(wireSchemaId(Buffer.from([0, 0, 0, 1]))).toBeUndefined()
    expect(wireSchemaId(Buffer.from('{"a":1}'))).toBeUndefined()
    expect(wireSchemaId(null)).toBeUndefined()
  })

  it('-f %i and %I print the key and value schema ids, -1 without; they keep the format off the native loop', () => {
    const format = compileRecordFormat('%i %I\\n')
    expect(format.format({topic: 't', partition: 0, offset: 1, key: wire(3, 'k'), value: wire(9, 'v')})).toBe('3 9\n')
    expect(format.format({topic: 't', partition: 0, offset: 1, key: null, value: Buffer.from('plain')})).toBe('-1 -1\n')
    expect(format.nativeProgram).toBeUndefined()
  })
})

describe('jsonl schema ids', () => {
  // A stand-in registry format: the body after the header is JSON.
  const registryLike: Serializer = {
    ...SERIALIZERS.json!,
    name: 'avro',
    decode: (bytes) => {
      if (wireSchemaId(bytes) === undefined) throw new Error('not in the wire format')
      return JSON.parse(bytes.subarray(5).toString()) as unknown
    },
    prepare: async () => {},
  }
  const line = (value: Buffer | null) =>
    JSON.parse(formatJsonlRecord({topic: 't', partition: 0, offset: 5, timestamp: 1000}, {key: null, value, headers: [['h', null]]}, {key: SERIALIZERS.str!, value: registryLike}, () => {})) as Record<string, unknown>

  it('a decoded value carries its schema id; a raw one and a tombstone do not', () => {
    expect(line(wire(12, '{"a":1}'))).toEqual({
      topic: 't',
      partition: 0,
      offset: 5,
      timestamp: 1000,
      timestampIso: '1970-01-01T00:00:01.000Z',
      timestampType: 'create',
      key: null,
      value: {a: 1},
      valueSchemaId: 12,
      headers: [{key: 'h', value: null}],
    })
    expect(line(Buffer.from('plain'))).not.toHaveProperty('valueSchemaId')
    expect(line(Buffer.from('plain')).value).toEqual({base64: Buffer.from('plain').toString('base64')})
    expect(line(null)).toMatchObject({value: null})
    expect(line(null)).not.toHaveProperty('valueSchemaId')
  })
})

describe('records framed by the native loop', () => {
  it('cuts a batch into records: fields, null and empty keys and values, headers with null and binary values', () => {
    const frame = (fields: string, key: string, value: string) => Buffer.concat([Buffer.from(`${fields}\n`, 'latin1'), Buffer.from(key), Buffer.from(value)])
    const data = Buffer.concat([
      frame('orders\t2\t41\tCreateTime:1700000000000\t2\t5\th1\u0000YQ==\u0001h2\u0000\u0002\u0001h3\u0000', 'k1', 'hello'),
      frame('orders\t0\t7\tLogAppendTime:5\t-1\t-1\t', '', ''),
      frame('other\t1\t0\tNO_TIMESTAMP\t0\t3\t', '', 'a\nb'),
    ])
    const records = unframeRecords(data)
    expect(records).toEqual([
      {topic: 'orders', partition: 2, offset: 41, timestamp: 1700000000000, timestampType: 'create', key: Buffer.from('k1'), value: Buffer.from('hello'), headers: [{h1: Buffer.from('a')}, {h2: null}, {h3: Buffer.alloc(0)}]},
      {topic: 'orders', partition: 0, offset: 7, timestamp: 5, timestampType: 'log-append', key: null, value: null, headers: []},
      {topic: 'other', partition: 1, offset: 0, timestampType: 'none', key: Buffer.alloc(0), value: Buffer.from('a\nb'), headers: []},
    ])
  })
})

describe('Avro logical types as JSON', () => {
  const avsc = createRequire(import.meta.url)('avsc') as typeof import('avsc')
  const type = avsc.Type.forSchema(
    {
      type: 'record',
      name: 'L',
      fields: [
        {name: 'at', type: {type: 'long', logicalType: 'timestamp-millis'}},
        {name: 'micros', type: {type: 'long', logicalType: 'timestamp-micros'}},
        {name: 'day', type: {type: 'int', logicalType: 'date'}},
        {name: 'price', type: {type: 'bytes', logicalType: 'decimal', precision: 9, scale: 2}},
        {name: 'fixedPrice', type: {type: 'fixed', name: 'F', size: 4, logicalType: 'decimal', precision: 9, scale: 3}},
        {name: 'local', type: {type: 'long', logicalType: 'local-timestamp-millis'}},
        {name: 'localMicros', type: {type: 'long', logicalType: 'local-timestamp-micros'}},
        {name: 'clock', type: {type: 'int', logicalType: 'time-millis'}},
        {name: 'clockMicros', type: {type: 'long', logicalType: 'time-micros'}},
      ],
    } as never,
    {logicalTypes: readableLogicalTypes(avsc)},
  )

  it('round trips readable values and reads the underlying forms on input', () => {
    const times = {local: '2024-05-01T12:30:00.123', localMicros: '2024-05-01T12:30:00.123456', clock: '23:59:59.999', clockMicros: '00:00:01.000002'}
    const value = {at: '2024-05-01T12:30:00.123Z', micros: '2024-05-01T12:30:00.123456Z', day: '2024-05-01', price: '-12.30', fixedPrice: '0.005', ...times}
    expect({...type.fromBuffer(type.toBuffer(value))}).toEqual(value)
    const underlying = {at: 0, micros: 1, day: 1, price: '7', fixedPrice: -1, local: 1, localMicros: 1, clock: 3_723_004, clockMicros: 1}
    expect({...type.fromBuffer(type.toBuffer(underlying))}).toEqual({
      at: '1970-01-01T00:00:00.000Z', micros: '1970-01-01T00:00:00.000001Z', day: '1970-01-02', price: '7.00', fixedPrice: '-1.000',
      local: '1970-01-01T00:00:00.001', localMicros: '1970-01-01T00:00:00.000001', clock: '01:02:03.004', clockMicros: '00:00:00.000001',
    })
    // Shorter times of day are read too: HH:MM and HH:MM:SS.
    expect({...type.fromBuffer(type.toBuffer({...value, clock: '07:05', clockMicros: '07:05:09'}))}).toMatchObject({clock: '07:05:00.000', clockMicros: '07:05:09.000000'})
  })

  it('refuses what does not fit: a bad timestamp, more decimals than the scale', () => {
    const fine = {at: 0, micros: 0, day: 0, price: '1', fixedPrice: '1', local: 0, localMicros: 0, clock: 0, clockMicros: 0}
    expect(type.isValid(fine)).toBe(true)
    expect(type.isValid({...fine, at: 'yesterday'})).toBe(false)
    expect(type.isValid({...fine, price: '1.234'})).toBe(false)
    expect(type.isValid({...fine, clock: '24:00'})).toBe(false)
    expect(type.isValid({...fine, clockMicros: 'noon'})).toBe(false)
  })
})
