import {describe, expect, it} from 'vitest'

import {formatJsonlRecord, parseJsonlRecord, toPayload} from '../../src/lib/records/jsonl.js'
import {SerializationError, serializerFor, SERIALIZERS} from '../../src/lib/records/serializers.js'

const s = (name: string) => serializerFor(name)

describe('serializers are byte-compatible with the Java / confluent-kafka / QuixStreams ones', () => {
  // Expected bytes are what java.nio.ByteBuffer (big-endian) and Python struct.pack('>i'/'>q'/'>d') give.
  it.each([
    ['int', '1', '00000001'],
    ['int', '-1', 'ffffffff'],
    ['int', '2147483647', '7fffffff'],
    ['int', '-2147483648', '80000000'],
    ['long', '1', '0000000000000001'],
    ['long', '-2', 'fffffffffffffffe'],
    ['long', '9223372036854775807', '7fffffffffffffff'],
    ['double', '1.5', '3ff8000000000000'],
    ['double', '-0.1', 'bfb999999999999a'],
    ['double', '1e300', '7e37e43c8800759c'],
    ['str', 'héllo', '68c3a96c6c6f'],
    ['json', '{"a": [1, 2.50]}', Buffer.from('{"a": [1, 2.50]}').toString('hex')],
    ['base64', 'AP8=', '00ff'],
    ['base64', '_-8', 'ffef'],
    ['hex', '0x00 ff 10', '00ff10'],
  ])('%s %j -> %s', (format, text, hex) => {
    const bytes = s(format).encode(text)
    expect(bytes.toString('hex')).toBe(hex)
  })

  it('decodes back what it encodes', () => {
    expect(s('int').decode(Buffer.from('80000000', 'hex'))).toBe(-2147483648)
    expect(s('long').decode(Buffer.from('7fffffffffffffff', 'hex'))).toBe(9223372036854775807n)
    expect(s('double').decode(Buffer.from('3ff8000000000000', 'hex'))).toBe(1.5)
    expect(s('json').decode(Buffer.from('{"a":1}'))).toEqual({a: 1})
    expect(s('hex').toText(Buffer.from([0, 255]))).toBe('00ff')
  })

  it.each([
    ['int', '2147483648', /outside the 32-bit/],
    ['int', '12abc', /not an integer/],
    ['int', '', /not an integer/],
    ['long', '9223372036854775808', /outside the 64-bit/],
    ['double', 'abc', /not a number/],
    ['json', '{bad', /not a valid json value/],
    ['base64', 'a', /not base64/],
    ['hex', 'abc', /even number of hex digits/],
  ])('%s rejects %j with a clear reason', (format, text, reason) => {
    expect(() => s(format).encode(text)).toThrowError(SerializationError)
    expect(() => s(format).encode(text)).toThrowError(reason)
  })

  it('refuses bytes that do not fit on decode', () => {
    expect(() => s('int').decode(Buffer.from([1, 2, 3]))).toThrowError(/expected 4 bytes, got 3/)
    expect(() => s('str').decode(Buffer.from([0xff, 0xfe]))).toThrowError(/not UTF-8/)
  })

  it('knows aliases and names the choices for an unknown format', () => {
    expect(serializerFor('string').name).toBe('str')
    expect(() => serializerFor('avro')).toThrowError(/unknown --value-format 'avro'/)
  })
})

describe('jsonl record format', () => {
  const formats = {key: SERIALIZERS.str!, value: SERIALIZERS.str!}

  it('round-trips keys, values, null vs empty, binary and header order with duplicates', () => {
    const record = {
      key: Buffer.from([0xff, 0x00, 0x80]),
      value: Buffer.from(''),
      headers: [['h', Buffer.from('1')], ['h', null], ['x', Buffer.from([0xc3])]] as Array<[string, Buffer | null]>,
    }
    const line = formatJsonlRecord({topic: 't', partition: 2, offset: 7, timestamp: 1_700_000_000_000}, record, formats)
    const doc = JSON.parse(line)
    expect(doc).toMatchObject({topic: 't', partition: 2, offset: 7, timestampIso: '2023-11-14T22:13:20.000Z', key: {base64: '/wCA'}, value: ''})
    expect(doc.headers).toEqual([{key: 'h', value: '1'}, {key: 'h', value: null}, {key: 'x', value: {base64: 'ww=='}}])
    const back = parseJsonlRecord(line, 1, formats)
    expect(back.key).toEqual(record.key)
    expect(back.value).toEqual(Buffer.alloc(0))
    expect(back.headers).toEqual(record.headers)
    const tombstone = parseJsonlRecord('{"key":"k","value":null}', 1, formats)
    expect(tombstone.value).toBeNull()
  })

  it('keeps a leading byte order mark: it is data, not decoration', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf, 0x61])
    const line = formatJsonlRecord({topic: 't', partition: 0, offset: 0}, {key: null, value: bom, headers: []}, formats)
    expect(parseJsonlRecord(line, 1, formats).value).toEqual(bom)
  })

  it('embeds JSON values with --value-format json so jq can reach into them', () => {
    const line = formatJsonlRecord({topic: 't', partition: 0, offset: 0}, {key: null, value: Buffer.from('{"a":{"b":2}}'), headers: []}, {key: SERIALIZERS.str!, value: SERIALIZERS.json!})
    expect(JSON.parse(line).value).toEqual({a: {b: 2}})
  })

  it('falls back to base64 and reports when bytes do not fit the format', () => {
    const reasons: string[] = []
    expect(toPayload(Buffer.from([1, 2]), SERIALIZERS.int!, (r) => reasons.push(r))).toEqual({base64: 'AQI='})
    expect(reasons[0]).toMatch(/expected 4 bytes/)
  })

  it('names the line number for input that is not a record', () => {
    expect(() => parseJsonlRecord('not json', 12, formats)).toThrowError(/^line 12: not JSON/)
    expect(() => parseJsonlRecord('[1]', 3, formats)).toThrowError(/^line 3: a record must be a JSON object/)
    expect(() => parseJsonlRecord('{"value":{"a":1}}', 4, formats)).toThrowError(/^line 4: value is a JSON object/)
    expect(() => parseJsonlRecord('{"value":"x","partition":-1}', 5, formats)).toThrowError(/^line 5: partition/)
  })
})

describe('double: every IEEE-754 value survives printing and a jsonl copy', () => {
  // Text as Java's DoubleDeserializer prints -0.0; the others as JavaScript prints them.
  it.each([
    ['-0.0', '8000000000000000'],
    ['0', '0000000000000000'],
    ['NaN', '7ff8000000000000'],
    ['Infinity', '7ff0000000000000'],
    ['-Infinity', 'fff0000000000000'],
    ['5e-324', '0000000000000001'],
    ['2.225073858507201e-308', '000fffffffffffff'],
    ['-5e-324', '8000000000000001'],
  ])('%s <-> %s', (text, hex) => {
    const bytes = Buffer.from(hex, 'hex')
    expect(s('double').toText(bytes)).toBe(text)
    expect(s('double').encode(text).toString('hex')).toBe(hex)
  })

  it('reads the other spellings of negative zero and the infinities', () => {
    for (const text of ['-0', '-0.0', '-0e5', '-.0']) expect(s('double').encode(text).toString('hex')).toBe('8000000000000000')
    expect(s('double').encode('-inf').toString('hex')).toBe('fff0000000000000')
    expect(s('double').encode('+inf').toString('hex')).toBe('7ff0000000000000')
  })

  it.each(['8000000000000000', '7ff8000000000000', '7ff0000000000000', 'fff0000000000000', '0000000000000001', '3ff8000000000000'])(
    'jsonl round trip keeps %s byte for byte',
    (hex) => {
      const formats = {key: SERIALIZERS.str!, value: SERIALIZERS.double!}
      const line = formatJsonlRecord({topic: 't', partition: 0, offset: 0}, {key: null, value: Buffer.from(hex, 'hex'), headers: []}, formats)
      expect(parseJsonlRecord(line, 1, formats).value!.toString('hex')).toBe(hex)
    },
  )

  it('a hand-written JSON -0 is negative zero', () => {
    const formats = {key: SERIALIZERS.str!, value: SERIALIZERS.double!}
    expect(parseJsonlRecord('{"key":null,"value":-0}', 1, formats).value!.toString('hex')).toBe('8000000000000000')
  })
})
