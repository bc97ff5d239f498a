import {spawn} from 'node:child_process'
import {createRequire} from 'node:module'

import {beforeAll, describe, expect, inject, it} from 'vitest'

import {kafkaClasspath} from './apache.js'
import {createTopics} from './admin-client.js'
import {baseEnv, kafkitBin, runProgram as run, runKafkit, stripAnsi, uniqueName} from './cli.js'
import {groupState, waitFor} from './groups-fixtures.js'

const Kafka = createRequire(import.meta.url)('@confluentinc/kafka-javascript') as typeof import('@confluentinc/kafka-javascript')
const bootstrap = inject('bootstrap')


const kafkit = (args: string[], input?: string | Buffer) => run(process.execPath, [kafkitBin, ...args, '-b', bootstrap], input)
// Producing with idempotence keeps kcat's records in order even while a new topic's leader settles.
const kcat = (args: string[], input?: string | Buffer) =>
  run('kcat', ['-b', bootstrap, ...(args.includes('-P') ? ['-X', 'enable.idempotence=true'] : []), ...args], input)

/** The committed offsets of a group, per partition (-1: none), read with a real consumer. */
async function committed(group: string, topic: string, partitions: number): Promise<number[]> {
  const out: number[] = []
  for (let p = 0; p < partitions; p++) {
    const consumer = new Kafka.KafkaConsumer({'bootstrap.servers': bootstrap, 'group.id': group, log_level: 0}, {})
    await new Promise<void>((resolve, reject) => consumer.connect({timeout: 15_000}, (err) => (err ? reject(err) : resolve())))
    const offsets = await new Promise<Array<{offset: number}>>((resolve, reject) =>
      consumer.committed([{topic, partition: p}], 15_000, (err, tps) => (err ? reject(err) : resolve(tps))),
    )
    // No committed offset: the client leaves `offset` out.
    out.push(offsets[0]!.offset ?? -1)
    await new Promise<void>((resolve) => consumer.disconnect(() => resolve()))
  }
  return out
}

/** N numbered records "r0".."rN-1" with keys "k0".., spread round robin over the partitions with kcat. */
async function fill(topic: string, partitions: number, perPartition: number): Promise<void> {
  for (let p = 0; p < partitions; p++) {
    const lines = Array.from({length: perPartition}, (_, i) => `k${p}-${i}:p${p}-r${i}`).join('\n') + '\n'
    const result = await kcat(['-P', '-t', topic, '-p', String(p), '-K:'], lines)
    expect(result.exitCode).toBe(0)
  }
}

const lines = (b: Buffer) => b.toString('utf8').split('\n').filter((l) => l !== '')

describe('consume: interop with kcat and the Apache console producer', () => {
  const topic = uniqueName('cons-interop')
  beforeAll(async () => {
    await createTopics(bootstrap, [topic])
    // Keys (-K), repeated and empty headers (-H), a tombstone (-Z: empty value = null), binary bytes.
    await kcat(['-P', '-t', topic, '-K:', '-Z', '-H', 'h1=a', '-H', 'h1=b', '-H', 'h2='], 'k1:v1\nk2:\nk3:hello world\n')
    await kcat(['-P', '-t', topic, '-K', '|'], Buffer.concat([Buffer.from('bin|'), Buffer.from([0xff, 0xfe, 0x00, 0x41]), Buffer.from('\n')]))
  })

  /** Extra records kcat cannot write: a null key with a non-UTF-8 header value, a non-UTF-8 key. */
  async function produceOddRecords(target: string): Promise<void> {
    const producer = new Kafka.Producer({'bootstrap.servers': bootstrap, log_level: 0, 'enable.idempotence': true})
    await new Promise<void>((resolve, reject) => producer.connect({}, (err) => (err ? reject(err) : resolve())))
    producer.produce(target, 0, Buffer.from('no key'), null, Date.now(), undefined, [{a: Buffer.from('1')}, {a: Buffer.from([0xc3, 0x28])}])
    producer.produce(target, 0, null, Buffer.from([0x80, 0x81]), Date.now())
    await new Promise<void>((resolve, reject) => producer.flush(10_000, (err) => (err ? reject(err) : resolve())))
    await new Promise<void>((resolve) => producer.disconnect(() => resolve()))
  }

  it('-f output is byte for byte what kcat -C -f prints', async () => {
    const format = '%t|%p|%o|%k|%s|%K|%S|%h\\n'
    const ours = await kafkit(['consume', topic, '-e', '-f', format])
    const theirs = await kcat(['-C', '-t', topic, '-e', '-q', '-o', 'beginning', '-f', format.replace('\\n', '\n')])
    expect(ours.exitCode).toBe(0)
    expect(ours.stderr).toBe('')
    expect(ours.stdout.length).toBeGreaterThan(0)
    expect(ours.stdout.equals(theirs.stdout)).toBe(true)
  })

  it('-f prints a null header value as kcat does (NULL), unlike an empty one', async () => {
    const nullHeaders = uniqueName('cons-nullh')
    await createTopics(bootstrap, [nullHeaders])
    // A header without "=" has a null value.
    await kcat(['-P', '-t', nullHeaders, '-K:', '-H', 'nullh', '-H', 'empty=', '-H', 'x=1'], 'k:v\n')
    const format = '%h|%k|%s\\n'
    const ours = await kafkit(['consume', nullHeaders, '-e', '-f', format])
    const theirs = await kcat(['-C', '-t', nullHeaders, '-e', '-q', '-o', 'beginning', '-f', format.replace('\\n', '\n')])
    expect(ours.stdout.toString()).toBe('nullh=NULL,empty=,x=1|k|v\n')
    expect(ours.stdout.equals(theirs.stdout)).toBe(true)
  })

  it('piped default: the value alone per line, like kcat', async () => {
    const ours = await kafkit(['consume', topic, '-e'])
    const theirs = await kcat(['-C', '-t', topic, '-e', '-q', '-o', 'beginning'])
    expect(ours.stdout.equals(theirs.stdout)).toBe(true)
  })

  it('--output jsonl: keys, nulls, header order and duplicates, non-UTF-8 as base64', async () => {
    const result = await kafkit(['consume', topic, '-e', '--output', 'jsonl'])
    const records = lines(result.stdout).map((l) => JSON.parse(l))
    expect(records.map((r) => [r.offset, r.key, r.value])).toEqual([
      [0, 'k1', 'v1'],
      [1, 'k2', null],
      [2, 'k3', 'hello world'],
      [3, 'bin', {base64: Buffer.from([0xff, 0xfe, 0x00, 0x41]).toString('base64')}],
    ])
    expect(records[0].headers).toEqual([
      {key: 'h1', value: 'a'},
      {key: 'h1', value: 'b'},
      {key: 'h2', value: ''},
    ])
    expect(records[3].headers).toEqual([])
    expect(records[0]).toMatchObject({topic, partition: 0, timestampType: 'create'})
    expect(new Date(records[0].timestampIso).getTime()).toBe(records[0].timestamp)
  })

  it("records from Apache's console producer (parse.key, parse.headers, null.marker) print exactly", async () => {
    const apacheTopic = uniqueName('cons-apache')
    await createTopics(bootstrap, [apacheTopic])
    const input = 'h1:x,h2:y\tkey1\tvalue one\nh3:z\tkey2\tNULL\n'
    const produced = await run('java', [
      '-cp',
      await kafkaClasspath(),
      'org.apache.kafka.tools.ConsoleProducer',
      '--bootstrap-server',
      bootstrap,
      '--topic',
      apacheTopic,
      '--reader-property',
      'parse.key=true',
      '--reader-property',
      'parse.headers=true',
      '--reader-property',
      'null.marker=NULL',
    ], input)
    expect(produced.exitCode).toBe(0)
    const result = await kafkit(['consume', apacheTopic, '-e', '--output', 'jsonl'])
    const records = lines(result.stdout).map((l) => JSON.parse(l))
    expect(records.map((r) => [r.key, r.value, r.headers])).toEqual([
      ['key1', 'value one', [{key: 'h1', value: 'x'}, {key: 'h2', value: 'y'}]],
      ['key2', null, [{key: 'h3', value: 'z'}]],
    ])
    // The Apache consumer's layout with --print-*.
    const apacheStyle = await kafkit(['consume', apacheTopic, '-e', '--print-key', '--print-headers', '--print-partition', '--print-offset'])
    expect(apacheStyle.stdout.toString()).toBe('Partition:0\tOffset:0\th1:x,h2:y\tkey1\tvalue one\nPartition:0\tOffset:1\th3:z\tkey2\tnull\n')
    const noHeaders = await kafkit(['consume', topic, '-e', '-c', '1', '--print-headers', '-p', '0', '-o', '3'])
    expect(noHeaders.stdout.toString()).toMatch(/^NO_HEADERS\t/)
  })

  it('consume -e --output jsonl | produce --input jsonl reproduces every record', async () => {
    const source = uniqueName('cons-src')
    const copy = uniqueName('cons-copy')
    await createTopics(bootstrap, [source, copy])
    await kcat(['-P', '-t', source, '-K:', '-Z', '-H', 'h1=a', '-H', 'h1=b', '-H', 'h2='], 'k1:v1\nk2:\nk3:hello world\n')
    await kcat(['-P', '-t', source, '-K', '|'], Buffer.concat([Buffer.from('bin|'), Buffer.from([0xff, 0xfe, 0x00, 0x41]), Buffer.from('\n')]))
    await produceOddRecords(source)
    // Without -Z an empty value is empty, not null.
    await kcat(['-P', '-t', source, '-K:'], 'k4:\n')
    // A null header value next to an empty one (a header without "=").
    await kcat(['-P', '-t', source, '-K:', '-H', 'nullh', '-H', 'empty='], 'k5:v5\n')
    const exported = await kafkit(['consume', source, '-e', '--output', 'jsonl'])
    expect(lines(exported.stdout)).toHaveLength(8)
    expect(lines(exported.stdout).map((l) => JSON.parse(l).headers)).toContainEqual([{key: 'nullh', value: null}, {key: 'empty', value: ''}])
    const produced = await kafkit(['produce', copy, '--input', 'jsonl'], exported.stdout)
    expect(produced.exitCode).toBe(0)
    // Record by record: key, value, lengths (-1 = null) and headers, as bytes.
    const format = '%K|%k{hex}|%S|%s{hex}|%h{hex}\n'
    const original = await kafkit(['consume', source, '-e', '-f', format])
    const copied = await kafkit(['consume', copy, '-e', '-f', format])
    expect(lines(copied.stdout)).toHaveLength(8)
    expect(copied.stdout.toString()).toBe(original.stdout.toString())
    expect(lines(copied.stdout)).toContain(`2|6b35|2|${Buffer.from('v5').toString('hex')}|nullh=NULL,empty=`)
    expect(lines(original.stdout)).toContain(`-1||6|${Buffer.from('no key').toString('hex')}|a=31,a=c328`)
    expect(lines(original.stdout)).toContain('2|8081|-1||')
    expect(lines(original.stdout)).toContain('2|6b34|0||')
    expect(lines(original.stdout)).toContain('2|6b32|-1||h1=61,h1=62,h2=')
    // The same check through the jsonl of both topics, without topic, offset and time.
    const strip = (b: Buffer) => lines(b).map((l) => {
      const {key, value, headers} = JSON.parse(l)
      return {key, value, headers}
    })
    expect(strip((await kafkit(['consume', copy, '-e', '--output', 'jsonl'])).stdout)).toEqual(strip(exported.stdout))
  })
})

describe('consume: where to start and stop', () => {
  const topic = uniqueName('cons-offsets')
  beforeAll(async () => {
    await createTopics(bootstrap, [topic], 3)
    await fill(topic, 3, 10)
  })
  const values = async (args: string[]) => {
    const result = await kafkit(['consume', topic, ...args, '-f', '%p:%o\\n'])
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
    return lines(result.stdout).sort()
  }
  const kcatValues = async (args: string[]) => lines((await kcat(['-C', '-t', topic, '-q', ...args, '-f', '%p:%o\n'])).stdout).sort()
  const expected = (ranges: Array<[number, number, number]>) => ranges.flatMap(([p, from, to]) => Array.from({length: to - from}, (_, i) => `${p}:${from + i}`)).sort()

  it('beginning / -N / N agree with kcat', async () => {
    expect(await values(['-e'])).toEqual(await kcatValues(['-e', '-o', 'beginning']))
    expect(await values(['-e', '-o', '-3'])).toEqual(await kcatValues(['-e', '-o', '-3']))
    expect(await values(['-e', '-o', '-3'])).toEqual(expected([[0, 7, 10], [1, 7, 10], [2, 7, 10]]))
    expect(await values(['-e', '-o', '4', '-p', '1'])).toEqual(await kcatValues(['-e', '-o', '4', '-p', '1']))
    expect(await values(['-e', '-o', 'end'])).toEqual([])
  })

  it('ranges, +N, per-partition overrides, Spark JSON, count', async () => {
    expect(await values(['-o', '2:5'])).toEqual(expected([[0, 2, 5], [1, 2, 5], [2, 2, 5]]))
    expect(await values(['-o', '+8:end'])).toEqual(expected([[0, 8, 10], [1, 8, 10], [2, 8, 10]]))
    expect(await values(['-e', '-o', 'end,1=6'])).toEqual(expected([[1, 6, 10]]))
    expect(await values(['-e', '-o', `{"${topic}":{"0":9,"2":-2}}`])).toEqual(expected([[0, 9, 10], [2, 0, 10]]))
    expect(await values(['-o', '-4', '-c', '2', '-p', '2'])).toEqual(expected([[2, 6, 8]]))
    expect(await values(['--from-beginning', '-e', '-p', '0,2', '-c', '100'])).toEqual(expected([[0, 0, 10], [2, 0, 10]]))
  })

  it("Spark's JSON names its topics: without a topic argument, it reads those", async () => {
    const result = await kafkit(['consume', '-e', '-o', `{"${topic}":{"0":5,"2":8}}`, '-f', '%t %p:%o\\n'])
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
    expect(lines(result.stdout).sort()).toEqual(expected([[0, 5, 10], [2, 8, 10]]).map((po) => `${topic} ${po}`))
    const none = await kafkit(['consume', '-e'])
    expect(none.exitCode).toBe(2)
    expect(none.stderr).toContain('name a topic to read')
  })

  it('-p ranges include their end, as everywhere in kafkit; open ranges; a range stops at the last partition', async () => {
    expect(await values(['-e', '-o', '-1', '-p', '0-1'])).toEqual(expected([[0, 9, 10], [1, 9, 10]]))
    expect(await values(['-e', '-o', '-1', '-p', '1-'])).toEqual(expected([[1, 9, 10], [2, 9, 10]]))
    expect(await values(['-e', '-o', '-1', '-p', '1-9'])).toEqual(expected([[1, 9, 10], [2, 9, 10]]))
    const bad = await kafkit(['consume', topic, '-p', '2-1', '-e'])
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toContain("invalid partition range '2-1'")
  })

  it('by time: @TIME and --until', async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString()
    expect(await values(['-e', '-o', `@${future}`])).toEqual([])
    expect(await values(['-e', '-o', '@-1h'])).toHaveLength(30)
    expect(await values(['--until', '2000-01-01'])).toEqual([])
  })

  it('--isolation-level read_committed hides an aborted transaction; -e still ends', async () => {
    const txTopic = uniqueName('cons-tx')
    await createTopics(bootstrap, [txTopic])
    await kcat(['-P', '-t', txTopic], 'before\n')
    const producer = new Kafka.Producer({'bootstrap.servers': bootstrap, log_level: 0, 'transactional.id': uniqueName('cons-tx-id')})
    await new Promise<void>((resolve, reject) => producer.connect({}, (err) => (err ? reject(err) : resolve())))
    await new Promise<void>((resolve, reject) => producer.initTransactions(15_000, (err) => (err ? reject(err) : resolve())))
    await new Promise<void>((resolve, reject) => producer.beginTransaction((err) => (err ? reject(err) : resolve())))
    producer.produce(txTopic, 0, Buffer.from('aborted'))
    await new Promise<void>((resolve, reject) => producer.flush(10_000, (err) => (err ? reject(err) : resolve())))
    await new Promise<void>((resolve, reject) => producer.abortTransaction(15_000, (err) => (err ? reject(err) : resolve())))
    await new Promise<void>((resolve) => producer.disconnect(() => resolve()))
    await kcat(['-P', '-t', txTopic], 'after\n')
    const committedOnly = await kafkit(['consume', txTopic, '-e', '--isolation-level', 'read_committed'])
    expect(lines(committedOnly.stdout)).toEqual(['before', 'after'])
    const everything = await kafkit(['consume', txTopic, '-e'])
    expect(lines(everything.stdout)).toEqual(['before', 'aborted', 'after'])
  })

  it('--idle-timeout ends a follow', async () => {
    const started = Date.now()
    expect(await values(['-o', '-1', '--idle-timeout', '1s'])).toEqual(expected([[0, 9, 10], [1, 9, 10], [2, 9, 10]]))
    expect(Date.now() - started).toBeLessThan(15_000)
  })

  it('the JS path (native loop disabled) gives the same records', async () => {
    const result = await run(process.execPath, [kafkitBin, 'consume', topic, '-o', '2:5', '-f', '%p:%o\\n', '-b', bootstrap], '', baseEnv({KAFKIT_NATIVE_CONSUME: '0'}))
    expect(lines(result.stdout).sort()).toEqual(expected([[0, 2, 5], [1, 2, 5], [2, 2, 5]]))
  })

  it('an offset out of range follows auto.offset.reset and says so', async () => {
    const result = await kafkit(['consume', topic, '-p', '0', '-o', '500', '-e', '-f', '%o\\n', '-X', 'auto.offset.reset=earliest'])
    expect(result.exitCode).toBe(0)
    expect(lines(result.stdout)).toHaveLength(10)
    expect(result.stderr).toContain('offset 500 is out of range (0-10); starting at 0 (auto.offset.reset=earliest)')
  })

  it('clear errors: unknown topic, partition out of range, bad offset, stored without a group', async () => {
    const missing = await kafkit(['consume', uniqueName('cons-missing'), '-e'])
    expect(missing.exitCode).toBe(5)
    expect(missing.stderr).toMatch(/error: topic cons-missing-\S+ does not exist/)
    const partition = await kafkit(['consume', topic, '-p', '7', '-e'])
    expect(partition.exitCode).toBe(5)
    expect(partition.stderr).toContain(`topic ${topic} has no partition 7 (it has 3: 0-2)`)
    const bad = await kafkit(['consume', topic, '-o', 'yesterday'])
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toContain("invalid offset 'yesterday'")
    expect(bad.stderr).toContain('beginning | earliest | start | oldest')
    const stored = await kafkit(['consume', topic, '-o', 'stored', '-e'])
    expect(stored.exitCode).toBe(2)
    expect(stored.stderr).toContain('needs a consumer group')
    for (const r of [missing, partition, bad, stored]) expect(r.stderr).not.toMatch(/\n\s+at /)
  })
})

describe('consume: formats and output modes', () => {
  const topic = uniqueName('cons-formats')
  beforeAll(async () => {
    await createTopics(bootstrap, [topic])
    const int = (n: number) => {
      const b = Buffer.alloc(4)
      b.writeInt32BE(n)
      return b
    }
    // Three int values and one that is not 4 bytes; a JSON value.
    for (const value of [int(1), int(-2), int(300), Buffer.from([1, 2, 3])]) {
      await kcat(['-P', '-t', topic], Buffer.concat([value, Buffer.from('\n')]))
    }
  })

  it('--value-format int decodes; bytes that do not fit are marked on stderr', async () => {
    const result = await kafkit(['consume', topic, '-e', '--value-format', 'int'])
    expect(result.exitCode).toBe(0)
    expect(lines(result.stdout)).toEqual(['1', '-2', '300', '0x010203'])
    expect(result.stderr).toContain(`topic ${topic} partition 0 offset 3: value: not a valid int value: expected 4 bytes, got 3 (shown as hex)`)
    const skip = await kafkit(['consume', topic, '-e', '--value-format', 'int', '--on-error', 'skip'])
    expect(lines(skip.stdout)).toEqual(['1', '-2', '300'])
    const fail = await kafkit(['consume', topic, '-e', '--value-format', 'int', '--on-error', 'fail'])
    expect(fail.exitCode).toBe(2)
    expect(lines(fail.stdout)).toEqual([])
    expect(fail.stderr).toContain('error: topic')
  })

  it('the notices say what happened: base64 in jsonl, the format named in the count; no warnings when no format was chosen', async () => {
    const jsonl = await kafkit(['consume', topic, '-e', '--value-format', 'int', '--output', 'jsonl'])
    expect(JSON.parse(lines(jsonl.stdout)[3]!).value).toEqual({base64: 'AQID'})
    expect(jsonl.stderr).toContain('value: not a valid int value: expected 4 bytes, got 3 (written as base64)')
    expect(jsonl.stderr.split('\n')).toContain('1 field(s) did not fit --value-format int')
    // On a terminal with no format flag, bytes that are not UTF-8 are shown as hex, quietly.
    const binary = `${topic}-bin`
    await createTopics(bootstrap, [binary])
    await kcat(['-P', '-t', binary], Buffer.from([0xff, 0xfe, 0x0a]))
    const view = await runKafkit(['consume', binary, '-e', '-b', bootstrap], {tty: true})
    expect(view.exitCode).toBe(0)
    expect(stripAnsi(view.stdout)).toContain('0xfffe')
    expect(stripAnsi(view.stdout)).not.toMatch(/warning|did not fit/)
  })

  it('-f modifiers: %v{hex} %v{base64} %T{iso}', async () => {
    const result = await kafkit(['consume', topic, '-e', '-c', '1', '-f', '%v{hex} %v{base64} %T{iso}\\n'])
    expect(result.stdout.toString()).toMatch(/^00000001 AAAAAQ== \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\n$/)
  })

  it('on a terminal: a readable view with partition:offset and time', async () => {
    const result = await runKafkit(['consume', topic, '-e', '-c', '2', '--value-format', 'int', '-b', bootstrap], {tty: true})
    const out = stripAnsi(result.stdout)
    expect(out).toMatch(/^0:0 \d{4}-\d\d-\d\dT[\d:.]+Z 1\n0:1 \d{4}-\d\d-\d\dT[\d:.]+Z -2\n/)
  })

  it('following on a terminal says once that it caught up; piped it never does', async () => {
    const view = await runKafkit(['consume', topic, '-o', 'beginning', '--idle-timeout', '3s', '-b', bootstrap], {tty: true})
    expect(view.exitCode).toBe(0)
    const out = stripAnsi(view.stdout)
    expect(out.match(/caught up, waiting for new records/g)).toHaveLength(1)
    // After the records, not before them.
    expect(out.indexOf('caught up')).toBeGreaterThan(out.indexOf('0:3 '))
    const piped = await kafkit(['consume', topic, '-o', 'beginning', '--idle-timeout', '3s'])
    expect(piped.stderr).not.toContain('caught up')
  })

  it('jsonl reports log-append time for a topic with message.timestamp.type=LogAppendTime', async () => {
    const logAppend = uniqueName('cons-lat')
    const admin = Kafka.AdminClient.create({'bootstrap.servers': bootstrap, log_level: 0})
    await new Promise<void>((resolve, reject) =>
      admin.createTopic({topic: logAppend, num_partitions: 1, replication_factor: 1, config: {'message.timestamp.type': 'LogAppendTime'}}, 15_000, (err) => (err ? reject(err) : resolve())),
    )
    admin.disconnect()
    await kcat(['-P', '-t', logAppend], 'x\n')
    const appended = JSON.parse(lines((await kafkit(['consume', logAppend, '-e', '--output', 'jsonl'])).stdout)[0]!)
    const created = JSON.parse(lines((await kafkit(['consume', topic, '-e', '-c', '1', '--output', 'jsonl'])).stdout)[0]!)
    expect([appended.timestampType, created.timestampType]).toEqual(['log-append', 'create'])
    // --print-timestamp says which kind, as Apache's console consumer does, on both read paths.
    const apache = await run('java', ['-cp', await kafkaClasspath(), 'org.apache.kafka.tools.consumer.ConsoleConsumer', '--bootstrap-server', bootstrap,
      '--topic', logAppend, '--from-beginning', '--max-messages', '1', '--formatter-property', 'print.timestamp=true'], '')
    expect(apache.stdout.toString()).toBe(`LogAppendTime:${appended.timestamp}\tx\n`)
    expect((await kafkit(['consume', logAppend, '-e', '--print-timestamp'])).stdout.toString()).toBe(apache.stdout.toString())
    const jsPath = await run(process.execPath, [kafkitBin, 'consume', logAppend, '-e', '--print-timestamp', '-b', bootstrap], '', baseEnv({KAFKIT_NATIVE_CONSUME: '0'}))
    expect(jsPath.stdout.toString()).toBe(apache.stdout.toString())
    expect((await kafkit(['consume', topic, '-e', '-c', '1', '-p', '0', '-f', '%T{type}\n'])).stdout.toString()).toMatch(/^CreateTime:\d{13}\n$/)
  }, 60_000)

  it('--json returns the records and a summary', async () => {
    const result = await kafkit(['consume', topic, '-e', '-c', '2', '--value-format', 'int', '--json'])
    expect(result.exitCode).toBe(0)
    const doc = JSON.parse(result.stdout.toString())
    expect(doc).toMatchObject({records: 2, stoppedBy: 'count', committed: false, partitions: [{topic, partition: 0, next: 2}]})
    expect(doc.messages.map((m: {value: number}) => m.value)).toEqual([1, -2])
  })
})

describe('consume: groups, pipes and signals', () => {
  const topic = uniqueName('cons-group')
  beforeAll(async () => {
    await createTopics(bootstrap, [topic], 4)
    await fill(topic, 4, 25)
  })

  it('-e works in group mode and commits what was printed; a second run prints nothing', async () => {
    const group = uniqueName('cons-g')
    const first = await kafkit(['consume', topic, '-g', group, '-e'])
    expect(first.exitCode).toBe(0)
    expect(lines(first.stdout)).toHaveLength(100)
    expect(await committed(group, topic, 4)).toEqual([25, 25, 25, 25])
    const second = await kafkit(['consume', topic, '-g', group, '-e'])
    expect(second.exitCode).toBe(0)
    expect(lines(second.stdout)).toEqual([])
  })

  it('--grep and --filter print only matching records; -c counts those; a group commits past the others', async () => {
    const t = uniqueName('cons-grep')
    await createTopics(bootstrap, [t], 2)
    const records = Array.from({length: 40}, (_, i) => ({
      key: `k${i}`,
      value: i % 4 === 0 ? `EUR ${i}` : `USD ${i}`,
      headers: [{key: 'type', value: i % 5 === 0 ? 'refund' : 'sale'}],
      partition: i % 2,
    }))
    const produced = await kafkit(['produce', t, '--input', 'jsonl'], records.map((r) => JSON.stringify(r)).join('\n'))
    expect(produced.exitCode).toBe(0)
    const sorted = (b: Buffer) => lines(b).sort()
    const want = (keep: (i: number) => boolean) => records.filter((_, i) => keep(i)).map((r) => r.value).sort()

    expect(sorted((await kafkit(['consume', t, '-e', '--grep', '^EUR'])).stdout)).toEqual(want((i) => i % 4 === 0))
    expect(sorted((await kafkit(['consume', t, '-e', '--filter', 'header:type~^refund$'])).stdout)).toEqual(want((i) => i % 5 === 0))
    expect(sorted((await kafkit(['consume', t, '-e', '--filter', 'header:type~refund', '--grep', 'EUR'])).stdout)).toEqual(want((i) => i % 20 === 0))
    const counted = await kafkit(['consume', t, '-e', '--grep', 'EUR', '-c', '3'])
    expect(lines(counted.stdout)).toHaveLength(3)
    expect(lines(counted.stdout).every((l) => l.startsWith('EUR'))).toBe(true)

    const group = uniqueName('cons-grep-g')
    const filtered = await kafkit(['consume', t, '-g', group, '-e', '--grep', '^EUR'])
    expect(sorted(filtered.stdout)).toEqual(want((i) => i % 4 === 0))
    expect(await committed(group, t, 2)).toEqual([20, 20])
    const bad = await kafkit(['consume', t, '-e', '--filter', 'size~3'])
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toContain("--filter 'size~3': unknown field 'size'")
  }, 60_000)

  it('--pattern reads every matching topic, with and without a group', async () => {
    const prefix = uniqueName('cons-pat')
    await createTopics(bootstrap, [`${prefix}.a`, `${prefix}.b`, `${prefix}-other`])
    for (const t of [`${prefix}.a`, `${prefix}.b`, `${prefix}-other`]) await kcat(['-P', '-t', t], `${t}\n`)
    const pattern = `${prefix}\\.(a|b)`
    const direct = await kafkit(['consume', '--pattern', pattern, '-e'])
    expect(lines(direct.stdout).sort()).toEqual([`${prefix}.a`, `${prefix}.b`])
    const grouped = await kafkit(['consume', '--pattern', pattern, '-e', '-g', uniqueName('cons-pat-g')])
    expect(grouped.exitCode).toBe(0)
    expect(lines(grouped.stdout).sort()).toEqual([`${prefix}.a`, `${prefix}.b`])
  })

  it('two consumers in one group split the partitions', async () => {
    const group = uniqueName('cons-split')
    const fresh = uniqueName('cons-split-t')
    await createTopics(bootstrap, [fresh], 4)
    const args = ['consume', fresh, '-g', group, '--idle-timeout', '12s', '-f', '%p\\n']
    const both = Promise.all([kafkit(args), kafkit(args)])
    // Once both have joined and the group is balanced, write 10 records to every partition.
    await new Promise((resolve) => setTimeout(resolve, 7000))
    await fill(fresh, 4, 10)
    const [a, b] = await both
    const partitionsA = new Set(lines(a.stdout))
    const partitionsB = new Set(lines(b.stdout))
    expect(lines(a.stdout).length + lines(b.stdout).length).toBe(40)
    expect(new Set([...partitionsA, ...partitionsB])).toEqual(new Set(['0', '1', '2', '3']))
    // Each partition went to exactly one of them.
    expect([...partitionsA].filter((p) => partitionsB.has(p))).toEqual([])
    expect(partitionsA.size).toBe(2)
    expect(partitionsB.size).toBe(2)
  }, 60_000)

  it('| head -n 5 exits 0 at once, without a stack trace, committing nothing past what was printed', async () => {
    const group = uniqueName('cons-head')
    const started = Date.now()
    const result = await run('bash', ['-c', `set -o pipefail; "${process.execPath}" "${kafkitBin}" consume ${topic} -g ${group} -b ${bootstrap} | head -n 5`])
    expect(result.exitCode).toBe(0)
    expect(lines(result.stdout)).toHaveLength(5)
    expect(result.stderr).toBe('')
    expect(Date.now() - started).toBeLessThan(20_000)
    const offsets = await committed(group, topic, 4)
    // head took an unknown part of what reached the pipe: nothing is committed.
    expect(offsets).toEqual([-1, -1, -1, -1])
  })

  /** Starts a group consumer that follows `topic`, waits until it printed everything, then sends `signal`. */
  async function interruptFollowing(group: string, signal: 'SIGINT' | 'SIGTERM', extra: string[] = []) {
    const child = spawn(process.execPath, [kafkitBin, 'consume', topic, '-g', group, '-b', bootstrap, '-f', '%p:%o\\n', ...extra], {env: baseEnv()})
    const out: Buffer[] = []
    child.stdout.on('data', (d: Buffer) => out.push(d))
    let err = ''
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)))
    let gone = false
    void exited.then(() => (gone = true))
    // Wait until everything was printed (under --json nothing is printed before the end: until
    // the consumer joined the group), then interrupt it.
    if (extra.includes('--json')) await waitFor('the consumer to join', async () => gone || (await groupState(bootstrap, group)).members === 1)
    else await waitFor('100 records', async () => gone || lines(Buffer.concat(out)).length >= 100)
    expect(gone, `exited early: ${err}`).toBe(false)
    child.kill(signal)
    const exitCode = await exited
    return {exitCode, stdout: Buffer.concat(out).toString(), stderr: err}
  }

  it('SIGINT: stops, commits what was printed, leaves the group, exits 130; SIGTERM exits 143', async () => {
    for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      const group = uniqueName('cons-sig')
      const result = await interruptFollowing(group, signal)
      expect(result.exitCode).toBe(code)
      expect(result.stderr).toBe(`stopped: interrupted by ${signal} after 100 record(s); what was printed is committed\n`)
      expect(await committed(group, topic, 4)).toEqual([25, 25, 25, 25])
    }
  })

  it('SIGINT under --json: the summary and records on stdout, the error object on stderr, exit 130', async () => {
    const group = uniqueName('cons-sig-json')
    const result = await interruptFollowing(group, 'SIGINT', ['--json'])
    expect(result.exitCode).toBe(130)
    const summary = JSON.parse(result.stdout)
    expect(summary).toMatchObject({stoppedBy: 'signal', committed: true})
    expect(summary.messages).toHaveLength(summary.records)
    expect(JSON.parse(result.stderr)).toMatchObject({error: {code: 'interrupted', exitCode: 130}})
    // What was returned is what was committed.
    const offsets = await committed(group, topic, 4)
    expect(offsets.reduce((sum, o) => sum + Math.max(0, o), 0)).toBe(summary.records)
  }, 60_000)
})
