import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, inject, it} from 'vitest'

import {createTopics} from './admin-client.js'
import {closedAddress, runKafkit, stripAnsi, uniqueName} from './cli.js'

// consume and produce with the Schema Registry formats (avro, protobuf, json-schema, registry)
// against the suite's real registry: round trips of keys and values, tombstones, records that
// are not in the wire format or name an unknown schema id, values that do not fit the schema,
// and an unreachable registry. (Python's serdes: registry-interop.test.ts.)

const bootstrap = inject('bootstrap')
const registry = inject('schemaRegistryUrl')
const dir = mkdtempSync(join(tmpdir(), 'kafkit-registry-formats-'))
const file = (name: string, text: string) => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

const orderAvsc = file(
  'order.avsc',
  JSON.stringify({
    type: 'record',
    name: 'Order',
    namespace: 'test.formats',
    fields: [
      {name: 'id', type: 'long'},
      {name: 'name', type: 'string'},
      {name: 'amount', type: 'double'},
      {name: 'note', type: ['null', 'string'], default: null},
      {name: 'raw', type: 'bytes', default: ''},
    ],
  }),
)
const keyAvsc = file('key.avsc', JSON.stringify({type: 'record', name: 'OrderKey', namespace: 'test.formats', fields: [{name: 'shop', type: 'string'}]}))
const orderJsonSchema = file(
  'order.json',
  JSON.stringify({$schema: 'http://json-schema.org/draft-07/schema#', title: 'Order', type: 'object', properties: {id: {type: 'integer'}, name: {type: 'string'}}, required: ['id', 'name']}),
)

const produce = (topic: string, args: string[], input: string) => runKafkit(['produce', topic, '-b', bootstrap, '-r', registry, ...args], {input})
const consume = (topic: string, args: string[], options: Parameters<typeof runKafkit>[1] = {}) => runKafkit(['consume', topic, '-b', bootstrap, '-e', '-r', registry, ...args], options)
const jsonl = (stdout: string) => stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>)

describe('avro', () => {
  it('keys and values round trip through produce --input jsonl and consume --output jsonl; tombstones stay null; the copy is byte for byte', async () => {
    const topic = uniqueName('reg-avro')
    const copy = `${topic}-copy`
    await createTopics(bootstrap, [topic, copy])
    const records = [
      {key: {shop: 'oslo'}, value: {id: 1, name: 'pen', amount: 1.5, note: null, raw: 'AAEC'}},
      {key: {shop: 'rome'}, value: {id: 2, name: 'ink', amount: -2, note: 'blue', raw: ''}},
      {key: {shop: 'oslo'}, value: null},
    ]
    const headers = [{key: 'trace', value: 'abc'}, {key: 'none', value: null}, {key: 'bin', value: {base64: '/wA='}}, {key: 'ünï', value: ''}]
    const input = records.map((r, i) => JSON.stringify({...r, headers: i === 0 ? headers : []})).join('\n') + '\n'
    const produced = await produce(topic, ['--input', 'jsonl', '--key-format', 'avro', '--key-schema-file', keyAvsc, '--value-format', 'avro', '--value-schema-file', orderAvsc], input)
    expect(produced.stderr).toContain('delivered 3')
    expect(produced.exitCode).toBe(0)

    const read = await consume(topic, ['--key-format', 'avro', '--value-format', 'avro', '--output', 'jsonl'])
    expect(read.exitCode).toBe(0)
    expect(read.stderr).toBe('')
    const lines = jsonl(read.stdout)
    expect(lines.map((l) => ({key: l.key, value: l.value}))).toEqual(records)
    expect(lines.map((l) => l.headers)).toEqual([headers, [], []])
    expect(lines[1]).toMatchObject({partition: 0, offset: 1, timestampType: 'create'})
    // The JS read loop (group mode, filters, --json; here forced) gives the same lines as the native one.
    const jsLoop = await consume(topic, ['--key-format', 'avro', '--value-format', 'avro', '--output', 'jsonl'], {env: {KAFKIT_NATIVE_CONSUME: '0'}})
    // (The client library the JS loop reads with hands null header values over as empty ones.)
    const withoutHeaders = (text: string) => jsonl(text).map(({headers: _headers, ...rest}) => rest)
    expect(withoutHeaders(jsLoop.stdout)).toEqual(withoutHeaders(read.stdout))
    const valueId = lines[0]!.valueSchemaId as number
    expect(valueId).toBeGreaterThan(0)
    expect(lines[0]!.keySchemaId).not.toBe(valueId)
    expect(lines[2]).not.toHaveProperty('valueSchemaId')
    // The tombstone is stored as null, with no wire header.
    const stored = (await runKafkit(['consume', topic, '-b', bootstrap, '-e', '-f', '%S %s{hex}\\n'])).stdout.trimEnd().split('\n')
    expect(stored.map((line) => line.slice(0, line.indexOf(' ') + 11))).toEqual([
      `23 00${valueId.toString(16).padStart(8, '0')}`,
      `25 00${valueId.toString(16).padStart(8, '0')}`,
      '-1',
    ])

    // consume | produce into another topic keeps every record byte for byte, with no new schema.
    const copied = await produce(copy, ['--input', 'jsonl', '--key-format', 'avro', '--value-format', 'avro'], read.stdout)
    expect(copied.exitCode).toBe(0)
    const hex = async (t: string) => (await runKafkit(['consume', t, '-b', bootstrap, '-e', '-f', '%k{hex} %s{hex}\\n'])).stdout
    expect(await hex(copy)).toBe(await hex(topic))

    // -f shows the ids (%i key, %I value) and the values as JSON.
    const formatted = await consume(topic, ['--key-format', 'avro', '--value-format', 'avro', '-f', '%i %I %s\\n', '-c', '1'])
    expect(formatted.stdout).toBe(`${lines[0]!.keySchemaId} ${valueId} ${JSON.stringify(records[0]!.value)}\n`)
  }, 60_000)

  it('a line that does not fit the schema names its line and field; --on-error skip goes on, with a dead letter', async () => {
    const topic = uniqueName('reg-avro-bad')
    await createTopics(bootstrap, [topic])
    const deadLetter = join(dir, `${topic}.jsonl`)
    const input = '{"id": 1, "name": "pen", "amount": 1}\n{"id": 2, "name": "ink", "amount": "cheap"}\n{"id": 3, "name": "cap", "amount": 3}\n'
    const failed = await produce(topic, ['--value-format', 'avro', '--value-schema-file', orderAvsc], input)
    expect(failed.exitCode).toBe(2)
    expect(failed.stderr).toContain('line 2: value: does not fit Avro schema id')
    expect(failed.stderr).toContain('field amount: expected "double", got "cheap"')
    expect(failed.stderr).not.toMatch(/\n\s+at /)

    const skipped = await produce(topic, ['--value-format', 'avro', '--value-schema-file', orderAvsc, '--on-error', 'skip', '--dead-letter', deadLetter], input)
    expect(skipped.stderr).toContain('delivered 2')
    expect(readFileSync(deadLetter, 'utf8')).toContain('cheap')
    const read = await consume(topic, ['--value-format', 'avro', '-f', '%s\\n'])
    expect(read.stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as {id: number}).id)).toEqual([1, 1, 3])
  }, 60_000)

  it('records not in the wire format or with an unknown schema id are shown raw and marked, and the read goes on; --on-error fail stops', async () => {
    const topic = uniqueName('reg-avro-mixed')
    await createTopics(bootstrap, [topic])
    expect((await produce(topic, ['--value-format', 'avro', '--value-schema-file', orderAvsc], '{"id": 1, "name": "a", "amount": 1}\n')).exitCode).toBe(0)
    await runKafkit(['produce', topic, '-b', bootstrap], {input: 'plain text\n'})
    // Magic byte 0 and schema id 2147483000, which the registry does not know.
    await runKafkit(['produce', topic, '-b', bootstrap, '--value-format', 'hex'], {input: '007fffFD78020304\n'})
    expect((await produce(topic, ['--value-format', 'avro', '--value-schema-file', orderAvsc], '{"id": 4, "name": "d", "amount": 4}\n')).exitCode).toBe(0)

    const lines = await consume(topic, ['--value-format', 'avro', '--output', 'jsonl'])
    expect(lines.exitCode).toBe(0)
    const values = jsonl(lines.stdout).map((l) => l.value)
    expect(values).toEqual([
      {id: 1, name: 'a', amount: 1, note: null, raw: ''},
      {base64: Buffer.from('plain text').toString('base64')},
      {base64: Buffer.from('007fffFD78020304', 'hex').toString('base64')},
      {id: 4, name: 'd', amount: 4, note: null, raw: ''},
    ])
    expect(lines.stderr).toContain('offset 1: value: not in the Schema Registry wire format (magic byte 0x70, expected 0x00) (written as base64)')
    expect(lines.stderr).toContain('offset 2: value: schema id 2147483000 is unknown to the registry')

    // Piped text: raw records as hex; on a terminal the same marks, values as JSON.
    const text = await consume(topic, ['--value-format', 'registry'])
    expect(text.stdout.split('\n').slice(1, 3)).toEqual([`0x${Buffer.from('plain text').toString('hex')}`, '0x007ffffd78020304'])
    const terminal = await consume(topic, ['--value-format', 'avro'], {tty: true})
    expect(stripAnsi(terminal.stdout)).toMatch(/0:0 \S+ \{"id":1,"name":"a","amount":1,"note":null,"raw":""\}/)
    expect(stripAnsi(terminal.stdout)).toContain('0x706c61696e2074657874')

    const failing = await consume(topic, ['--value-format', 'avro', '--on-error', 'fail'])
    expect(failing.exitCode).toBe(2)
    expect(failing.stderr).toContain('offset 1: value: not in the Schema Registry wire format')
  }, 60_000)
})

describe('json-schema and registry', () => {
  it('json-schema round trips; --value-schema-subject uses what is registered; registry reads any type; a mismatch names the field', async () => {
    const topic = uniqueName('reg-json')
    await createTopics(bootstrap, [topic])
    const produced = await produce(topic, ['--value-format', 'json-schema', '--value-schema-file', orderJsonSchema, '-K', '\\t'], 'k1\t{"id": 1, "name": "pen"}\nk2\t{"id": 2, "name": "ink", "extra": [1]}\n')
    expect(produced.exitCode).toBe(0)
    const again = await produce(topic, ['--value-format', 'json-schema', '--value-schema-subject', `${topic}-value`, '--no-auto-register'], '{"id": 3, "name": "cap"}\n{"id": "four"}\n')
    expect(again.exitCode).toBe(2)
    expect(again.stderr).toMatch(/line 2: value: does not fit JSON Schema id \d+: .*(name|id)/)

    const read = await consume(topic, ['--value-format', 'registry', '--output', 'jsonl'])
    expect(jsonl(read.stdout).map((l) => [l.key, l.value])).toEqual([
      ['k1', {id: 1, name: 'pen'}],
      ['k2', {id: 2, name: 'ink', extra: [1]}],
      [null, {id: 3, name: 'cap'}],
    ])
    // avro asked for, a JSON Schema id found: marked, shown raw.
    const wrongType = await consume(topic, ['--value-format', 'avro', '-c', '1'])
    expect(wrongType.stderr).toMatch(/schema id \d+ is json-schema, not avro/)
  }, 60_000)

  it('--no-auto-register with a schema file that is not registered: exit 5, nothing sent', async () => {
    const topic = uniqueName('reg-noauto')
    await createTopics(bootstrap, [topic])
    const result = await produce(topic, ['--value-format', 'avro', '--value-schema-file', orderAvsc, '--no-auto-register'], '{"id": 1, "name": "a", "amount": 1}\n')
    expect(result.exitCode).toBe(5)
    expect(result.stderr).toContain(`is not registered under subject '${topic}-value'`)
  }, 30_000)
})

describe('Avro logical types', () => {
  it('timestamps, dates and decimals are readable JSON both ways; their underlying form is accepted on input', async () => {
    const topic = uniqueName('reg-logical')
    await createTopics(bootstrap, [topic])
    const schema = file(
      `${topic}.avsc`,
      JSON.stringify({
        type: 'record',
        name: 'Logical',
        namespace: 'test.logical',
        fields: [
          {name: 'at', type: {type: 'long', logicalType: 'timestamp-millis'}},
          {name: 'atMicros', type: {type: 'long', logicalType: 'timestamp-micros'}},
          {name: 'day', type: {type: 'int', logicalType: 'date'}},
          {name: 'price', type: {type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2}},
          {name: 'maybe', type: ['null', {type: 'long', logicalType: 'timestamp-millis'}], default: null},
        ],
      }),
    )
    const input = [
      {at: '2024-05-01T12:30:00.123Z', atMicros: '2024-05-01T12:30:00.123456Z', day: '2024-05-01', price: '-12.30', maybe: null},
      {at: 1700000000000, atMicros: 1, day: 0, price: '5', maybe: '2024-01-01T00:00:00.000Z'},
    ]
    expect((await produce(topic, ['--value-format', 'avro', '--value-schema-file', schema], input.map((v) => JSON.stringify(v)).join('\n') + '\n')).exitCode).toBe(0)
    const read = await consume(topic, ['--value-format', 'avro'])
    expect(read.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as unknown)).toEqual([
      input[0],
      {at: '2023-11-14T22:13:20.000Z', atMicros: '1970-01-01T00:00:00.000001Z', day: '1970-01-01', price: '5.00', maybe: '2024-01-01T00:00:00.000Z'},
    ])
    const bad = await produce(topic, ['--value-format', 'avro', '--value-schema-file', schema], '{"at": "yesterday", "atMicros": 1, "day": 1, "price": "1"}\n')
    expect(bad.stderr).toContain('line 1: value: does not fit Avro schema id')
    expect(bad.stderr).toContain('field at')
  }, 60_000)
})

describe('a schema with a reference', () => {
  it('an Avro schema naming a record of another subject encodes and decodes', async () => {
    const topic = uniqueName('reg-ref')
    await createTopics(bootstrap, [topic])
    const address = file(`${topic}-address.avsc`, JSON.stringify({type: 'record', name: 'Address', namespace: 'test.ref', fields: [{name: 'city', type: 'string'}]}))
    const customer = file(
      `${topic}-customer.avsc`,
      JSON.stringify({type: 'record', name: 'Customer', namespace: 'test.ref', fields: [{name: 'name', type: 'string'}, {name: 'home', type: 'test.ref.Address'}, {name: 'work', type: ['null', 'test.ref.Address'], default: null}]}),
    )
    const schemas = (args: string[]) => runKafkit(['schemas', ...args, '-r', registry])
    expect((await schemas(['register', `${topic}-address`, '--file', address])).exitCode).toBe(0)
    const registered = await schemas(['register', `${topic}-value`, '--file', customer, '--reference', `test.ref.Address=${topic}-address:1`])
    expect(registered.stderr).toBe('')
    const values = [{name: 'Ada', home: {city: 'London'}, work: null}, {name: 'Grace', home: {city: 'Arlington'}, work: {city: 'Washington'}}]
    const produced = await produce(topic, ['--value-format', 'avro'], values.map((v) => JSON.stringify(v)).join('\n') + '\n')
    expect(produced.exitCode).toBe(0)
    const read = await consume(topic, ['--value-format', 'registry', '--output', 'jsonl'])
    expect(read.stderr).toBe('')
    expect(jsonl(read.stdout).map((l) => l.value)).toEqual(values)
    expect(jsonl(read.stdout)[0]!.valueSchemaId).toBe(Number(registered.stdout.trim()))
  }, 60_000)
})

describe('an unreachable registry', () => {
  it('consume and produce exit 3 naming the URL', async () => {
    const topic = uniqueName('reg-down')
    await createTopics(bootstrap, [topic])
    const url = `http://${await closedAddress()}`
    const read = await runKafkit(['consume', topic, '-b', bootstrap, '-e', '--value-format', 'avro', '-r', url, '--timeout', '3s'])
    expect(read.exitCode).toBe(3)
    expect(read.stderr).toContain(`cannot reach the Schema Registry at ${url}`)
    const write = await runKafkit(['produce', topic, '-b', bootstrap, '--value-format', 'avro', '--value-schema-file', orderAvsc, '-r', url, '--timeout', '3s'], {input: '{}\n'})
    expect(write.exitCode).toBe(3)
    expect(write.stderr).toContain(`cannot reach the Schema Registry at ${url}`)
  }, 30_000)
})
