import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {beforeAll, describe, expect, inject, it} from 'vitest'

import {createTopics} from './admin-client.js'
import {runKafkit, uniqueName} from './cli.js'

// `kafkit pipe` with Schema Registry formats, on the suite's broker and registry: transforms see
// decoded values, outputs are written with the schema each record carries or with the one the
// output flags name, a copy keeps the bytes, and a record not in the wire format follows --on-error.

const bootstrap = inject('bootstrap')
const registry = inject('schemaRegistryUrl')
const kafkit = (args: string[], input?: string) => runKafkit([...args, '-b', bootstrap, '-r', registry], {input, timeoutMs: 90_000})
const jsonl = (stdout: string) => stdout.trimEnd().split('\n').filter(Boolean).map((line) => JSON.parse(line) as {key: string; value: unknown; valueSchemaId?: number; headers: {key: string; value: string}[]})

const reading = {type: 'record', name: 'Reading', namespace: 'kafkit.test', fields: [{name: 'city', type: 'string'}, {name: 'celsius', type: 'double'}]}
const converted = {...reading, name: 'Converted', fields: [...reading.fields, {name: 'fahrenheit', type: 'double'}]}
const values = [
  {city: 'Oslo', celsius: -5},
  {city: 'Rome', celsius: 20},
  {city: 'Cairo', celsius: 35.5},
]

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kafkit-pipe-registry-'))
  writeFileSync(join(dir, 'reading.avsc'), JSON.stringify(reading))
  writeFileSync(join(dir, 'converted.avsc'), JSON.stringify(converted))
})

async function avroSource(prefix: string): Promise<{src: string; dst: string; group: string}> {
  const names = {src: uniqueName(`${prefix}-src`), dst: uniqueName(`${prefix}-dst`), group: uniqueName(`${prefix}-g`)}
  await createTopics(bootstrap, [names.src, names.dst])
  const input = values.map((v) => `${v.city}\t${JSON.stringify(v)}`).join('\n') + '\n'
  const produced = await kafkit(['produce', names.src, '-K', '\\t', '--value-format', 'avro', '--value-schema-file', join(dir, 'reading.avsc')], input)
  expect(produced.exitCode).toBe(0)
  return names
}

describe('kafkit pipe with Schema Registry formats', () => {
  it('--map over Avro values, written with --output-value-schema-file: the destination decodes to the new shape', async () => {
    const {src, dst, group} = await avroSource('pipe-avro-map')
    const result = await kafkit([
      'pipe', src, dst, '-g', group, '-e', '--value-format', 'avro', '--output-value-schema-file', join(dir, 'converted.avsc'),
      '--map', '({...r, value: {...r.value, fahrenheit: r.value.celsius * 9 / 5 + 32}})',
    ])
    expect(result.stderr).toContain('3 in, 3 out')
    expect(result.exitCode).toBe(0)
    const read = await kafkit(['consume', dst, '-e', '--value-format', 'avro', '--output', 'jsonl', '--isolation-level', 'read_committed'])
    const records = jsonl(read.stdout)
    expect(records.map((r) => r.value)).toEqual(values.map((v) => ({...v, fahrenheit: (v.celsius * 9) / 5 + 32})))
    // Written with the output schema, registered under the destination's subject.
    const subject = JSON.parse((await runKafkit(['schemas', 'get', `${dst}-value`, '--json', '-r', registry])).stdout) as {id: number}
    expect(new Set(records.map((r) => r.valueSchemaId))).toEqual(new Set([subject.id]))
  })

  it('without output schema flags a transform keeps each record\'s schema; a plain copy keeps the bytes', async () => {
    const {src, dst, group} = await avroSource('pipe-avro-keep')
    const copy = uniqueName('pipe-avro-copy')
    await createTopics(bootstrap, [copy])
    const [mapped, copied] = await Promise.all([
      kafkit(['pipe', src, dst, '-g', group, '-e', '--value-format', 'avro', '--map', '({...r, value: {...r.value, city: r.value.city.toUpperCase()}})']),
      kafkit(['pipe', src, copy, '-g', `${group}-copy`, '-e', '--value-format', 'avro']),
    ])
    expect(mapped.exitCode).toBe(0)
    expect(copied.exitCode).toBe(0)
    const source = jsonl((await kafkit(['consume', src, '-e', '--value-format', 'avro', '--output', 'jsonl'])).stdout)
    const out = jsonl((await kafkit(['consume', dst, '-e', '--value-format', 'avro', '--output', 'jsonl'])).stdout)
    expect(out.map((r) => r.value)).toEqual(values.map((v) => ({...v, city: v.city.toUpperCase()})))
    expect(out.map((r) => r.valueSchemaId)).toEqual(source.map((r) => r.valueSchemaId))
    const raw = (topic: string) => kafkit(['consume', topic, '-e', '--output', 'jsonl'])
    expect(jsonl((await raw(copy)).stdout).map((r) => r.value)).toEqual(jsonl((await raw(src)).stdout).map((r) => r.value))
  })

  it('a record not in the wire format follows --on-error: dead-lettered with its bytes and the reason, the rest written', async () => {
    const {src, dst, group} = await avroSource('pipe-avro-bad')
    const dlq = uniqueName('pipe-avro-dlq')
    await createTopics(bootstrap, [dlq])
    expect((await kafkit(['produce', src], 'not avro at all\n')).exitCode).toBe(0)
    const result = await kafkit(['pipe', src, dst, '-g', group, '-e', '--value-format', 'avro', '--map', 'r', '--on-error', 'dead-letter', dlq])
    expect(result.exitCode).toBe(0)
    expect(jsonl((await kafkit(['consume', dst, '-e', '--value-format', 'avro', '--output', 'jsonl'])).stdout).map((r) => r.value)).toEqual(values)
    const dead = jsonl((await kafkit(['consume', dlq, '-e', '--output', 'jsonl'])).stdout)
    expect(dead.map((r) => r.value)).toEqual(['not avro at all'])
    expect(dead[0]!.headers.find((h) => h.key === 'kafkit.error')?.value).toMatch(/the value does not fit --value-format avro: not in the Schema Registry wire format/)
  })

  it('an output schema flag without a registry format, or a registry output format without a schema for plain input, is refused with exit 2', async () => {
    const result = await kafkit(['pipe', 'a', 'b', '-g', 'g', '--output-value-schema-id', '1'])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toMatch(/^error: --output-value-schema-id needs --output-value-format \(or --value-format\) avro, protobuf or json-schema/)
    const unnamed = await kafkit(['pipe', 'a', 'b', '-g', 'g', '--value-format', 'json', '--output-value-format', 'avro'])
    expect(unnamed.exitCode).toBe(2)
    expect(unnamed.stderr).toBe('error: --output-value-format avro needs a schema\nhint: name it with --output-value-schema-file, --output-value-schema-subject or --output-value-schema-id\n')
  })
})
