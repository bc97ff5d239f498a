import {execFile} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'

import {beforeAll, describe, expect, inject, it} from 'vitest'

import {createTopics} from './admin-client.js'
import {repoRoot, runKafkit, uniqueName} from './cli.js'

// The Schema Registry formats against Python confluent-kafka's serdes (test/python/registry_interop.py,
// installed by scripts/python-peers.sh), both ways, on the suite's registry: Python's AvroSerializer,
// ProtobufSerializer and JSONSerializer write, `kafkit consume` reads the same values; kafkit
// produces with the schema Python registered, Python's deserializers read the values back.
// Records cover nested records, arrays, maps, enums, bytes, optionals and a tombstone.

const bootstrap = inject('bootstrap')
const registry = inject('schemaRegistryUrl')
const run = promisify(execFile)
const script = join(repoRoot, 'test', 'python', 'registry_interop.py')
let python = ''

const python3 = async (args: string[]) => (await run(python, [script, ...args], {timeout: 60_000})).stdout

beforeAll(async () => {
  python = (await run('bash', [join(repoRoot, 'scripts', 'python-peers.sh')], {timeout: 300_000})).stdout.trim()
}, 300_000)

const cases = {
  avro: [
    ['k1', {id: 1, name: 'pen', amount: 1.5, note: null, tags: ['a', 'b'], counts: {x: 1, y: -2}, status: 'PAID', raw: 'AAEC', address: {city: 'Oslo'}}],
    ['k2', {id: 2 ** 40, name: 'ünï', amount: -0.25, note: 'blue', tags: [], counts: {}, status: 'NEW', raw: '', address: {city: ''}}],
    ['k3', null],
  ],
  // Protobuf JSON: 64-bit integers as strings, every field shown (proto3 defaults included).
  protobuf: [
    ['k1', {id: '1', name: 'pen', amount: 1.5, tags: ['a', 'b'], status: 'PAID', raw: 'AAEC', address: {city: 'Oslo'}}],
    ['k2', {id: '1099511627776', name: 'ünï', amount: 0, tags: [], status: 'NEW', raw: '', address: {city: 'Rome'}}],
    ['k3', null],
  ],
  'json-schema': [
    ['k1', {id: 1, name: 'pen', tags: ['a'], address: {city: 'Oslo'}, note: null}],
    ['k2', {id: 2, name: 'ünï', tags: [], note: 'x'}],
    ['k3', null],
  ],
} as const

describe.each(Object.keys(cases) as Array<keyof typeof cases>)('%s with Python confluent-kafka', (format) => {
  it('Python writes, kafkit reads the same values; kafkit writes with that schema, Python reads them back equal', async () => {
    const records = cases[format]
    const fromPython = uniqueName(`py-reg-${format}`)
    const fromKafkit = `${fromPython}-kafkit`
    await createTopics(bootstrap, [fromPython, fromKafkit])
    const ids = JSON.parse(await python3(['produce', bootstrap, registry, fromPython, format, JSON.stringify(records)])) as number[]
    expect(ids).toHaveLength(1)

    const read = await runKafkit(['consume', fromPython, '-b', bootstrap, '-e', '-r', registry, '--value-format', format, '--output', 'jsonl'])
    expect(read.stderr).toBe('')
    expect(read.exitCode).toBe(0)
    const lines = read.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as {key: string; value: unknown; valueSchemaId?: number})
    const expected = records.map(([key, value]) => ({key, value}))
    expect(lines.map(({key, value}) => ({key, value}))).toEqual(
      // Protobuf shows every field; the JSON the cases give leaves out none.
      expected,
    )
    expect(lines[0]!.valueSchemaId).toBe(ids[0])

    // kafkit produces plain JSON lines with the subject Python registered; Python reads them.
    const input = records.map(([key, value]) => `${key}\t${value === null ? 'NULL' : JSON.stringify(value)}`).join('\n') + '\n'
    const produced = await runKafkit(
      ['produce', fromKafkit, '-b', bootstrap, '-r', registry, '-K', '\\t', '--null-marker', 'NULL', '--value-format', format, '--value-schema-subject', `${fromPython}-value`],
      {input},
    )
    expect(produced.exitCode).toBe(0)
    const back = (await python3(['consume', bootstrap, registry, fromKafkit, format, String(records.length)])).trimEnd().split('\n').map((line) => JSON.parse(line) as unknown)
    expect(back).toEqual(expected)
  }, 90_000)
})

describe('a schema with a reference, with Python confluent-kafka', () => {
  it('kafkit writes with a schema that names a record of another subject; Python resolves the reference and reads the values', async () => {
    const topic = uniqueName('py-reg-ref')
    await createTopics(bootstrap, [topic])
    const dir = mkdtempSync(join(tmpdir(), 'kafkit-registry-interop-'))
    const address = join(dir, 'address.avsc')
    const customer = join(dir, 'customer.avsc')
    writeFileSync(address, JSON.stringify({type: 'record', name: 'Address', namespace: 'py.ref', fields: [{name: 'city', type: 'string'}]}))
    writeFileSync(customer, JSON.stringify({type: 'record', name: 'Customer', namespace: 'py.ref', fields: [{name: 'name', type: 'string'}, {name: 'home', type: 'py.ref.Address'}]}))
    const schemas = (args: string[]) => runKafkit(['schemas', ...args, '-r', registry])
    expect((await schemas(['register', `${topic}-address`, '--file', address])).exitCode).toBe(0)
    expect((await schemas(['register', `${topic}-value`, '--file', customer, '--reference', `py.ref.Address=${topic}-address:1`])).exitCode).toBe(0)
    const values = [{name: 'Ada', home: {city: 'London'}}, {name: 'Grace', home: {city: 'Arlington'}}]
    const input = values.map((v, i) => `k${i}\t${JSON.stringify(v)}`).join('\n') + '\n'
    expect((await runKafkit(['produce', topic, '-b', bootstrap, '-r', registry, '-K', '\\t', '--value-format', 'avro'], {input})).exitCode).toBe(0)
    const back = (await python3(['consume', bootstrap, registry, topic, 'avro', '2'])).trimEnd().split('\n').map((line) => JSON.parse(line) as unknown)
    expect(back).toEqual(values.map((value, i) => ({key: `k${i}`, value})))
  }, 60_000)
})

describe('.proto text schema files, with Python confluent-kafka', () => {
  const records = cases.protobuf
  const expected = records.map(([key, value]) => ({key, value}))
  const input = records.map(([key, value]) => `${key}\t${value === null ? 'NULL' : JSON.stringify(value)}`).join('\n') + '\n'
  const statusAndOrder =
    'enum Status { NEW = 0; PAID = 1; }\n\nmessage Order {\n  int64 id = 1;\n  string name = 2;\n  double amount = 3;\n  repeated string tags = 4;\n  Status status = 5;\n  bytes raw = 6;\n  Address address = 7;\n}\n'
  const readBack = async (topic: string) => {
    const back = (await python3(['consume', bootstrap, registry, topic, 'protobuf', String(records.length)])).trimEnd().split('\n').map((line) => JSON.parse(line) as unknown)
    expect(back).toEqual(expected)
    const read = await runKafkit(['consume', topic, '-b', bootstrap, '-e', '-r', registry, '--value-format', 'protobuf', '--output', 'jsonl'])
    expect(read.stderr).toBe('')
    expect(read.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as {key: string; value: unknown}).map(({key, value}) => ({key, value}))).toEqual(expected)
  }

  it('produce --value-schema-file x.proto compiles the text, registers it as text and writes with it; Python and kafkit consume read the values', async () => {
    const topic = uniqueName('py-reg-proto-text')
    await createTopics(bootstrap, [topic])
    const order = join(mkdtempSync(join(tmpdir(), 'kafkit-proto-text-')), 'shop_order.proto')
    // The messages of Python's shop.Order (test/python/registry_interop.py), written as .proto text.
    writeFileSync(order, `syntax = "proto3";\npackage shop;\n\nmessage Address {\n  string city = 1;\n}\n\n${statusAndOrder}`)
    const produced = await runKafkit(
      ['produce', topic, '-b', bootstrap, '-r', registry, '-K', '\\t', '--null-marker', 'NULL', '--value-format', 'protobuf', '--value-schema-file', order, '--value-proto-message', 'Order'],
      {input},
    )
    expect(produced.stderr).not.toMatch(/error/i)
    expect(produced.exitCode).toBe(0)
    // Registered as the text itself, as Java's serializer does.
    const stored = await runKafkit(['schemas', 'get', `${topic}-value`, '-r', registry, '--json'])
    expect(JSON.parse(stored.stdout).schema).toContain('message Order')
    await readBack(topic)
  }, 90_000)

  it('a .proto text that imports another registered .proto resolves the reference on produce and consume', async () => {
    const topic = uniqueName('py-reg-proto-import')
    await createTopics(bootstrap, [topic])
    const dir = mkdtempSync(join(tmpdir(), 'kafkit-proto-import-'))
    const address = join(dir, 'shop_address.proto')
    const order = join(dir, 'shop_order.proto')
    writeFileSync(address, 'syntax = "proto3";\npackage shop;\n\nmessage Address {\n  string city = 1;\n}\n')
    writeFileSync(order, `syntax = "proto3";\npackage shop;\nimport "shop_address.proto";\n\n${statusAndOrder}`)
    const schemas = (args: string[]) => runKafkit(['schemas', ...args, '-r', registry])
    expect((await schemas(['register', `${topic}-address`, '--file', address])).exitCode).toBe(0)
    expect((await schemas(['register', `${topic}-value`, '--file', order, '--reference', `shop_address.proto=${topic}-address:1`])).exitCode).toBe(0)
    const produced = await runKafkit(['produce', topic, '-b', bootstrap, '-r', registry, '-K', '\\t', '--null-marker', 'NULL', '--value-format', 'protobuf'], {input})
    expect(produced.stderr).not.toMatch(/error/i)
    expect(produced.exitCode).toBe(0)
    await readBack(topic)
  }, 90_000)

  it('a .proto file that does not parse fails with exit 2 and the parser line, before any request', async () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'kafkit-proto-bad-')), 'bad.proto')
    writeFileSync(bad, 'syntax = "proto3";\nmessage Broken {\n  string name = ;\n}\n')
    const result = await runKafkit(['schemas', 'register', 'never-registered-value', '--file', bad, '-r', registry])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toMatch(/bad\.proto: not a valid \.proto file: .*line 3/)
  })
})
