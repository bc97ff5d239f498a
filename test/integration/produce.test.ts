import {execFile, spawn} from 'node:child_process'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'

import type * as KafkaJs from '@confluentinc/kafka-javascript'
import {describe, expect, inject, it} from 'vitest'

import {kafkaClasspath} from './apache.js'
import {createTopics} from './admin-client.js'
import {baseEnv, kafkitBin, runKafkit, uniqueName} from './cli.js'

// `kafkit produce` against the real single-node broker. What was written is read back with
// independent readers: kcat, Apache's console consumer with the Java deserializers, and a plain
// consumer of the client library (for bytes kcat cannot show).

const bootstrap = inject('bootstrap')
const run = promisify(execFile)
const require = createRequire(import.meta.url)
const Kafka = require('@confluentinc/kafka-javascript') as typeof KafkaJs
const work = mkdtempSync(join(tmpdir(), 'kafkit-produce-'))

interface ReadRecord {
  partition: number
  offset: number
  key: Buffer | null
  value: Buffer | null
  headers: Array<[string, Buffer | null]>
  timestamp: number
}

/** Every record of the topic, with a real consumer (read_uncommitted unless asked). */
async function readTopic(topic: string, partitions = 1): Promise<ReadRecord[]> {
  const consumer = new Kafka.KafkaConsumer(
    {'bootstrap.servers': bootstrap, 'group.id': uniqueName('reader'), 'enable.auto.commit': false, 'isolation.level': 'read_uncommitted', log_level: 0},
    {'auto.offset.reset': 'earliest'},
  )
  await new Promise<void>((resolve, reject) => consumer.connect({timeout: 15_000}, (err) => (err ? reject(err) : resolve())))
  const records: ReadRecord[] = []
  try {
    consumer.assign(Array.from({length: partitions}, (_, partition) => ({topic, partition, offset: 0})))
    const atEnd = new Set<number>()
    const deadline = Date.now() + 20_000
    while (atEnd.size < partitions && Date.now() < deadline) {
      const batch = await new Promise<KafkaJs.Message[]>((resolve, reject) => consumer.consume(1000, (err, messages) => (err ? reject(err) : resolve(messages))))
      for (const m of batch) {
        records.push({
          partition: m.partition,
          offset: m.offset,
          key: (m.key as Buffer | null | undefined) ?? null,
          value: m.value ?? null,
          headers: (m.headers ?? []).map((h) => {
            const [name, value] = Object.entries(h)[0]!
            return [name, value === null || value === undefined ? null : Buffer.from(value as Buffer)]
          }),
          timestamp: m.timestamp ?? -1,
        })
      }
      // At the end when every partition's position (past control records too) reached its high watermark.
      if (batch.length === 0) {
        for (let partition = 0; partition < partitions; partition++) {
          const high = await new Promise<number>((resolve, reject) =>
            consumer.queryWatermarkOffsets(topic, partition, 5000, (err, w) => (err ? reject(err) : resolve(w.highOffset))),
          )
          const [position] = consumer.position([{topic, partition}])
          const consumed = records.filter((r) => r.partition === partition)
          const next = Math.max(position?.offset ?? 0, consumed.length > 0 ? consumed[consumed.length - 1]!.offset + 1 : 0)
          if (next >= high) atEnd.add(partition)
        }
      }
    }
  } finally {
    consumer.disconnect()
  }
  return records.sort((a, b) => a.partition - b.partition || a.offset - b.offset)
}

async function kcat(args: string[]): Promise<string> {
  const {stdout} = await run('kcat', ['-b', bootstrap, '-q', ...args], {maxBuffer: 64 << 20})
  return stdout
}

async function javaTool(mainClass: string, args: string[], input?: string): Promise<string> {
  const classpath = await kafkaClasspath()
  return new Promise((resolve, reject) => {
    const child = spawn('java', ['-cp', classpath, mainClass, ...args], {stdio: ['pipe', 'pipe', 'pipe']})
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${mainClass} exited ${code}: ${err}`))))
    child.stdin.end(input ?? '')
  })
}

async function topic(prefix: string, partitions = 1): Promise<string> {
  const name = uniqueName(prefix)
  await createTopics(bootstrap, [name], partitions)
  return name
}

describe('produce: lines', () => {
  it('piped: keys, fixed headers in order with duplicates, tombstones; summary on stderr only', async () => {
    const t = await topic('pr-lines')
    const result = await runKafkit(['produce', t, '-b', bootstrap, '-K', ':', '--null-marker', 'NULL', '-H', 'h=1', '-H', 'h=2', '-H', 'bare'], {
      input: 'k1:v1\nk2:NULL\nk3:\nk4:a:b\n',
    })
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(/^produced to .*: read 4, delivered 4, failed 0 in .* records\/s\)\n$/)
    const records = await readTopic(t)
    expect(records.map((r) => [r.key?.toString(), r.value === null ? null : r.value.toString()])).toEqual([
      ['k1', 'v1'],
      ['k2', null],
      ['k3', ''],
      ['k4', 'a:b'],
    ])
    // The client library reads a null header value as an empty buffer; kcat tells them apart.
    expect(records[0]!.headers).toEqual([
      ['h', Buffer.from('1')],
      ['h', Buffer.from('2')],
      ['bare', Buffer.alloc(0)],
    ])
    expect(await kcat(['-C', '-t', t, '-e', '-c', '1', '-f', '%h\n'])).toBe('h=1,h=2,bare=NULL\n')
  })

  it('-Z makes empty keys and values null; -k gives every record the same key; -p forces the partition', async () => {
    const t = await topic('pr-z', 3)
    const z = await runKafkit(['produce', t, '-b', bootstrap, '-K', '\\t', '-Z', '-p', '2'], {input: '\tv\nk\t\n'})
    expect(z.exitCode).toBe(0)
    const fixed = await runKafkit(['produce', t, '-b', bootstrap, '-k', 'same', '-p', '1'], {input: 'a\nb'})
    expect(fixed.exitCode).toBe(0)
    const out = await kcat(['-C', '-t', t, '-e', '-f', '%p|%K|%k|%S|%s\n'])
    const lines = out.trimEnd().split('\n').sort()
    expect(lines).toEqual(['1|4|same|1|a', '1|4|same|1|b', '2|-1||1|v', '2|1|k|-1|'])
  })

  it('a tiny client queue and a multi-chunk file: every line once, in order, bad lines named', async () => {
    // 3.3 MB of input is read in several chunks into reused buffers, and a queue of 500 records
    // makes the native loop stop and resume in the middle of its batches again and again.
    const t = await topic('pr-queue')
    const lines: string[] = []
    for (let i = 1; i <= 40_000; i++) lines.push(i === 5000 || i === 31_234 ? `no separator ${i}` : `k${i % 7}:${String(i).padStart(8, '0')}${'x'.repeat(70)}`)
    const file = join(work, 'queue.txt')
    writeFileSync(file, lines.join('\n') + '\n')
    // -X before the topic: a repeatable flag does not swallow the argument after its value.
    const result = await runKafkit(['produce', '-X', 'queue.buffering.max.messages=500', t, '-b', bootstrap, '-K', ':', '--on-error', 'skip', '--file', file])
    expect(result.stderr).toContain('line 5000: no key separator in the line')
    expect(result.stderr).toContain('line 31234: no key separator in the line')
    expect(result.stderr).toContain('read 40,000, delivered 39,998, failed 2 (2 invalid)')
    const out = await kcat(['-C', '-t', t, '-e', '-f', '%k:%s\n'])
    expect(out).toBe(lines.filter((line) => !line.startsWith('no separator')).map((line) => line + '\n').join(''))
  })

  it('jsonl through a tiny client queue: batched and one-by-one records keep their order', async () => {
    // Records without headers or timestamps go to librdkafka in batches, the others one by one;
    // a 300-record queue makes both stop and resume again and again.
    const t = await topic('pr-queue-jsonl')
    const records = Array.from({length: 5000}, (_, i) => ({
      key: `k${i}`,
      value: `v${i}`,
      headers: i % 7 === 0 ? [{key: 'h', value: String(i)}] : [],
      ...(i % 11 === 0 ? {timestamp: 1_700_000_000_000 + i} : {}),
    }))
    const input = records.map((r) => JSON.stringify(r)).join('\n') + '\n'
    const result = await runKafkit(['produce', t, '-b', bootstrap, '--input', 'jsonl', '-X', 'queue.buffering.max.messages=300'], {input})
    expect(result.exitCode).toBe(0)
    const out = (await kcat(['-C', '-t', t, '-e', '-f', '%k|%s|%h|%T\n'])).trimEnd().split('\n')
    expect(out).toHaveLength(records.length)
    for (const [i, line] of out.entries()) {
      const [key, value, headers, timestamp] = line.split('|')
      expect([key, value, headers]).toEqual([`k${i}`, `v${i}`, i % 7 === 0 ? `h=${i}` : ''])
      if (i % 11 === 0) expect(Number(timestamp)).toBe(1_700_000_000_000 + i)
    }
  })

  it('another delimiter, binary-safe: NUL-separated records keep newlines and CRs', async () => {
    const t = await topic('pr-delim')
    const result = await runKafkit(['produce', t, '-b', bootstrap, '-D', '\\0'], {input: Buffer.from('a\nb\0c\r\n\0\0last')})
    expect(result.exitCode).toBe(0)
    const records = await readTopic(t)
    expect(records.map((r) => r.value!.toString('latin1'))).toEqual(['a\nb', 'c\r\n', '', 'last'])
  })

  it('--print-delivery: one JSON line per record with the offset it got', async () => {
    const t = await topic('pr-print', 2)
    const result = await runKafkit(['produce', t, '-b', bootstrap, '--print-delivery', '-K', ':'], {input: 'a:1\nb:2\nc:3\n'})
    expect(result.exitCode).toBe(0)
    const deliveries = result.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as {topic: string; partition: number; offset: number; timestamp: number; line: number})
    expect(deliveries.map((d) => d.line).sort()).toEqual([1, 2, 3])
    const records = await readTopic(t, 2)
    for (const d of deliveries) {
      expect(d.topic).toBe(t)
      const record = records.find((r) => r.partition === d.partition && r.offset === d.offset)
      expect(record?.value?.toString()).toBe(String(d.line))
      expect(d.timestamp).toBe(record?.timestamp)
    }
  })

  it('--json returns the summary; a terminal shows the summary too', async () => {
    const t = await topic('pr-json')
    const json = await runKafkit(['produce', t, '-b', bootstrap, '--json'], {input: 'x\ny\n'})
    expect(json.exitCode).toBe(0)
    const summary = JSON.parse(json.stdout) as Record<string, unknown>
    expect(summary).toMatchObject({topic: t, read: 2, delivered: 2, failed: 0, invalid: 0, interrupted: null, transaction: null, failures: []})
    expect(json.stderr).toBe('')
    const tty = await runKafkit(['produce', t, '-b', bootstrap, '--file', writeInput('tty.txt', 'z\n')], {tty: true})
    expect(tty.exitCode).toBe(0)
    expect(tty.stdout).toContain('read 1, delivered 1, failed 0')
  })
})

function writeInput(name: string, content: string | Buffer): string {
  const path = join(work, name)
  writeFileSync(path, content)
  return path
}

describe('produce: serializers are byte-compatible with Java', () => {
  it('int keys and long values read back by the console consumer with IntegerDeserializer / LongDeserializer', async () => {
    const t = await topic('pr-java-int')
    const result = await runKafkit(['produce', t, '-b', bootstrap, '-K', ',', '--key-format', 'int', '--value-format', 'long'], {
      input: '1,9223372036854775807\n-2147483648,-1\n2147483647,0\n',
    })
    expect(result.exitCode).toBe(0)
    const out = await javaTool('org.apache.kafka.tools.consumer.ConsoleConsumer', [
      '--bootstrap-server', bootstrap, '--topic', t, '--from-beginning', '--max-messages', '3', '--timeout-ms', '20000',
      '--key-deserializer', 'org.apache.kafka.common.serialization.IntegerDeserializer',
      '--value-deserializer', 'org.apache.kafka.common.serialization.LongDeserializer',
      '--formatter-property', 'print.key=true', '--formatter-property', 'key.separator=|',
    ])
    expect(out.trimEnd().split('\n')).toEqual(['1|9223372036854775807', '-2147483648|-1', '2147483647|0'])
  }, 60_000)

  it('double values with DoubleDeserializer; json and str are the UTF-8 text itself', async () => {
    const t = await topic('pr-java-double')
    const result = await runKafkit(['produce', t, '-b', bootstrap, '-K', '\\t', '--key-format', 'json', '--value-format', 'double'], {
      input: '{"a": 1}\t3.5\n"k"\t-0.1\n',
    })
    expect(result.exitCode).toBe(0)
    const out = await javaTool('org.apache.kafka.tools.consumer.ConsoleConsumer', [
      '--bootstrap-server', bootstrap, '--topic', t, '--from-beginning', '--max-messages', '2', '--timeout-ms', '20000',
      '--key-deserializer', 'org.apache.kafka.common.serialization.StringDeserializer',
      '--value-deserializer', 'org.apache.kafka.common.serialization.DoubleDeserializer',
      '--formatter-property', 'print.key=true', '--formatter-property', 'key.separator=|',
    ])
    expect(out.trimEnd().split('\n')).toEqual(['{"a": 1}|3.5', '"k"|-0.1'])
    const records = await readTopic(t)
    expect(records[0]!.value).toEqual(Buffer.from([0x40, 0x0c, 0, 0, 0, 0, 0, 0]))
  }, 60_000)

  it('base64 and hex input forms become the raw bytes', async () => {
    const t = await topic('pr-b64')
    const b64 = await runKafkit(['produce', t, '-b', bootstrap, '--value-format', 'base64'], {input: '/wCA\n'})
    const hex = await runKafkit(['produce', t, '-b', bootstrap, '--value-format', 'hex', '--key-format', 'hex', '-K', ' '], {input: '00ff 0xdeadbeef\n'})
    expect([b64.exitCode, hex.exitCode]).toEqual([0, 0])
    const records = await readTopic(t)
    expect(records[0]!.value).toEqual(Buffer.from([0xff, 0x00, 0x80]))
    expect(records[1]!.key).toEqual(Buffer.from([0x00, 0xff]))
    expect(records[1]!.value).toEqual(Buffer.from([0xde, 0xad, 0xbe, 0xef]))
  })
})

describe('produce: partitions agree with the Java client', () => {
  it('keyed records land where Apache\'s console producer (parse.key) puts them', async () => {
    const ours = await topic('pr-part-kafkit', 6)
    const theirs = await topic('pr-part-java', 6)
    const input = Array.from({length: 200}, (_, i) => `key-${i * 7919}:v${i}`).join('\n') + '\n'
    const result = await runKafkit(['produce', ours, '-b', bootstrap, '-K', ':'], {input})
    expect(result.exitCode).toBe(0)
    await javaTool(
      'org.apache.kafka.tools.ConsoleProducer',
      ['--bootstrap-server', bootstrap, '--topic', theirs, '--reader-property', 'parse.key=true', '--reader-property', 'key.separator=:'],
      input,
    )
    const where = async (t: string) => new Map((await kcat(['-C', '-t', t, '-e', '-f', '%k %p\n'])).trimEnd().split('\n').map((l) => l.split(' ') as [string, string]))
    const [a, b] = await Promise.all([where(ours), where(theirs)])
    expect(a.size).toBe(200)
    expect(new Set(a.values()).size).toBeGreaterThan(1)
    expect(a).toEqual(b)
  }, 60_000)

  it('records without a key fill one partition a batch at a time, then the next: an even spread', async () => {
    const t = await topic('pr-part-nokey', 6)
    const input = Array.from({length: 6000}, (_, i) => `v${i}`).join('\n') + '\n'
    // 1,000 records per librdkafka batch: six batches, one per partition.
    const result = await runKafkit(['produce', t, '-b', bootstrap, '-X', 'batch.num.messages=1000'], {input})
    expect(result.exitCode).toBe(0)
    const lines = (await kcat(['-C', '-t', t, '-e', '-f', '%p %s\n'])).trimEnd().split('\n')
    const perPartition = new Map<string, number[]>()
    for (const line of lines) {
      const [partition, value] = line.split(' ') as [string, string]
      perPartition.set(partition, [...(perPartition.get(partition) ?? []), Number(value.slice(1))])
    }
    expect([...perPartition.keys()].sort()).toEqual(['0', '1', '2', '3', '4', '5'])
    for (const values of perPartition.values()) {
      // A run of 1,000 consecutive input lines on each partition.
      expect(values.length).toBe(1000)
      expect(values.at(-1)! - values[0]!).toBe(999)
    }
  })
})

describe('produce: jsonl', () => {
  it('binary, null versus empty, duplicate and null headers, partition and timestamp survive byte for byte', async () => {
    const t = await topic('pr-jsonl', 2)
    const lines = [
      {key: 'k', value: 'text', headers: [{key: 'h', value: 'a'}, {key: 'h', value: 'b'}, {key: 'n', value: null}]},
      {key: null, value: null, headers: []},
      {key: '', value: '', headers: [{key: 'e', value: ''}]},
      {key: {base64: '/w=='}, value: {base64: 'AAH+/w=='}, headers: [{key: 'bin', value: {base64: 'gA=='}}], partition: 1, timestamp: 1700000000123},
      {key: 'ü', value: '日本', headers: []},
    ]
    const input = lines.map((l) => JSON.stringify(l)).join('\n') + '\n\n'
    const result = await runKafkit(['produce', t, '-b', bootstrap, '--input', 'jsonl', '-p', '0'], {input})
    expect(result.exitCode).toBe(0)
    const records = await readTopic(t, 2)
    expect(records.every((r) => r.partition === 0)).toBe(true) // -p wins over the record's partition
    expect(records.map((r) => [r.key, r.value])).toEqual([
      [Buffer.from('k'), Buffer.from('text')],
      [null, null],
      [Buffer.alloc(0), Buffer.alloc(0)],
      [Buffer.from([0xff]), Buffer.from([0, 1, 0xfe, 0xff])],
      [Buffer.from('ü'), Buffer.from('日本')],
    ])
    expect(records[0]!.headers).toEqual([['h', Buffer.from('a')], ['h', Buffer.from('b')], ['n', Buffer.alloc(0)]])
    expect(records[2]!.headers).toEqual([['e', Buffer.alloc(0)]])
    // Null versus empty header values, as kcat shows them.
    expect((await kcat(['-C', '-t', t, '-p', '0', '-e', '-f', '%h\n'])).split('\n').slice(0, 3)).toEqual(['h=a,h=b,n=NULL', '', 'e='])
    expect(records[3]!.headers).toEqual([['bin', Buffer.from([0x80])]])
    expect(records[3]!.timestamp).toBe(1700000000123)

    // Without -p the record's own partition is used.
    const t2 = await topic('pr-jsonl-part', 2)
    expect((await runKafkit(['produce', t2, '-b', bootstrap, '--input', 'jsonl'], {input: JSON.stringify(lines[3]) + '\n'})).exitCode).toBe(0)
    expect((await readTopic(t2, 2))[0]!.partition).toBe(1)
  })

  it('consume --output jsonl | produce --input jsonl reproduces keys, values, nulls, header order and timestamps', async () => {
    const source = await topic('pr-rt-src', 2)
    const copy = await topic('pr-rt-copy', 2)
    const records = [
      {key: 'k', value: 'text', headers: [{key: 'h', value: 'a'}, {key: 'h', value: 'b'}], partition: 0},
      {key: null, value: null, headers: [], partition: 1},
      {key: '', value: '', headers: [{key: 'e', value: ''}], partition: 1},
      {key: {base64: '/w=='}, value: {base64: 'AAH+/w=='}, headers: [{key: 'bin', value: {base64: 'gA=='}}], partition: 1, timestamp: 1700000000123},
    ]
    const seeded = await runKafkit(['produce', source, '-b', bootstrap, '--input', 'jsonl'], {input: records.map((r) => JSON.stringify(r)).join('\n')})
    expect(seeded.exitCode).toBe(0)
    const consumed = await runKafkit(['consume', source, '-b', bootstrap, '--output', 'jsonl', '--from-beginning', '-e'])
    expect(consumed.exitCode).toBe(0)
    const copied = await runKafkit(['produce', copy, '-b', bootstrap, '--input', 'jsonl'], {input: consumed.stdout})
    expect(copied.exitCode).toBe(0)
    const strip = (r: ReadRecord) => ({...r, offset: 0})
    const [a, b] = await Promise.all([readTopic(source, 2), readTopic(copy, 2)])
    expect(b.length).toBe(4)
    expect(b.map(strip)).toEqual(a.map(strip))
    // (Null header values are checked with kcat in the test above: the client library reads them as empty.)
  })

  it('a line that is not a record: one error with its line number, exit 2', async () => {
    const t = await topic('pr-jsonl-bad')
    const result = await runKafkit(['produce', t, '-b', bootstrap, '--input', 'jsonl'], {input: '{"key":null,"value":"a","headers":[]}\n[1,2]\n{"value":"never"}\n'})
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('line 2: a record must be a JSON object')
    expect(result.stderr).toContain('read 2, delivered 1, failed 1 (1 invalid)')
    expect((await readTopic(t)).map((r) => r.value?.toString())).toEqual(['a'])
  })
})

describe('produce: bad input and dead letters', () => {
  it('--on-error fail stops at the first bad line, delivers what came before, exit 2', async () => {
    const t = await topic('pr-fail')
    const result = await runKafkit(['produce', t, '-b', bootstrap, '--value-format', 'int'], {input: '1\n2\nabc\n4\n'})
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain("line 3: value: not a valid int value: 'abc' is not an integer")
    expect(result.stderr).toContain('read 3, delivered 2, failed 1 (1 invalid)')
    expect((await readTopic(t)).map((r) => r.value!.readInt32BE(0))).toEqual([1, 2])
  })

  it('--on-error skip reports every bad line, keeps them in the dead-letter file, and goes on', async () => {
    const t = await topic('pr-skip')
    const dead = join(work, 'dead.jsonl')
    const result = await runKafkit(['produce', t, '-b', bootstrap, '--value-format', 'int', '--on-error', 'skip', '--dead-letter', dead], {input: '1\n99999999999\n3\nx\n'})
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('line 2: value: not a valid int value: 99999999999 is outside the 32-bit signed range')
    expect(result.stderr).toContain("line 4: value: not a valid int value: 'x' is not an integer")
    expect(result.stderr).toContain('read 4, delivered 2, failed 2 (2 invalid)')
    const deadLines = readFileSync(dead, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as {value: string; line: number})
    expect(deadLines.map((d) => [d.line, d.value])).toEqual([[2, '99999999999'], [4, 'x']])
  })

  it('records not delivered go to the dead-letter file and replay from it unchanged', async () => {
    const t = await topic('pr-dead')
    const dead = join(work, 'too-large.jsonl')
    const big = 'x'.repeat(3000)
    const result = await runKafkit(['produce', t, '-b', bootstrap, '-X', 'message.max.bytes=2000', '-K', ':', '-H', 'h=v', '--on-error', 'skip', '--dead-letter', dead], {
      input: `a:small\nb:${big}\nc:small\n`,
    })
    expect(result.exitCode).toBe(6)
    expect(result.stderr).toContain('1 of 3 records were not delivered')
    expect(result.stderr).toContain('larger than the topic or broker accepts')
    const replay = await runKafkit(['produce', t, '-b', bootstrap, '--input', 'jsonl', '--file', dead])
    expect(replay.exitCode).toBe(0)
    const records = await readTopic(t)
    expect(records.map((r) => r.key?.toString())).toEqual(['a', 'c', 'b'])
    expect(records[2]!.value!.toString()).toBe(big)
    expect(records[2]!.headers).toEqual([['h', Buffer.from('v')]])
  })

  it('an unknown topic: exit 5 at once, nothing created', async () => {
    const name = uniqueName('pr-missing')
    const result = await runKafkit(['produce', name, '-b', bootstrap], {input: 'a\n'})
    expect(result.exitCode).toBe(5)
    expect(result.stderr).toContain(`topic ${name} does not exist`)
    expect(await kcat(['-L'])).not.toContain(name)
  })

  it('usage errors: bad escapes, a partition the topic lacks', async () => {
    const t = await topic('pr-usage')
    const escape = await runKafkit(['produce', t, '-b', bootstrap, '-D', '\\q'], {input: ''})
    expect(escape.exitCode).toBe(2)
    expect(escape.stderr).toContain("unknown escape '\\q'")
    const partition = await runKafkit(['produce', t, '-b', bootstrap, '-p', '3'], {input: 'a\n'})
    expect(partition.exitCode).toBe(5)
    expect(partition.stderr).toContain('has no partition 3')
  })
})

describe('produce: transactions', () => {
  it('all records visible to read_committed consumers after a clean run', async () => {
    const t = await topic('pr-txn-ok')
    const result = await runKafkit(['produce', t, '-b', bootstrap, '--transactional-id', uniqueName('tx')], {input: 'a\nb\nc\n'})
    expect(result.exitCode).toBe(0)
    expect(result.stderr).toContain('transaction committed')
    expect(await kcat(['-C', '-t', t, '-e', '-X', 'isolation.level=read_committed', '-f', '%s\n'])).toBe('a\nb\nc\n')
  })

  it('a bad line aborts the whole transaction: nothing visible', async () => {
    const t = await topic('pr-txn-abort')
    const result = await runKafkit(['produce', t, '-b', bootstrap, '--transactional-id', uniqueName('tx'), '--value-format', 'int'], {input: '1\n2\nbad\n'})
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('transaction aborted')
    expect(result.stderr).toContain('delivered 0')
    // The records reached the log, but a read_committed consumer sees none of them.
    expect((await readTopic(t)).map((r) => r.value!.readInt32BE(0))).toEqual([1, 2])
    expect(await kcat(['-C', '-t', t, '-e', '-X', 'isolation.level=read_committed', '-f', '%s\n'])).toBe('')
  })
})

describe('produce: signals', () => {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${signal} stops reading, delivers what was read, prints the summary, exits ${code}`, async () => {
      const t = await topic(`pr-${signal.toLowerCase()}`)
      const child = spawn(process.execPath, [kafkitBin, 'produce', t, '-b', bootstrap, '--print-delivery'], {env: baseEnv(), stdio: ['pipe', 'pipe', 'pipe']})
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (d) => (stdout += d))
      child.stderr.on('data', (d) => (stderr += d))
      // stdin stays open, like a person typing: the records arrive, then the signal.
      child.stdin.write('one\ntwo\n')
      const deadline = Date.now() + 20_000
      while (stdout.split('\n').length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
      child.kill(signal)
      const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve))
      expect(exitCode).toBe(code)
      expect(stderr).toContain('read 2, delivered 2, failed 0')
      expect(stderr).toContain(`interrupted by ${signal}`)
      expect((await readTopic(t)).map((r) => r.value?.toString())).toEqual(['one', 'two'])
    })
  }
})

/** Every stderr line under --json is a JSON object; returns them. */
function jsonLines(stderr: string): Array<Record<string, {code?: string; line?: number; message?: string; exitCode?: number}>> {
  return stderr.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, {code?: string; line?: number; message?: string; exitCode?: number}>)
}

const occurrences = (text: string, part: string) => text.split(part).length - 1

describe('produce --json: the summary on stdout whatever the exit code, only JSON on stderr', () => {
  it('invalid input (exit 2): the summary, one JSON warning per bad line, then the error object', async () => {
    const t = await topic('pr-json-invalid')
    const result = await runKafkit(['produce', t, '-b', bootstrap, '--value-format', 'int', '--on-error', 'skip', '--json'], {input: '1\nabc\n3\nx\n'})
    expect(result.exitCode).toBe(2)
    expect(JSON.parse(result.stdout)).toMatchObject({topic: t, read: 4, delivered: 2, failed: 2, invalid: 2, interrupted: null, firstInvalid: "line 2: value: not a valid int value: 'abc' is not an integer"})
    const stderr = jsonLines(result.stderr)
    expect(stderr.map((o) => o.warning?.line ?? o.error?.exitCode)).toEqual([2, 4, 2])
    expect(stderr[0]!.warning).toEqual({code: 'invalid_input', line: 2, message: "line 2: value: not a valid int value: 'abc' is not an integer"})
  })

  it('records not delivered (exit 6): the summary names the failure', async () => {
    const t = await topic('pr-json-partial')
    const result = await runKafkit(['produce', t, '-b', bootstrap, '-X', 'message.max.bytes=2000', '--on-error', 'skip', '--json'], {input: `small\n${'x'.repeat(3000)}\nsmall\n`})
    expect(result.exitCode).toBe(6)
    const summary = JSON.parse(result.stdout) as {read: number; delivered: number; failed: number; failures: Array<{code: string; count: number}>}
    expect(summary).toMatchObject({read: 3, delivered: 2, failed: 1, invalid: 0})
    expect(summary.failures).toEqual([expect.objectContaining({code: 'MSG_SIZE_TOO_LARGE', count: 1})])
    expect(jsonLines(result.stderr).map((o) => o.error?.exitCode)).toEqual([6])
  })

  it('SIGINT (exit 130): the summary of what was read and delivered', async () => {
    const t = await topic('pr-json-sigint')
    const child = spawn(process.execPath, [kafkitBin, 'produce', t, '-b', bootstrap, '--json'], {env: baseEnv(), stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
    // stdin stays open: the records arrive and are delivered, then the signal.
    child.stdin.write('one\ntwo\n')
    const deadline = Date.now() + 20_000
    while ((await kcat(['-C', '-t', t, '-e', '-f', '%s\n'])).split('\n').length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    child.kill('SIGINT')
    expect(await exited).toBe(130)
    expect(JSON.parse(stdout)).toMatchObject({topic: t, read: 2, delivered: 2, failed: 0, interrupted: 'SIGINT'})
    expect(jsonLines(stderr).map((o) => [o.error?.code, o.error?.exitCode])).toEqual([['interrupted', 130]])
  })
})

describe('produce: each invalid line is reported once', () => {
  const bad = "line 3: value: not a valid int value: 'abc' is not an integer"
  for (const onError of ['fail', 'skip']) {
    it(`--on-error ${onError}: one stderr line for the bad line, then the summary and an error that counts`, async () => {
      const t = await topic(`pr-once-${onError}`)
      const result = await runKafkit(['produce', t, '-b', bootstrap, '--value-format', 'int', '--on-error', onError], {input: '1\n2\nabc\n4\n'})
      expect(result.exitCode).toBe(2)
      expect(occurrences(result.stderr, bad)).toBe(1)
      expect(occurrences(result.stderr, 'line 3')).toBe(1)
      expect(result.stderr).toContain('error: 1 invalid input record\n')
    })
  }

  it('--json: once, in its warning object', async () => {
    const t = await topic('pr-once-json')
    const result = await runKafkit(['produce', t, '-b', bootstrap, '--value-format', 'int', '--json'], {input: '1\n2\nabc\n'})
    expect(result.exitCode).toBe(2)
    expect(occurrences(result.stderr, bad)).toBe(1)
  })
})
