import {randomUUID} from 'node:crypto'

import {usageError} from '../../errors.js'
import type {KafkaSession} from '../session.js'
import type {PipeRequest} from './request.js'

// The librdkafka settings of the pipe's consumer and producer. Defaults yield to -X (and
// profile) properties; the settings the guarantees rest on do not.

/**
 * A killed pipe's open transaction blocks read_committed readers of the destination until the
 * coordinator aborts it: this long (plus up to 10 s of the coordinator's checking), instead of
 * librdkafka's 60 s.
 */
const TRANSACTION_TIMEOUT_MS = 10_000

function withDefaults(session: KafkaSession, defaults: Record<string, string | number | boolean>, fixed: Record<string, string | number | boolean>) {
  const given = session.connection.properties
  const chosen: Record<string, string | number | boolean> = {}
  for (const [name, value] of Object.entries(defaults)) if (given[name] === undefined) chosen[name] = value
  return session.clientConfig({...chosen, ...fixed})
}

export function pipeConsumerConfig(session: KafkaSession, request: PipeRequest): Record<string, string | number | boolean> {
  const strategy = String(session.connection.properties['partition.assignment.strategy'] ?? 'range,roundrobin')
  // Cooperative rebalancing moves partitions without a revoke of all: the open transaction could
  // then hold records of a partition already given away. Eager only.
  if (/cooperative/i.test(strategy)) throw usageError('pipe needs an eager partition.assignment.strategy (range or roundrobin)', 'drop -X partition.assignment.strategy=cooperative-sticky')
  return withDefaults(
    session,
    {
      // Outputs of another transactional writer are read once committed, never when aborted.
      'isolation.level': 'read_committed',
      // A member that died (kill -9) holds its partitions until this passes: a restarted pipe, or
      // the other members, take them over after 10 s instead of librdkafka's 45. Heartbeats keep
      // a busy member in the group (they are sent by librdkafka's own thread).
      'session.timeout.ms': 10_000,
      'auto.offset.reset': request.spec.all.start?.kind === 'end' ? 'latest' : 'earliest',
      'partition.assignment.strategy': strategy,
      // As consume: librdkafka keeps ~1 KiB per queued record besides it, so 1 MiB of small records is ~11 MB.
      'queued.max.messages.kbytes': 1024,
      'fetch.queue.backoff.ms': 1,
      // -e: the end of a partition is known from a fetch answer without records, which the broker
      // holds up to this long when there are none (librdkafka's default 500 ms was added to every run).
      ...(request.exitAtEnd ? {'fetch.wait.max.ms': 100} : {}),
    },
    {
      'group.id': request.group,
      'enable.auto.commit': false,
      'enable.auto.offset.store': false,
      'enable.partition.eof': request.exitAtEnd,
    },
  )
}

export function pipeProducerConfig(session: KafkaSession, request: PipeRequest): Record<string, string | number | boolean> {
  const exactlyOnce = request.guarantee === 'exactly-once'
  const defaults: Record<string, string | number | boolean> = {
    // Keyed records land where the Java client puts them, as in kafkit produce.
    partitioner: 'murmur2_random',
    // librdkafka's default 100,000: a larger queue was no faster and, with a delivery report per
    // record (at least once), held 358 MB at the peak.
    'queue.buffering.max.messages': 100_000,
    'linger.ms': 5,
  }
  if (exactlyOnce) defaults['transaction.timeout.ms'] = Math.max(TRANSACTION_TIMEOUT_MS, 3 * request.commitIntervalMs)
  return withDefaults(session, defaults, {
    'enable.idempotence': true,
    // Only failed deliveries are reported: at least once counts them; exactly once learns of them from the commit.
    'delivery.report.only.error': true,
    ...(exactlyOnce ? {'transactional.id': request.transactionalId ?? `kafkit-pipe-${request.group}-${randomUUID().slice(0, 8)}`} : {}),
  })
}
