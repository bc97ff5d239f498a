import {describe, expect, it} from 'vitest'

import {KafkitError} from '../../src/lib/errors.js'
import {compileRecordFormat} from '../../src/lib/output/format/format-string.js'
import {jsonlFormatter} from '../../src/lib/output/format/jsonl.js'
import {terminalFormatter} from '../../src/lib/output/format/terminal.js'
import type {ConsumedRecord} from '../../src/lib/records/consumed-record.js'
import type {MismatchAction} from '../../src/lib/records/record-formatter.js'
import {serializerFor} from '../../src/lib/records/serializers.js'

const record = (over: Partial<ConsumedRecord> = {}): ConsumedRecord => ({
  topic: 'orders',
  partition: 2,
  offset: 41,
  timestamp: Date.UTC(2024, 0, 31, 10, 0, 0, 5),
  key: Buffer.from('k1'),
  value: Buffer.from('v1'),
  headers: [{h1: Buffer.from('a')}, {h1: Buffer.from('b')}, {h2: Buffer.from('')}],
  ...over,
})

/** The bytes a formatter writes for one record. */
const bytes = (format: string, r: ConsumedRecord, options = {}) => {
  const f = compileRecordFormat(format, options)
  return Buffer.from(f.format(r)!, f.encoding)
}
const text = (format: string, r: ConsumedRecord, options = {}) => bytes(format, r, options).toString('utf8')

describe('format strings (kcat tokens)', () => {
  it('all tokens', () => {
    expect(text('%t %p %o %k %s %v %K %S %T %h\n', record())).toBe(`orders 2 41 k1 v1 v1 2 2 ${Date.UTC(2024, 0, 31, 10, 0, 0, 5)} h1=a,h1=b,h2=\n`)
  })

  it('null key and value: empty and -1 lengths, or a literal', () => {
    const r = record({key: null, value: null, headers: []})
    expect(text('[%k][%s][%K][%S][%h]', r)).toBe('[][][-1][-1][]')
    expect(text('[%k][%s]', r, {nullLiteral: 'NULL'})).toBe('[NULL][NULL]')
  })

  it('escapes \\n \\t \\r \\0 \\\\ \\xNN and a literal %%', () => {
    expect(bytes('%s\\t\\r\\0\\\\\\x41%%\\n', record())).toEqual(Buffer.from('v1\t\r\0\\A%\n', 'latin1'))
  })

  it('\\xHH is one byte, as in produce separators; a trailing backslash stands for itself', () => {
    expect(bytes('\\xff%s\\x1e', record())).toEqual(Buffer.from([0xff, 0x76, 0x31, 0x1e]))
    expect(bytes('%s\\', record())).toEqual(Buffer.from('v1\\'))
    expect(bytes('\\%%s', record())).toEqual(Buffer.from('\\%s'))
  })

  it('raw bytes pass through unchanged, including invalid UTF-8; literal text is UTF-8', () => {
    const value = Buffer.from([0xff, 0x00, 0xc3, 0x28, 0x0a])
    expect(bytes('é%s', record({value}))).toEqual(Buffer.concat([Buffer.from('é'), value]))
  })

  it('modifiers: base64, hex, a decoder, %T{iso} and %T{s}', () => {
    const value = Buffer.from([0, 0, 1, 0])
    expect(text('%v{base64} %v{hex} %v{int} %k{hex}', record({value}))).toBe('AAABAA== 00000100 256 6b31')
    expect(text('%T{iso} %T{s}', record())).toBe('2024-01-31T10:00:00.005Z 1706695200')
    expect(text('%T{iso}|%T', record({timestamp: -1}))).toBe('|-1')
  })

  it('%T{type} prints the timestamp as Apache\'s print.timestamp does, and asks for the type', () => {
    const ms = Date.UTC(2024, 0, 31, 10, 0, 0, 5)
    expect(text('%T{type}', record({timestampType: 'create'}))).toBe(`CreateTime:${ms}`)
    expect(text('%T{type}', record({timestampType: 'log-append'}))).toBe(`LogAppendTime:${ms}`)
    expect(text('%T{type}', record({timestamp: -1}))).toBe('NO_TIMESTAMP')
    expect(compileRecordFormat('%T{type}').needsTimestampType).toBe(true)
    expect(compileRecordFormat('%T').needsTimestampType).toBe(false)
  })

  it('%R writes the value length as 4 bytes big-endian', () => {
    expect(bytes('%R%s', record({value: Buffer.from('abc')}))).toEqual(Buffer.from([0, 0, 0, 3, 0x61, 0x62, 0x63]))
  })

  it('bytes that do not fit a decoder: the handler decides between hex and skipping', () => {
    const seen: string[] = []
    const handler = (action: MismatchAction) => (field: string, reason: string) => {
      seen.push(`${field}: ${reason}`)
      return action
    }
    const bad = record({value: Buffer.from([1, 2, 3])})
    expect(text('%s', bad, {valueFormat: serializerFor('int'), onMismatch: handler('fallback')})).toBe('0x010203')
    expect(seen[0]).toMatch(/^value: not a valid int value: expected 4 bytes, got 3/)
    expect(compileRecordFormat('%s', {valueFormat: serializerFor('int'), onMismatch: handler('skip')}).format(bad)).toBeUndefined()
  })

  it('Apache-style headers: key:value, NO_HEADERS', () => {
    const options = {headerKeySeparator: ':', noHeadersLiteral: 'NO_HEADERS', nullLiteral: 'null'}
    expect(text('%h', record({headers: [{a: Buffer.from('1')}, {b: null}]}), options)).toBe('a:1,b:null')
    expect(text('%h', record({headers: []}), options)).toBe('NO_HEADERS')
  })

  it.each([
    ['%q', /unknown token %q/],
    ['abc%', /lone %/],
    ['%s{base64', /unclosed/],
    ['%s{nope}', /%s\{nope\} is not a format/],
    ['%T{weird}', /not a timestamp form/],
    ['\\xZ1', /unknown escape '\\xZ1'/],
    ['%s\\q', /unknown escape '\\q'/],
  ])('%j is refused', (format, message) => {
    expect(() => compileRecordFormat(format)).toThrow(message)
    expect(() => compileRecordFormat(format)).toThrow(KafkitError)
  })

  it('a native program exists for raw, base64 and hex fields but not for decoders', () => {
    expect(compileRecordFormat('%t %p %o %k %s{base64} %h{hex} %T{iso}\n').nativeProgram).toBeDefined()
    expect(compileRecordFormat('%s{int}\n').nativeProgram).toBeUndefined()
    expect(compileRecordFormat('%s\n', {valueFormat: serializerFor('json')}).nativeProgram).toBeUndefined()
  })
})

describe('jsonl formatter', () => {
  it('the shared record format, binary safe, headers in order with duplicates', () => {
    const f = jsonlFormatter({})
    const line = f.format(record({key: null, value: Buffer.from([0xff, 0xfe]), headers: [{h: Buffer.from('1')}, {h: null}]}))!
    expect(line.endsWith('\n')).toBe(true)
    expect(JSON.parse(line)).toEqual({
      topic: 'orders',
      partition: 2,
      offset: 41,
      timestamp: Date.UTC(2024, 0, 31, 10, 0, 0, 5),
      timestampIso: '2024-01-31T10:00:00.005Z',
      timestampType: 'create',
      key: null,
      value: {base64: '//4='},
      headers: [
        {key: 'h', value: '1'},
        {key: 'h', value: null},
      ],
    })
  })

  it('with --value-format json the value is embedded as JSON', () => {
    const line = jsonlFormatter({value: serializerFor('json')}).format(record({value: Buffer.from('{"id":7}')}))!
    expect(JSON.parse(line).value).toEqual({id: 7})
  })
})

describe('terminal view', () => {
  const plain = {dim: (s: string) => s, cyan: (s: string) => s, yellow: (s: string) => s}
  it('partition:offset time, key, value, headers; control characters escaped', () => {
    const out = terminalFormatter(plain).format(record({value: Buffer.from('a\u001b[31mb')}))
    expect(out).toBe('2:41 2024-01-31T10:00:00.005Z k1 a\\x1b[31mb h1=a h1=b h2=""\n')
  })

  it('a tab or newline in a value stays on the record\'s one line, escaped', () => {
    const out = terminalFormatter(plain).format(record({key: null, headers: [], value: Buffer.from('a\tb\nc\r')}))
    expect(out).toBe('2:41 2024-01-31T10:00:00.005Z a\\tb\\nc\\r\n')
  })

  it('an empty value or key is shown as "", a null value as (null)', () => {
    expect(terminalFormatter(plain).format(record({key: Buffer.from('k'), headers: [], value: Buffer.alloc(0)}))).toBe('2:41 2024-01-31T10:00:00.005Z k ""\n')
    expect(terminalFormatter(plain).format(record({key: Buffer.alloc(0), headers: [], value: null}))).toBe('2:41 2024-01-31T10:00:00.005Z "" (null)\n')
  })

  it('bytes that are not text are shown as hex', () => {
    expect(terminalFormatter(plain).format(record({key: null, headers: [], value: Buffer.from([0xff])}))).toBe('2:41 2024-01-31T10:00:00.005Z 0xff\n')
  })
})
