import type {Connection} from '../../config/connection.js'
import {KafkitError} from '../../errors.js'
import {notAuthorized, principalOf, TOPIC_DENIED} from '../authorization.js'
import {ConnectionDiagnosis, UNREACHABLE_CODES} from '../connection-diagnosis.js'
import {kafkaError} from '../kafka-errors.js'
import type {NativeProduceError, PollResult} from './native.js'
import type {ProducerClient} from './client.js'

// Before any input is read: the cluster answers, the topic exists (producing never creates one:
// allow.auto.create.topics is off), and --partition is one of its partitions.

const METADATA_SLICE_MS = 500

export interface PreflightOptions {
  connection: Connection
  topic: string
  partition?: number
  timeoutMs: number
  idempotent: boolean
  /** What the client reported meanwhile (deliveries cannot exist yet; errors and logs can). */
  onPoll(result: PollResult): void
}

/**
 * Asked on the producer's own connection, in short slices, so a refused connection or failed
 * authentication is reported at once rather than after --timeout. The extra metadata answer also
 * makes an idempotent producer request its producer id at once instead of on librdkafka's 500 ms
 * timer, which would otherwise dominate short runs.
 */
export async function preflight({native, handle}: ProducerClient, options: PreflightOptions): Promise<void> {
  const {connection} = options
  const diagnosis = new ConnectionDiagnosis(connection.bootstrapServers, options.timeoutMs, {properties: connection.properties, trustedCa: connection.trustedCa, clientCertificate: connection.clientCertificate})
  let partitions: number
  try {
    partitions = topicPartitions({native, handle}, options, diagnosis)
  } catch (error) {
    throw error instanceof KafkitError ? await diagnosis.explain(error) : error
  }
  const {partition, topic} = options
  if (partition !== undefined && partition >= partitions) {
    throw new KafkitError('not_found', `topic ${topic} has no partition ${partition} (it has ${partitions}: 0-${partitions - 1})`)
  }
  // One more metadata answer, now that the connection is up, starts an idempotent producer's
  // producer id request at once (measured: 40 of 40 short runs without a 500 ms stall; with
  // none, 3 of 12 stalled).
  if (options.idempotent) {
    options.onPoll(native.poll(handle, 0))
    native.refreshMetadata(handle, METADATA_SLICE_MS)
  }
}

function topicPartitions({native, handle}: Pick<ProducerClient, 'native' | 'handle'>, options: PreflightOptions, diagnosis: ConnectionDiagnosis): number {
  const deadline = Date.now() + options.timeoutMs
  for (;;) {
    try {
      return native.refreshMetadata(handle, Math.max(1, Math.min(METADATA_SLICE_MS, deadline - Date.now())))
    } catch (error) {
      const code = (error as NativeProduceError).code
      if (code === 'UNKNOWN_TOPIC_OR_PART' || code === '_UNKNOWN_TOPIC') {
        throw new KafkitError('not_found', `topic ${options.topic} does not exist`, {
          hint: 'create it first (kafkit topics create), or check the name with: kafkit topics list',
          kafkaCode: 'UNKNOWN_TOPIC_OR_PART',
        })
      }
      if (code === TOPIC_DENIED) {
        throw notAuthorized(code, 'WRITE', {type: 'topic', name: options.topic}, principalOf(options.connection.properties), 'producing needs DESCRIBE and WRITE on it')
      }
      if (!UNREACHABLE_CODES.has(code)) throw kafkaError(error as NativeProduceError, `topic ${options.topic}`)
      // What the client saw while trying: a refused connection, a failed authentication.
      for (const clientError of native.poll(handle, 0).errors) {
        const proven = diagnosis.observe(clientError.message, clientError.code)
        if (proven) throw proven
        if (clientError.code === '_ALL_BROKERS_DOWN' || clientError.code === '_TRANSPORT' || clientError.code === '_RESOLVE') throw diagnosis.unreachable(false)
      }
      if (Date.now() >= deadline) throw diagnosis.unreachable(true)
    }
  }
}
