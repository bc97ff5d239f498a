import {execFile} from 'node:child_process'
import {join} from 'node:path'
import {promisify} from 'node:util'

import {beforeAll, describe, expect, inject, it} from 'vitest'

import {createTopics} from './admin-client.js'
import {repoRoot, runKafkit, uniqueName} from './cli.js'

// Serializers against the real Python peers: confluent-kafka's and QuixStreams' serializers and
// deserializers (test/python/serializer_interop.py, installed by scripts/python-peers.sh into a
// virtual environment of their own). kafkit writes, Python reads and compares bytes; Python
// writes with QuixStreams' serializers, kafkit reads.

const bootstrap = inject('bootstrap')
const run = promisify(execFile)
const script = join(repoRoot, 'test', 'python', 'serializer_interop.py')
let python = ''

interface CheckedRecord {
  key: string
  value: string
  quix_key: string
  quix_value: string
  confluent_key?: string
  confluent_value?: string
  quix_read_key: unknown
  quix_read_value: unknown
}

interface Spec {
  key: string
  value: string
  records: Array<[unknown, unknown]>
}

async function check(topic: string, spec: Spec): Promise<CheckedRecord[]> {
  const {stdout} = await run(python, [script, 'check', bootstrap, topic, JSON.stringify(spec)], {timeout: 60_000})
  return stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as CheckedRecord)
}

beforeAll(async () => {
  // Idempotent: prints the environment's python (scripts/setup.sh --with-peers installed it already).
  python = (await run('bash', [join(repoRoot, 'scripts', 'python-peers.sh')], {timeout: 300_000})).stdout.trim()
}, 300_000)

describe('serializers: byte for byte what confluent-kafka and QuixStreams make', () => {
  it('int keys, double values: kafkit writes, both Python libraries make the same bytes and read the numbers back', async () => {
    const t = uniqueName('py-num')
    await createTopics(bootstrap, [t])
    const records: Array<[number, number]> = [[1, 1.5], [-1, -0.1], [2147483647, 1e300], [-2147483648, 0], [0, -2.5e-7]]
    const input = records.map(([k, v]) => `${k}:${v}`).join('\n') + '\n'
    const produced = await runKafkit(['produce', t, '-b', bootstrap, '-K', ':', '--key-format', 'int', '--value-format', 'double'], {input})
    expect(produced.exitCode).toBe(0)
    const rows = await check(t, {key: 'int', value: 'double', records})
    expect(rows).toHaveLength(records.length)
    for (const [i, row] of rows.entries()) {
      expect(row.key).toBe(row.quix_key)
      expect(row.key).toBe(row.confluent_key)
      expect(row.value).toBe(row.quix_value)
      expect(row.value).toBe(row.confluent_value)
      expect([row.quix_read_key, row.quix_read_value]).toEqual(records[i])
    }
  }, 90_000)

  it('str keys, json and bytes values', async () => {
    const t = uniqueName('py-text')
    await createTopics(bootstrap, [t])
    // QuixStreams writes compact JSON; kafkit sends the JSON text it is given.
    const json: Array<[string, unknown]> = [['héllo', {a: [1, 2.5], b: 'ü'}], ['k2', [true, null]], ['', 'text']]
    const input = json.map(([k, v]) => `${k}\t${JSON.stringify(v)}`).join('\n') + '\n'
    expect((await runKafkit(['produce', t, '-b', bootstrap, '-K', '\\t', '--value-format', 'json'], {input})).exitCode).toBe(0)
    const rows = await check(t, {key: 'str', value: 'json', records: json})
    for (const [i, row] of rows.entries()) {
      expect(row.key).toBe(row.quix_key)
      expect(row.key).toBe(row.confluent_key)
      expect(row.value).toBe(row.quix_value)
      expect(row.quix_read_value).toEqual(json[i]![1])
    }

    const b = uniqueName('py-bytes')
    await createTopics(bootstrap, [b])
    const bytes: Array<[string, string]> = [['k', '00ff10'], ['k', 'c3']]
    expect((await runKafkit(['produce', b, '-b', bootstrap, '-K', ':', '--value-format', 'hex'], {input: bytes.map(([k, v]) => `${k}:${v}`).join('\n')})).exitCode).toBe(0)
    const byteRows = await check(b, {key: 'str', value: 'bytes', records: bytes})
    expect(byteRows.map((row) => [row.value, row.quix_value, row.quix_read_value])).toEqual(bytes.map(([, v]) => [v, v, v]))
  }, 90_000)

  it('records QuixStreams wrote read back with kafkit\'s formats', async () => {
    const t = uniqueName('py-quix')
    await createTopics(bootstrap, [t])
    const records: Array<[number, number]> = [[7, 3.25], [-42, -1e-3]]
    await run(python, [script, 'produce', bootstrap, t, JSON.stringify({key: 'int', value: 'double', records})], {timeout: 60_000})
    const consumed = await runKafkit(['consume', t, '-b', bootstrap, '-e', '--key-format', 'int', '--value-format', 'double', '-f', '%k %s\\n'])
    expect(consumed.exitCode).toBe(0)
    expect(consumed.stdout).toBe('7 3.25\n-42 -0.001\n')
  }, 90_000)
})
