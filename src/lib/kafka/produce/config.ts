import {usageError} from '../../errors.js'
import type {KafkaSession} from '../session.js'

// The librdkafka configuration of `kafkit produce`. Precedence, lowest first: kafkit's defaults,
// then the connection's properties (profile, --command-config, -X), then the dedicated flags.

export const ACKS = ['0', '1', 'all'] as const
export const COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const
/** librdkafka's partitioners; murmur2_random puts keyed records where the Java client does. */
export const PARTITIONERS = ['murmur2_random', 'murmur2', 'consistent_random', 'consistent', 'random', 'fnv1a', 'fnv1a_random'] as const

export interface ProducerFlags {
  acks?: (typeof ACKS)[number]
  idempotence?: boolean
  compression?: (typeof COMPRESSIONS)[number]
  lingerMs?: number
  batchSize?: number
  partitioner?: (typeof PARTITIONERS)[number]
  transactionalId?: string
  deliveryTimeoutMs: number
}

const DEFAULTS: Record<string, string> = {
  partitioner: 'murmur2_random',
  // Producing never creates a topic, whatever the broker's auto.create.topics.enable says.
  'allow.auto.create.topics': 'false',
  acks: 'all',
  'enable.idempotence': 'true',
  // Bounded memory (docs/produce.md, "Memory"): at most this much record data, and this many
  // records, wait in the client (librdkafka's defaults: 1 GiB and 100,000). Besides its copy of
  // the bytes librdkafka keeps a 176-byte structure per record, and small records are copied again
  // into the request being sent, so for small records the count is the bound that matters:
  // 100,000 records of 100 bytes held ~40 MB.
  'queue.buffering.max.kbytes': '16384',
  'queue.buffering.max.messages': '20000',
  // A full queue then holds four batches of this many records (librdkafka's default is 10,000):
  // with only two, the producing thread and the idempotent sender waited on each other (more
  // CPU, no more speed).
  'batch.num.messages': '5000',
  // A whole input is one transaction: allow it more than librdkafka's 60 s (brokers cap it at 15 min by default).
  'transaction.timeout.ms': '600000',
}

const ACKS_KEYS = ['acks', 'request.required.acks']

export function producerConfig(session: KafkaSession, flags: ProducerFlags): Record<string, string> {
  const config: Record<string, string> = {...DEFAULTS}
  for (const [key, value] of Object.entries(session.clientConfig())) config[key] = String(value)
  const userSet = (key: string) => key in session.connection.properties

  config['message.timeout.ms'] = String(flags.deliveryTimeoutMs)
  if (flags.acks !== undefined) {
    for (const key of ACKS_KEYS) delete config[key]
    config.acks = flags.acks
  }
  if (flags.acks === undefined && userSet('request.required.acks') && !userSet('acks')) delete config.acks
  const acks = config.acks ?? config['request.required.acks'] ?? 'all'
  const acksAll = acks === 'all' || acks === '-1'
  if (flags.idempotence === true && !acksAll) throw usageError('--idempotence needs --acks all', 'drop --idempotence, or use --acks all')
  if (flags.idempotence !== undefined) config['enable.idempotence'] = String(flags.idempotence)
  else if (!acksAll && !userSet('enable.idempotence')) config['enable.idempotence'] = 'false'
  if (flags.compression !== undefined) config['compression.codec'] = flags.compression
  if (flags.lingerMs !== undefined) config['linger.ms'] = String(flags.lingerMs)
  if (flags.batchSize !== undefined) config['batch.size'] = String(flags.batchSize)
  if (flags.partitioner !== undefined) config.partitioner = flags.partitioner
  // librdkafka never queues a record larger than queue.buffering.max.kbytes (it would wait for room
  // forever): when -X allows larger records, the bound grows to hold two of them.
  const maxRecordKb = Math.ceil(Number(config['message.max.bytes'] ?? 0) / 1024)
  if (!userSet('queue.buffering.max.kbytes') && 2 * maxRecordKb > Number(config['queue.buffering.max.kbytes'])) {
    config['queue.buffering.max.kbytes'] = String(2 * maxRecordKb)
  }
  if (flags.transactionalId !== undefined) {
    if (config['enable.idempotence'] === 'false') throw usageError('--transactional-id needs idempotence', 'drop --no-idempotence / --acks 0|1')
    config['transactional.id'] = flags.transactionalId
  } else {
    delete config['transaction.timeout.ms']
  }
  return config
}
