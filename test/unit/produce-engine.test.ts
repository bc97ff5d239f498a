import {describe, expect, it} from 'vitest'

import {FixedHeaders, ProduceBatch} from '../../src/lib/kafka/produce/batch.js'
import {producerConfig} from '../../src/lib/kafka/produce/config.js'
import {produceOutcomeError} from '../../src/lib/kafka/produce/outcome.js'
import {RecordParser} from '../../src/lib/kafka/produce/parse.js'
import {ProduceReports} from '../../src/lib/kafka/produce/reports.js'
import type {ProduceHooks, ProduceSettings, ReadCursor} from '../../src/lib/kafka/produce/settings.js'
import {Tally, type ProduceSummary} from '../../src/lib/kafka/produce/tally.js'
import {DESC_FIELDS, type NativeFailure, type PollResult} from '../../src/lib/kafka/produce/native.js'
import {KafkaSession} from '../../src/lib/kafka/session.js'
import type {Output} from '../../src/lib/output/output.js'
import {deliveryLineFormatter, ProduceReporter, summaryLine} from '../../src/lib/output/produce-report.js'
import {deadLetterLines, type FailedRecord} from '../../src/lib/records/dead-letter.js'
import {parseJsonlRecord} from '../../src/lib/records/jsonl.js'
import {serializerFor} from '../../src/lib/records/serializers.js'

function session(properties: Record<string, string> = {}): KafkaSession {
  return new KafkaSession({
    bootstrapServers: '127.0.0.1:1',
    bootstrapSource: 'flag',
    properties: {'bootstrap.servers': '127.0.0.1:1', ...properties},
    secrets: [],
    warnings: [],
    timeoutMs: 1000,
  })
}

const baseSummary: ProduceSummary = {
  topic: 't',
  read: 10,
  delivered: 10,
  failed: 0,
  invalid: 0,
  elapsedMs: 100,
  recordsPerSecond: 100,
  interrupted: null,
  transaction: null,
  failures: [],
  firstInvalid: null,
  fatal: null,
}

describe('producerConfig', () => {
  it('defaults: acks all, idempotence, the Java-compatible partitioner, no topic auto-creation', () => {
    const config = producerConfig(session(), {deliveryTimeoutMs: 120_000})
    expect(config).toMatchObject({acks: 'all', 'enable.idempotence': 'true', partitioner: 'murmur2_random', 'allow.auto.create.topics': 'false', 'message.timeout.ms': '120000'})
    expect(config['transaction.timeout.ms']).toBeUndefined()
  })

  it('-X overrides defaults and flags override -X', () => {
    expect(producerConfig(session({'linger.ms': '50', partitioner: 'random'}), {deliveryTimeoutMs: 1000})).toMatchObject({'linger.ms': '50', partitioner: 'random'})
    expect(producerConfig(session({'linger.ms': '50'}), {deliveryTimeoutMs: 1000, lingerMs: 7})['linger.ms']).toBe('7')
  })

  it('bounds the queue by default; -X moves the bound, and a larger message.max.bytes raises it to fit two records', () => {
    expect(producerConfig(session(), {deliveryTimeoutMs: 1000})).toMatchObject({'queue.buffering.max.kbytes': '16384', 'queue.buffering.max.messages': '20000'})
    expect(producerConfig(session({'queue.buffering.max.kbytes': '65536', 'queue.buffering.max.messages': '100000'}), {deliveryTimeoutMs: 1000})).toMatchObject({
      'queue.buffering.max.kbytes': '65536',
      'queue.buffering.max.messages': '100000',
    })
    expect(producerConfig(session({'message.max.bytes': '20000000'}), {deliveryTimeoutMs: 1000})['queue.buffering.max.kbytes']).toBe('39064')
    expect(producerConfig(session({'message.max.bytes': '20000000', 'queue.buffering.max.kbytes': '1000'}), {deliveryTimeoutMs: 1000})['queue.buffering.max.kbytes']).toBe('1000')
  })

  it('acks 0/1 turn idempotence off unless asked for, which is then an error', () => {
    expect(producerConfig(session(), {deliveryTimeoutMs: 1000, acks: '1'})['enable.idempotence']).toBe('false')
    expect(() => producerConfig(session(), {deliveryTimeoutMs: 1000, acks: '0', idempotence: true})).toThrow(/--idempotence needs --acks all/)
    expect(producerConfig(session({'request.required.acks': '1'}), {deliveryTimeoutMs: 1000})['enable.idempotence']).toBe('false')
  })

  it('a transactional id needs idempotence and gets a long transaction timeout', () => {
    const config = producerConfig(session(), {deliveryTimeoutMs: 1000, transactionalId: 'tx'})
    expect(config['transactional.id']).toBe('tx')
    expect(config['transaction.timeout.ms']).toBe('600000')
    expect(() => producerConfig(session(), {deliveryTimeoutMs: 1000, transactionalId: 'tx', idempotence: false})).toThrow(/needs idempotence/)
  })
})

describe('ProduceBatch', () => {
  it('slices point into the chunk; -1 lengths mean null', () => {
    const batch = new ProduceBatch()
    batch.reset(null)
    batch.addSlice(0, 1, 2, 3, -1, 0, 0, 0)
    batch.addSlice(0, -1, 6, 0, 2, 0, 0, 1)
    const chunk = Buffer.from('k:val\n')
    batch.useChunk(chunk)
    expect(batch.data).toBe(chunk)
    expect(Array.from(batch.desc.subarray(0, 2 * DESC_FIELDS))).toEqual([0, 1, 2, 3, -1, 0, 0, 0, 0, -1, 6, 0, 2, 0, 0, 1])
  })

  it('copied records, headers and timestamps stay aligned as the buffers grow', () => {
    const batch = new ProduceBatch()
    batch.reset(null)
    const big = Buffer.alloc(3 << 20, 7)
    batch.addBytes(Buffer.from('key'), big, 0, big.length, -1, 0, 0, 0)
    const start = batch.addHeaders([['h', Buffer.from('v')], ['n', null]])
    batch.addBytes(null, null, 0, 0, 1, start, 2, 1)
    batch.setTimestamp(1, 1234)
    const d = batch.desc
    expect(batch.data.subarray(d[0]!, d[0]! + d[1]!).toString()).toBe('key')
    expect(d[3]).toBe(big.length)
    expect(batch.data.subarray(d[2]!, d[2]! + d[3]!).equals(big)).toBe(true)
    expect([d[DESC_FIELDS + 1], d[DESC_FIELDS + 3], d[DESC_FIELDS + 6]]).toEqual([-1, -1, 2])
    expect(Array.from(batch.timestampsIfAny!.subarray(0, 2))).toEqual([0, 1234])
    expect(Array.from(batch.headerDesc.subarray(0, 8))).toEqual([0, 1, 1, 1, 2, 1, 3, -1])
    expect(batch.headerData.toString()).toBe('hvn')
  })

  it('fixed headers keep order and duplicates', () => {
    const headers = new FixedHeaders([['a', Buffer.from('1')], ['a', Buffer.from('2')], ['z', null]])
    expect(headers.count).toBe(3)
    expect(headers.data.toString()).toBe('a1a2z')
    expect(Array.from(headers.desc)).toEqual([0, 1, 1, 1, 2, 1, 3, 1, 4, 1, 5, -1])
  })
})

describe('produceOutcomeError', () => {
  it('is undefined only when every record was delivered', () => {
    expect(produceOutcomeError(baseSummary)).toBeUndefined()
  })

  it('interrupts exit with the signal\'s code (130 / 143)', () => {
    expect(produceOutcomeError({...baseSummary, interrupted: 'SIGINT'})?.exitCode).toBe(130)
    expect(produceOutcomeError({...baseSummary, interrupted: 'SIGTERM'})?.exitCode).toBe(143)
  })

  it('some records not delivered: exit 6 with the reason and how to replay', () => {
    const error = produceOutcomeError({...baseSummary, delivered: 7, failed: 3, failures: [{code: '_MSG_TIMED_OUT', message: 'Local: Message timed out', count: 3}]}, 'dead.jsonl')
    expect(error?.exitCode).toBe(6)
    expect(error?.message).toContain('3 of 10 records were not delivered')
    expect(error?.hint).toContain('--input jsonl --file dead.jsonl')
    expect(error?.hint).not.toContain('fix')
  })

  it('invalid lines in the dead-letter file: the replay hint says to fix them first (a replay would write them as they are)', () => {
    const error = produceOutcomeError({...baseSummary, delivered: 9, failed: 1, invalid: 1, firstInvalid: 'line 2: value is not valid JSON'}, 'dead.jsonl', 'skip')
    expect(error?.hint).toBe('the failed records are in dead.jsonl; fix the invalid line in it first (each has its "line" and "error"), then replay them with: kafkit produce t --input jsonl --file dead.jsonl')
  })

  it('nothing delivered for one reason: that reason\'s own exit code', () => {
    const error = produceOutcomeError({...baseSummary, delivered: 0, failed: 10, failures: [{code: 'TOPIC_AUTHORIZATION_FAILED', message: 'Broker: Topic authorization failed', count: 10}]})
    expect(error?.exitCode).toBe(4)
  })

  it('only invalid input: exit 2; the lines were reported as read, so the message counts them instead of repeating one', () => {
    const error = produceOutcomeError({...baseSummary, delivered: 8, failed: 2, invalid: 2, firstInvalid: 'line 3: not a valid int value'})
    expect(error?.exitCode).toBe(2)
    expect(error?.message).toBe('2 invalid input records')
    expect(error?.message).not.toContain('line 3')
  })

  it('every failing outcome carries the summary as its data (printed on stdout under --json)', () => {
    const cases: ProduceSummary[] = [
      {...baseSummary, interrupted: 'SIGINT'},
      {...baseSummary, fatal: 'boom'},
      {...baseSummary, delivered: 9, failed: 1, failures: [{code: '_MSG_TIMED_OUT', message: 'timed out', count: 1}]},
      {...baseSummary, delivered: 9, failed: 1, invalid: 1, firstInvalid: 'line 1: x'},
      {...baseSummary, transaction: 'aborted', delivered: 0, failed: 10},
    ]
    for (const summary of cases) expect(produceOutcomeError(summary)?.data).toBe(summary)
  })
})

function settings(overrides: Partial<ProduceSettings> = {}): ProduceSettings {
  return {
    topic: 't',
    config: {},
    input: 'lines',
    delimiter: Buffer.from('\n'),
    headers: [],
    emptyIsNull: false,
    keyFormat: serializerFor('str', '--key-format'),
    valueFormat: serializerFor('str', '--value-format'),
    onError: 'fail',
    transactional: false,
    timeoutMs: 1000,
    drainTimeoutMs: 1000,
    deliveryTimeoutMs: 1000,
    ...overrides,
  }
}

/** Runs one parser over `input` lines and returns the batch's values and the rejected lines. */
function parse(input: string[], overrides: Partial<ProduceSettings>) {
  const batch = new ProduceBatch()
  batch.reset(null)
  const cursor: ReadCursor = {line: 0, stop: false}
  const rejected: Array<[number, string, string]> = []
  const sink = new RecordParser(settings(overrides), batch, null, cursor, (message, raw, line) => rejected.push([line, message, raw.toString()])).sink()
  for (const line of input) {
    const buffer = Buffer.from(line)
    sink(buffer, 0, buffer.length, 1)
  }
  const values: Array<number | string | null> = []
  for (let i = 0; i < batch.count; i++) {
    const d = batch.desc.subarray(i * DESC_FIELDS)
    values.push(d[3]! < 0 ? null : overrides.valueFormat?.name === 'int' ? batch.data.readInt32BE(d[2]!) : batch.data.subarray(d[2]!, d[2]! + d[3]!).toString())
  }
  return {values, rejected, cursor}
}

describe('RecordParser: lines and jsonl -> the batch', () => {
  it('serialized lines go into the batch; a bad line is rejected once with its number and bytes, not added', () => {
    const {values, rejected, cursor} = parse(['1', 'abc', '3'], {valueFormat: serializerFor('int', '--value-format')})
    expect(values).toEqual([1, 3])
    expect(rejected).toEqual([[2, "line 2: value: not a valid int value: 'abc' is not an integer", 'abc']])
    expect(cursor.line).toBe(3)
  })

  it('a missing key separator and invalid json are rejected with the line number', () => {
    const {rejected} = parse(['k:"v"', 'no separator', 'k:{bad'], {keySeparator: Buffer.from(':'), valueFormat: serializerFor('json', '--value-format')})
    expect(rejected.map(([line, message]) => [line, message.split(':').slice(0, 2).join(':')])).toEqual([
      [2, 'line 2: no key separator in the line'],
      [3, 'line 3: value is not valid JSON'],
    ])
  })

  it('jsonl: blank lines are numbered but are not records; a non-record line is rejected', () => {
    const {values, rejected} = parse(['{"key":null,"value":"a","headers":[]}', '  ', '[1]', '{"key":"k","value":null,"headers":[]}'], {input: 'jsonl'})
    expect(values).toEqual(['a', null])
    expect(rejected.map(([line]) => line)).toEqual([3])
  })

  it('stops adding once the cursor says stop (--on-error fail)', () => {
    const batch = new ProduceBatch()
    batch.reset(null)
    const cursor: ReadCursor = {line: 0, stop: false}
    const sink = new RecordParser(settings(), batch, null, cursor, () => (cursor.stop = true)).sink()
    sink(Buffer.from('a'), 0, 1, 1)
    cursor.stop = true
    sink(Buffer.from('b'), 0, 1, 1)
    expect([batch.count, cursor.line]).toEqual([1, 1])
  })
})

function poll(overrides: Partial<PollResult>): PollResult {
  return {delivered: 0, deliveries: null, failures: [], errors: [], logs: [], queued: 0, queueFullMs: 0, ...overrides}
}

function failure(id: number, partition: number): NativeFailure {
  return {id, partition, code: 'MSG_SIZE_TOO_LARGE', message: 'Broker: Message size too large', key: Buffer.from('k'), value: Buffer.from('v'), headers: [['h', null]]}
}

function reportsFor(overrides: Partial<ProduceSettings>) {
  const seen = {deliveries: [] as Float64Array[], failed: [] as FailedRecord[], invalid: [] as Array<[number, string]>}
  const hooks: ProduceHooks = {
    chunks: (async function* () {})(),
    stop: new AbortController().signal,
    hardStop: new AbortController().signal,
    onDeliveries: (reports) => seen.deliveries.push(reports),
    onFailedRecords: (records) => seen.failed.push(...records),
    onInvalid: (line, message) => seen.invalid.push([line, message]),
  }
  const tally = new Tally()
  const cursor: ReadCursor = {line: 0, stop: false}
  return {reports: new ProduceReports(settings(overrides), hooks, tally, cursor), tally, cursor, seen}
}

describe('ProduceReports: the client\'s reports -> the tally and structured records', () => {
  it('deliveries go to the hook as they come; with a transaction only after the commit', () => {
    const plain = reportsFor({})
    const deliveries = new Float64Array([1, 0, 41, 1700, 2, 0, 42, 1700])
    plain.reports.take(poll({delivered: 2, deliveries}))
    expect(plain.seen.deliveries).toEqual([deliveries])
    expect(plain.tally.delivered).toBe(2)

    const held = reportsFor({transactional: true})
    held.reports.take(poll({delivered: 2, deliveries}))
    expect(held.seen.deliveries).toEqual([])
    held.reports.releaseHeld()
    expect(held.seen.deliveries).toEqual([deliveries])
  })

  it('failed deliveries become failed records (partition kept only with -p or jsonl), counted by reason, and stop the reading under fail', () => {
    const lines = reportsFor({})
    lines.reports.take(poll({failures: [failure(3, 1)]}))
    expect(lines.seen.failed).toEqual([{key: Buffer.from('k'), value: Buffer.from('v'), headers: [['h', null]], line: 3, error: 'MSG_SIZE_TOO_LARGE: Broker: Message size too large'}])
    expect(lines.cursor.stop).toBe(true)
    expect(lines.tally.summary('t', null, null).failures).toEqual([{code: 'MSG_SIZE_TOO_LARGE', message: 'Broker: Message size too large', count: 1}])

    const jsonl = reportsFor({input: 'jsonl', onError: 'skip'})
    jsonl.reports.take(poll({failures: [failure(1, 2), failure(2, -1)]}))
    expect(jsonl.seen.failed.map((r) => r.partition)).toEqual([2, undefined])
    expect(jsonl.cursor.stop).toBe(false)
  })

  it('an invalid record is reported once, dead-lettered with its bytes, and counted as read and failed', () => {
    const {reports, tally, seen, cursor} = reportsFor({onError: 'skip'})
    reports.invalid('line 7: value is not valid JSON', Buffer.from('{x'), 7)
    expect(seen.invalid).toEqual([[7, 'line 7: value is not valid JSON']])
    expect(seen.failed).toEqual([{key: null, value: Buffer.from('{x'), headers: [], line: 7, error: 'line 7: value is not valid JSON'}])
    expect(cursor.stop).toBe(false)
    expect(tally.stats()).toMatchObject({read: 1, delivered: 0, failed: 1})
  })

  it('a fatal client error is kept for the summary; other client errors are only logged', () => {
    const {reports, tally} = reportsFor({})
    reports.take(poll({errors: [{code: '_TRANSPORT', message: 'down', fatal: false}, {code: '_FENCED', message: 'fenced', fatal: true}]}))
    expect(tally.fatal).toBe('_FENCED: fenced')
  })
})

describe('Tally', () => {
  it('read = delivered + failed; an aborted transaction counts the delivered as failed', () => {
    const tally = new Tally()
    tally.taken = 5
    tally.delivered = 4
    tally.addFailures([failure(5, 0)])
    tally.addInvalid('line 6: bad')
    const summary = tally.summary('t', null, null)
    expect(summary).toMatchObject({read: 6, delivered: 4, failed: 2, invalid: 1, firstInvalid: 'line 6: bad'})
    expect(tally.summary('t', 'aborted', 'SIGINT')).toMatchObject({read: 6, delivered: 0, failed: 6, transaction: 'aborted', interrupted: 'SIGINT'})
  })
})

describe('produce output text (built outside the Kafka core)', () => {
  it('--print-delivery lines: one JSON object per delivered record', () => {
    const text = deliveryLineFormatter('a"b')(new Float64Array([7, 2, 41, 1700000000000, 8, 0, 5, 1700000000001]))
    expect(text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown)).toEqual([
      {topic: 'a"b', partition: 2, offset: 41, timestamp: 1700000000000, line: 7},
      {topic: 'a"b', partition: 0, offset: 5, timestamp: 1700000000001, line: 8},
    ])
  })

  it('dead-letter lines read back as the same records (line and error are ignored on input)', () => {
    const records: FailedRecord[] = [
      {key: Buffer.from([0xff]), value: null, headers: [['h', Buffer.from('v')], ['n', null]], partition: 1, line: 3, error: 'E: x'},
      {key: null, value: Buffer.from('text'), headers: [], line: 4, error: 'line 4: bad'},
    ]
    const lines = deadLetterLines(records).trimEnd().split('\n')
    expect(JSON.parse(lines[1]!)).toEqual({key: null, value: 'text', headers: [], line: 4, error: 'line 4: bad'})
    const formats = {key: serializerFor('str', 'k'), value: serializerFor('str', 'v')}
    expect(parseJsonlRecord(lines[0]!, 1, formats)).toMatchObject({key: Buffer.from([0xff]), value: null, headers: [['h', Buffer.from('v')], ['n', null]], partition: 1})
  })

  it('the summary line', () => {
    expect(summaryLine({topic: 't', read: 1234, delivered: 1233, failed: 1, invalid: 1, transaction: 'aborted', elapsedMs: 1000})).toBe(
      'produced to t: read 1,234, delivered 1,233, failed 1 (1 invalid), transaction aborted in 1s (1,234 records/s)',
    )
  })
})

describe('ProduceReporter: where the reports go', () => {
  function fakeOutput(stderrIsTTY: boolean) {
    const calls: string[] = []
    const out = {
      term: {stderr: {isTTY: stderrIsTTY}},
      write: (t: string) => calls.push(`stdout ${t}`),
      notice: (t: string) => calls.push(`notice ${t}`),
      warn: (t: string, code?: string, details?: object) => calls.push(code === 'invalid_input' ? `warn ${t} (${code} ${JSON.stringify(details)})` : `warn ${t}`),
      progress: (t: string) => calls.push(`progress ${t}`),
      endProgress: () => undefined,
    }
    return {out: out as unknown as Output, calls}
  }
  const totals = {topic: 't', read: 2, delivered: 1, failed: 1, invalid: 1, transaction: null, elapsedMs: 10}

  it('for a person: a warning per invalid line, progress on a terminal, the summary line', () => {
    const {out, calls} = fakeOutput(true)
    const report = new ProduceReporter(out, {topic: 't', json: false, printDelivery: false})
    report.invalid(2, 'line 2: bad')
    report.progress?.(totals)
    report.finished(totals)
    expect(report.deliveries).toBeUndefined()
    expect(calls.map((c) => c.split(' ')[0])).toEqual(['warn', 'progress', 'notice'])
    expect(calls[0]).toBe('warn line 2: bad (invalid_input {"line":2})')
  })

  it('under --json: only JSON on stderr (no progress, no summary line: the summary is the result)', () => {
    const {out, calls} = fakeOutput(true)
    const report = new ProduceReporter(out, {topic: 't', json: true, printDelivery: false})
    report.invalid(2, 'line 2: bad')
    expect(report.progress).toBeUndefined()
    report.finished(totals)
    expect(calls).toEqual(['warn line 2: bad (invalid_input {"line":2})'])
  })
})
