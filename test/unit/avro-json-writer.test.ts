import {createRequire} from 'node:module'

import {describe, expect, it} from 'vitest'

import {framedOutput} from '../../src/lib/output/format/framed.js'
import {valueLineFormatter} from '../../src/lib/output/format/value-line.js'
import type {ConsumedRecord} from '../../src/lib/records/consumed-record.js'
import {formatJsonlRecord} from '../../src/lib/records/jsonl.js'
import {SERIALIZERS, type Serializer} from '../../src/lib/records/serializers.js'
import {TextOutput} from '../../src/lib/records/text-output.js'
import {avroJsonWriter, avroToJson} from '../../src/lib/registry/avro-json-writer.js'
import {readableLogicalTypes} from '../../src/lib/registry/avro-logical-types.js'

// The JSON text of decoded Avro values, written by the writer generated per schema, must be byte
// for byte what the generic path gives: JSON.stringify after bytes became base64.

const avsc = createRequire(import.meta.url)('avsc') as typeof import('avsc')
const typeOf = (schema: unknown) => avsc.Type.forSchema(schema as never, {logicalTypes: readableLogicalTypes(avsc)})

/** Each value written and read back with `schema`: the writer's text is the generic path's. */
const same = (schema: unknown, ...values: unknown[]) => {
  const type = typeOf(schema)
  const write = avroJsonWriter(type)
  for (const value of values) {
    const bytes = type.toBuffer(value)
    const out = new TextOutput(16)
    write(out, type.fromBuffer(bytes))
    expect(out.buffer.toString('utf8', 0, out.length)).toBe(JSON.stringify(avroToJson(type.fromBuffer(bytes))))
  }
}

const SPECIAL_STRINGS = ['', 'plain', 'quote " and \\ backslash', 'tab\tnew\nline\r\u0000\u001f', 'del \u007f', 'é ü ß', '日本語', 'emoji 😀', '\u2028\u2029', '</script>', 'a'.repeat(300)]

describe('the Avro JSON writer, against JSON.stringify', () => {
  it('primitives at the top: strings of every kind, numbers, booleans, null, bytes', () => {
    same('string', ...SPECIAL_STRINGS)
    same('int', 0, -1, 2147483647, -2147483648)
    same('long', 0, 1700000000000, -4503599627370496, 4503599627370496)
    same('double', 0, -0, 1.5, -13701.37, 0.1 + 0.2, 1e21, 1e-7, 5e-324, Number.NaN, Infinity, -Infinity, 123456789.123456)
    same('float', 0, 1.1, -3.4e38, 1e-7, Number.NaN)
    same('boolean', true, false)
    same('null', null)
    same('bytes', Buffer.alloc(0), Buffer.from([0, 1, 2, 250, 255]))
  })

  it('a record of the benchmark shape', () => {
    const schema = {type: 'record', name: 'Payment', fields: [{name: 'id', type: 'long'}, {name: 'name', type: 'string'}, {name: 'amount', type: 'double'}, {name: 'currency', type: 'string'}, {name: 'createdAt', type: 'long'}]}
    same(schema, ...Array.from({length: 2000}, (_, i) => ({id: i * 7919, name: `customer-${i}`, amount: Math.round(i * 137) / 100, currency: i % 3 ? 'EUR' : 'USD', createdAt: 1700000000000 + i})))
  })

  it('nested records, optional fields, arrays, maps, enums, fixed and bytes', () => {
    const schema = {
      type: 'record',
      name: 'Order',
      namespace: 'shop',
      fields: [
        {name: 'id', type: 'string'},
        {name: 'note', type: ['null', 'string'], default: null},
        {name: 'count', type: ['int', 'null']},
        {name: 'customer', type: {type: 'record', name: 'Customer', fields: [{name: 'name', type: 'string'}, {name: 'vip', type: 'boolean'}, {name: 'empty', type: {type: 'record', name: 'Empty', fields: []}}]}},
        {name: 'lines', type: {type: 'array', items: {type: 'record', name: 'Line', fields: [{name: 'sku', type: 'string'}, {name: 'qty', type: 'int'}, {name: 'price', type: 'double'}]}}},
        {name: 'tags', type: {type: 'map', values: 'string'}},
        {name: 'nested', type: {type: 'map', values: {type: 'array', items: ['null', 'long']}}},
        {name: 'status', type: {type: 'enum', name: 'Status', symbols: ['NEW', 'PAID', 'SHIPPED']}},
        {name: 'hash', type: {type: 'fixed', name: 'Hash', size: 4}},
        {name: 'blob', type: ['null', 'bytes']},
        {name: 'again', type: ['null', 'Customer']},
        {name: 'matrix', type: {type: 'array', items: {type: 'array', items: 'float'}}},
      ],
    }
    const customer = {name: 'Zoë "Z"', vip: true, empty: {}}
    same(
      schema,
      {id: 'o1', note: null, count: 3, customer, lines: [], tags: {}, nested: {}, status: 'NEW', hash: Buffer.from('abcd'), blob: null, again: null, matrix: []},
      {
        id: 'o2\n',
        note: 'fragile 📦',
        count: null,
        customer,
        lines: [{sku: 'a', qty: 1, price: 9.99}, {sku: 'b\\', qty: -2, price: Number.NaN}],
        // Keys that look like array indexes come first in JSON.stringify's order.
        tags: {b: '1', a: '2', 10: 'ten', 2: 'two', 'ü': 'x', '': 'empty'},
        nested: {x: [1, null, 4503599627370496], y: []},
        status: 'SHIPPED',
        hash: Buffer.from([255, 0, 1, 2]),
        blob: Buffer.from('bytes \u0000'),
        again: {name: 'B', vip: false, empty: {}},
        matrix: [[1.5, -0], [], [Infinity]],
      },
    )
  })

  it('unions of several types, wrapped unions and recursive records', () => {
    same(['null', 'string', 'int', {type: 'array', items: 'string'}, {type: 'map', values: 'bytes'}], null, 'text', 42, ['a', 'b'], {k: Buffer.from('v')})
    // Two numeric branches: avsc wraps the union ({"long": 5}).
    same({type: 'record', name: 'W', fields: [{name: 'n', type: ['int', 'long', 'null']}]}, {n: {int: 5}}, {n: {long: 1700000000000}}, {n: null})
    const list = {type: 'record', name: 'Node', fields: [{name: 'value', type: 'int'}, {name: 'next', type: ['null', 'Node']}]}
    same(list, {value: 1, next: {value: 2, next: {value: 3, next: null}}})
  })

  it('logical types: readable timestamps, local timestamps, dates, times and decimals; others (duration) as their underlying type', () => {
    const schema = {
      type: 'record',
      name: 'L',
      fields: [
        {name: 'at', type: {type: 'long', logicalType: 'timestamp-millis'}},
        {name: 'micros', type: ['null', {type: 'long', logicalType: 'timestamp-micros'}]},
        {name: 'day', type: {type: 'int', logicalType: 'date'}},
        {name: 'price', type: {type: 'bytes', logicalType: 'decimal', precision: 9, scale: 2}},
        {name: 'fixedPrice', type: {type: 'fixed', name: 'F', size: 4, logicalType: 'decimal', precision: 9, scale: 3}},
        {name: 'id', type: {type: 'string', logicalType: 'uuid'}},
        {name: 'time', type: {type: 'int', logicalType: 'time-millis'}},
        {name: 'duration', type: {type: 'fixed', name: 'D', size: 12, logicalType: 'duration'}},
        {name: 'local', type: {type: 'long', logicalType: 'local-timestamp-micros'}},
      ],
    }
    same(schema, {at: '2024-05-01T12:30:00.123Z', micros: '2024-05-01T12:30:00.123456Z', day: '2024-05-01', price: '-12.30', fixedPrice: '0.005', id: '0b6a4a59-37a1-4d0c-9f9e-5d2f6c5bb3ad', time: 45_000_000, duration: Buffer.alloc(12, 1), local: '2024-05-01T12:30:00.123456'})
    same(schema, {at: 0, micros: null, day: 0, price: '0', fixedPrice: '-1', id: '', time: 0, duration: Buffer.alloc(12), local: 0})
  })
})

describe('TextOutput', () => {
  const text = (write: (o: TextOutput) => void) => {
    const o = new TextOutput(4)
    write(o)
    return o.buffer.toString('utf8', 0, o.length)
  }

  it('writes numbers as JSON.stringify does, digits or shortest decimals', () => {
    const numbers = [0, -0, 7, -42, 99999999, 100000000, 1700000000000, 2 ** 53 - 1, -(2 ** 53), 2 ** 53 + 2, 1e21, 0.1, 0.3, 13701.37, -0.005, 1e-6, 9.99e-7, 1e15 - 0.5, 123456.789012345, Number.MAX_VALUE, Number.MIN_VALUE, Number.NaN, -Infinity]
    for (let i = 0; i < 5000; i++) numbers.push(Math.round(Math.random() * 1e9) / 10 ** (i % 9), (Math.random() - 0.5) * 10 ** ((i % 40) - 20), new Float32Array([Math.random() * 1000])[0]!)
    for (const n of numbers) expect(text((o) => o.number(n)), String(n)).toBe(JSON.stringify(n))
  })

  it('writes strings as JSON.stringify does, and text as UTF-8', () => {
    for (const s of [...SPECIAL_STRINGS, '\ud800 lone', 'x\udc00']) {
      expect(text((o) => o.string(s))).toBe(JSON.stringify(s))
      expect(text((o) => o.text(s))).toBe(Buffer.from(s, 'utf8').toString('utf8'))
    }
  })
})

describe('decoded values written into the output', () => {
  // A stand-in registry format: the value's bytes are JSON; "bad" does not decode.
  const registryLike: Serializer = {
    ...SERIALIZERS.json!,
    name: 'avro',
    decode: (bytes) => JSON.parse(bytes.toString()) as unknown,
    toText: (bytes) => JSON.stringify(JSON.parse(bytes.toString())),
    writeText: (bytes, out, asPayload, start = 0, end = bytes.length) => {
      out.ascii('{"partly":')
      const value = JSON.parse(bytes.toString('utf8', start, end)) as unknown
      out.text(asPayload && Number.isNaN(value) ? '"null"' : JSON.stringify(value))
    },
    prepare: async () => {},
  }
  const record = (value: string | null): ConsumedRecord => ({topic: 't', partition: 0, offset: 1, value: value === null ? null : Buffer.from(value), headers: []})

  it('the value per line: what does not decode is shown as hex or skipped, with nothing of it left behind', () => {
    const reasons: string[] = []
    const hex = valueLineFormatter({valueFormat: registryLike, nullLiteral: 'NULL', onMismatch: (_f, reason) => (reasons.push(reason), 'fallback')})
    const skip = valueLineFormatter({valueFormat: registryLike, onMismatch: () => 'skip'})
    const out = new TextOutput(8)
    expect(hex.writeTo!(record('1'), out)).toBe(true)
    expect(hex.writeTo!(record('bad'), out)).toBe(true)
    expect(hex.writeTo!(record(null), out)).toBe(true)
    expect(skip.writeTo!(record('bad'), out)).toBe(false)
    expect(out.buffer.toString('utf8', 0, out.length)).toBe(`{"partly":1\n0x${Buffer.from('bad').toString('hex')}\nNULL\n`)
    expect(reasons).toHaveLength(1)
    expect(hex.format(record('bad'))).toBe(`0x${Buffer.from('bad').toString('hex')}\n`)
  })

  it('framed batches: each value written from its place; schemas prepared once per change of ids; a mismatch names its record', async () => {
    const frame = (offset: number, value: string | null) => Buffer.concat([Buffer.from(`t\t1\t${offset}\tCreateTime:5\t-1\t${value === null ? -1 : Buffer.byteLength(value)}\t\n`), Buffer.from(value ?? '')])
    const wire = (id: number, json: string) => `\u0000\u0000\u0000\u0000${String.fromCharCode(id)}${json}`
    // The stand-in's values are JSON after a 5-byte header.
    const headed: Serializer = {...registryLike, writeText: (bytes, out, _p, start = 0, end = bytes.length) => out.text(JSON.stringify(JSON.parse(bytes.toString('utf8', start + 5, end))))}
    const prepared: number[][] = []
    const where: number[] = []
    const formatter = valueLineFormatter({valueFormat: headed, onMismatch: (_f, _r, record) => (where.push(record.offset), 'fallback')})
    const framed = framedOutput(formatter, async (records) => void prepared.push(records.map((r) => r.value?.[4] ?? -1)))
    const batch = Buffer.concat([frame(0, wire(7, '{"a": 1}')), frame(1, wire(7, '[2]')), frame(2, null), frame(3, wire(8, '"x"')), frame(4, wire(8, 'bad'))])
    const out = await framed.unframe(batch)
    expect(out.toString()).toBe(`{"a":1}\n[2]\n\n"x"\n0x${Buffer.from(wire(8, 'bad'), 'latin1').toString('hex')}\n`)
    expect(prepared).toEqual([[7, -1, 8]])
    expect(where).toEqual([4])
  })

  it('jsonl: a value that does not decode is base64, without its schema id or any part of it', () => {
    const line = formatJsonlRecord({topic: 't', partition: 0, offset: 1}, {key: null, value: Buffer.from('bad'), headers: []}, {key: SERIALIZERS.str!, value: registryLike}, () => {})
    expect(JSON.parse(line)).toEqual({topic: 't', partition: 0, offset: 1, key: null, value: {base64: Buffer.from('bad').toString('base64')}, headers: []})
  })
})
