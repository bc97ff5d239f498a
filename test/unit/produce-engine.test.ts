import {describe, expect, it} from 'vitest'

import {FixedHeaders, ProduceBatch} from '../../src/lib/kafka/produce-batch.js'
import {producerConfig} from '../../src/lib/kafka/produce-config.js'
import {DESC_FIELDS} from '../../src/lib/kafka/produce-native.js'
import {produceOutcomeError, type ProduceSummary} from '../../src/lib/kafka/producer.js'
import {KafkaSession} from '../../src/lib/kafka/session.js'

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

  it('interrupts exit 130 / 143', () => {
    expect(produceOutcomeError({...baseSummary, interrupted: 'SIGINT'})?.exitCode).toBe(130)
    expect(produceOutcomeError({...baseSummary, interrupted: 'SIGTERM'})?.exitCode).toBe(143)
  })

  it('some records not delivered: exit 6 with the reason and how to replay', () => {
    const error = produceOutcomeError({...baseSummary, delivered: 7, failed: 3, failures: [{code: '_MSG_TIMED_OUT', message: 'Local: Message timed out', count: 3}]}, 'dead.jsonl')
    expect(error?.exitCode).toBe(6)
    expect(error?.message).toContain('3 of 10 records were not delivered')
    expect(error?.hint).toContain('--input jsonl --file dead.jsonl')
  })

  it('nothing delivered for one reason: that reason\'s own exit code', () => {
    const error = produceOutcomeError({...baseSummary, delivered: 0, failed: 10, failures: [{code: 'TOPIC_AUTHORIZATION_FAILED', message: 'Broker: Topic authorization failed', count: 10}]})
    expect(error?.exitCode).toBe(4)
  })

  it('only invalid input: exit 2 with the first line', () => {
    const error = produceOutcomeError({...baseSummary, delivered: 8, failed: 2, invalid: 2, firstInvalid: 'line 3: not a valid int value'})
    expect(error?.exitCode).toBe(2)
    expect(error?.message).toBe('line 3: not a valid int value (and 1 more invalid record)')
  })
})
