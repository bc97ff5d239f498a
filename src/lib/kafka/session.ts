import type {IAdminClient, LibrdKafkaError} from '@confluentinc/kafka-javascript'

import type {Connection} from '../config/connection.js'
import {KafkitError} from '../errors.js'
import {formatDuration} from '../duration.js'
import {type BrokerAddress, BrokerReach} from './broker-reach.js'
import {loadAdminClientLibrary} from './client-library.js'
import {ConnectionDiagnosis} from './connection-diagnosis.js'
import {errorName, kafkaError, type KafkaErrorLike} from './kafka-errors.js'
import type {NativeAdmin} from './native-admin.js'

/**
 * One command's link to the cluster: creates clients lazily from the resolved connection,
 * bounds every call by the connection's timeout, turns "nothing answers" into one clear
 * error as soon as librdkafka knows it, and closes everything once.
 */
const PROBE_SLICE_MS = 500

export class KafkaSession {
  readonly connection: Connection
  private adminClient?: IAdminClient
  private readonly watcher: ConnectionWatcher
  private closed = false
  /** Set once a bootstrap broker has answered: later timeouts are one broker's, not "cannot reach Kafka". */
  private reached = false
  /** Which brokers named by the metadata accept a connection (asked once per broker). */
  readonly brokers: BrokerReach

  constructor(connection: Connection, onLog?: (line: string) => void) {
    this.connection = connection
    this.watcher = new ConnectionWatcher(connection, onLog)
    this.brokers = new BrokerReach(connection.timeoutMs)
  }

  get timeoutMs(): number {
    return this.connection.timeoutMs
  }

  /** librdkafka configuration for a new client of this session, with the watcher's hooks. */
  clientConfig(extra: Record<string, string | number | boolean> = {}): Record<string, string | number | boolean> {
    return {
      // Errors only, unless the user asked librdkafka for debug contexts with -X debug=...
      log_level: this.connection.properties.debug ? 7 : 3,
      'client.id': 'kafkit',
      // librdkafka waits half of this before its first connection to a broker learned from the
      // bootstrap metadata: the 100 ms default put ~50 ms into every command.
      'reconnect.backoff.ms': 10,
      ...this.connection.properties,
      ...extra,
    }
  }

  get eventHandlers() {
    return this.watcher.handlers
  }

  /**
   * The cluster's metadata (brokers, topics, partitions with leader, replicas and ISR) from one
   * Metadata request that any broker that answers serves, asked in short slices until --timeout.
   * A blocking call left in flight would hold the process at exit (libuv joins its thread pool),
   * so after a fast failure at most one short slice remains. Every command's first contact goes
   * through here; the answer is kept for the command's life.
   */
  async metadata(): Promise<ClusterMetadata> {
    if (this.cachedMetadata) return this.cachedMetadata
    const admin = this.admin()
    // The JS admin client's listTopics makes this very request but keeps only the names.
    const client = (admin as unknown as {_client: {getMetadata(options: object, cb: (err: LibrdKafkaError | null, data: RawMetadata) => void): void}})._client
    const deadline = Date.now() + this.timeoutMs
    for (;;) {
      const slice = Math.max(1, Math.min(PROBE_SLICE_MS, deadline - Date.now()))
      try {
        const raw = await this.call<RawMetadata>(undefined, (done) => client.getMetadata({allTopics: true, timeout: slice}, done))
        this.cachedMetadata = toClusterMetadata(raw)
        this.reached = true
        return this.cachedMetadata
      } catch (error) {
        const retry = error instanceof KafkitError && (error.kind === 'connection' || error.kind === 'timeout') && !this.watcher.hasFailed
        if (!retry) throw error
        if (Date.now() >= deadline) throw this.watcher.unreachable(true)
      }
    }
  }

  private cachedMetadata?: ClusterMetadata

  /** Names of every topic (internal ones included), from metadata(). */
  async metadataTopicNames(): Promise<string[]> {
    return [...(await this.metadata()).topics.keys()]
  }

  /** Fails fast, with the reason, when the cluster cannot be reached. */
  async ensureReachable(): Promise<void> {
    await this.metadataTopicNames()
  }

  /** kafkit's native admin client (its own extension), for the calls the JS client lacks. Loaded on first use. */
  async nativeAdmin(): Promise<NativeAdmin> {
    if (this.closed) throw new KafkitError('failure', 'the Kafka session is closed')
    if (!this.nativeAdminClient) {
      const {NativeAdmin} = await import('./native-admin.js')
      this.nativeAdminClient = new NativeAdmin(this.clientConfig())
    }
    return this.nativeAdminClient
  }

  private nativeAdminClient?: NativeAdmin

  admin(): IAdminClient {
    if (this.closed) throw new KafkitError('failure', 'the Kafka session is closed')
    if (!this.adminClient) {
      const {AdminClient} = loadAdminClientLibrary()
      try {
        this.adminClient = AdminClient.create(this.clientConfig() as never, this.watcher.handlers)
      } catch (error) {
        throw configError(error as KafkaErrorLike)
      }
    }
    return this.adminClient
  }

  /**
   * Runs one callback-style client call as a promise that always settles: with the result, a
   * translated error, the watcher's connection failure, or a timeout slightly after --timeout.
   */
  call<T>(subject: string | undefined, start: (done: (err: LibrdKafkaError | null | undefined, value?: T) => void) => void): Promise<T> {
    return this.guard(
      subject,
      new Promise<T>((resolve, reject) => {
        start((err, value) => (err ? reject(err) : resolve(value as T)))
      }),
    )
  }

  /** Bounds any promise the same way (used for the native admin extension too). */
  async guard<T>(subject: string | undefined, operation: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<never>((_, reject) => {
      // librdkafka enforces the timeout itself; this is the backstop that keeps kafkit from ever hanging.
      timer = setTimeout(() => reject(Object.assign(new Error('Timed out'), {code: '_TIMED_OUT'})), this.timeoutMs + 2000)
    })
    try {
      return await Promise.race([operation, this.watcher.failure, deadline])
    } catch (error) {
      throw await this.watcher.explain(this.translate(error as KafkaErrorLike, subject))
    } finally {
      clearTimeout(timer)
    }
  }

  translate(error: KafkaErrorLike, subject?: string): KafkitError {
    if (error instanceof KafkitError) return error
    // The native extension attaches the last connection error to a timeout.
    const brokerError = (error as {brokerError?: {message?: string}}).brokerError
    if (brokerError?.message) this.watcher.noteReason(brokerError.message)
    const name = errorName(error.code)
    if (name === '_TIMED_OUT' && this.reached) {
      // A bootstrap broker answered: this request waited for one broker that did not (e.g. one
      // that just died); blaming the bootstrap address would point at the one that works.
      const why = brokerError?.message ? `: ${brokerError.message}` : ''
      return new KafkitError('timeout', `${subject ?? 'request'}: no answer within ${formatDuration(this.timeoutMs)}${why}`, {
        hint: 'a broker may be down: see kafkit cluster describe and kafkit topics describe --unavailable-partitions',
        kafkaCode: '_TIMED_OUT',
      })
    }
    if (name === '_TIMED_OUT' || name === '_TRANSPORT' || name === '_ALL_BROKERS_DOWN' || name === '_RESOLVE') {
      return this.watcher.unreachable(name === '_TIMED_OUT')
    }
    return kafkaError(error, subject)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (!this.watcher.hasFailed) await this.nativeAdminClient?.close()
    // Disconnecting twice crashes the library; `closed` guards that. After a connection failure
    // a blocked metadata request would make disconnect() wait out librdkafka's own timeout, so the
    // handle is left to the process exit (bin/run.cjs exits once output has drained).
    if (!this.watcher.hasFailed) this.adminClient?.disconnect()
  }
}

export interface PartitionMetadata {
  partition: number
  /** null when the partition has no leader. */
  leader: number | null
  replicas: number[]
  isr: number[]
}

export interface ClusterMetadata {
  brokers: BrokerAddress[]
  /** Partitions by topic name (sorted by partition), internal topics included. */
  topics: Map<string, PartitionMetadata[]>
}

interface RawMetadata {
  brokers?: Array<{id: number; host: string; port: number}>
  topics?: Array<{name: string; partitions?: Array<{id: number; leader: number; replicas?: number[]; isrs?: number[]}>}>
}

function toClusterMetadata(raw: RawMetadata): ClusterMetadata {
  const topics = new Map<string, PartitionMetadata[]>()
  for (const t of raw.topics ?? []) {
    const partitions = (t.partitions ?? [])
      .map((p) => ({partition: p.id, leader: p.leader >= 0 ? p.leader : null, replicas: p.replicas ?? [], isr: p.isrs ?? []}))
      .sort((a, b) => a.partition - b.partition)
    topics.set(t.name, partitions)
  }
  return {brokers: (raw.brokers ?? []).map((b) => ({id: b.id, host: b.host, port: b.port})).sort((a, b) => a.id - b.id), topics}
}

/**
 * Watches librdkafka's error and log events. When every bootstrap broker has failed, or the
 * diagnosis proves an authentication or TLS failure, it settles `failure` at once, naming the
 * address and librdkafka's reason, instead of waiting out --timeout.
 */
class ConnectionWatcher {
  readonly failure: Promise<never>
  private fail!: (error: KafkitError) => void
  private failed = false
  private readonly diagnosis: ConnectionDiagnosis

  noteReason(reason: string): void {
    this.diagnosis.noteReason(reason)
  }

  get hasFailed(): boolean {
    return this.failed
  }

  constructor(
    connection: Connection,
    private readonly onLog?: (line: string) => void,
  ) {
    this.diagnosis = new ConnectionDiagnosis(connection.bootstrapServers, connection.timeoutMs, {properties: connection.properties, trustedCa: connection.trustedCa, clientCertificate: connection.clientCertificate})
    this.failure = new Promise<never>((_, reject) => {
      this.fail = reject
    })
    // Nobody may await `failure` (a command that finishes first); never report it as unhandled.
    this.failure.catch(() => {})
  }

  readonly handlers = {
    'event.error': (error: LibrdKafkaError) => this.onError(error),
    'event.log': (log: {severity: number; fac: string; message: string}) => this.onClientLog(log),
  }

  private onClientLog(log: {severity: number; fac: string; message: string}): void {
    this.onLog?.(`librdkafka ${log.fac}: ${log.message}`)
    if (log.severity > 3) return
    const proven = this.diagnosis.observe(log.message)
    if (proven) this.settle(proven)
  }

  private onError(error: LibrdKafkaError): void {
    const text = String(error.message ?? '')
    if (/all broker connections are down/i.test(text)) {
      this.settle(this.unreachable(false))
      return
    }
    if (!/authentication/i.test(text)) return
    const reason = this.diagnosis.lastReason
    this.settle(this.diagnosis.observe(reason ?? text, '_AUTHENTICATION') ?? this.unreachable(false))
  }

  private settle(error: KafkitError): void {
    if (this.failed) return
    this.failed = true
    this.fail(error)
  }

  unreachable(timedOut: boolean): KafkitError {
    return this.diagnosis.unreachable(timedOut)
  }

  explain(error: KafkitError): Promise<KafkitError> {
    return this.diagnosis.explain(error)
  }
}

/** librdkafka rejects a property when the client is created: bad -X names or values. */
function configError(error: KafkaErrorLike): KafkitError {
  // librdkafka quotes the value it refused (Invalid value "…" for …): the value may be a secret
  // given to the wrong property, so it is masked as the C extensions' config builder masks it.
  const message = String(error.message ?? error).replace(/(value\s+)"[^"]*"/gi, '$1"<redacted>"')
  return new KafkitError('usage', `invalid client configuration: ${message}`, {
    hint: 'check the -X / profile / --command-config properties against librdkafka\'s CONFIGURATION.md',
  })
}
