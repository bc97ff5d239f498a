import {type ErrorKind, KafkitError} from '../errors.js'

// Kafka's and librdkafka's error names, translated into a sentence and a hint people can act on.
// Names are librdkafka's (rd_kafka_err2name): broker errors like UNKNOWN_TOPIC_OR_PART, local
// ones with a leading underscore like _TIMED_OUT. The JS client's numeric codes are turned into
// these names by `errorName` below, so native and JS errors share one table.

interface Translation {
  kind: ErrorKind
  sentence: string
  hint?: string
}

const TRANSLATIONS: Record<string, Translation> = {
  UNKNOWN_TOPIC_OR_PART: {kind: 'not_found', sentence: 'the topic or partition does not exist', hint: 'list topics with: kafkit topics list'},
  _UNKNOWN_TOPIC: {kind: 'not_found', sentence: 'the topic does not exist', hint: 'list topics with: kafkit topics list'},
  _UNKNOWN_PARTITION: {kind: 'not_found', sentence: 'the partition does not exist', hint: 'see the partitions with: kafkit topics describe TOPIC'},
  UNKNOWN_TOPIC_ID: {kind: 'not_found', sentence: 'the topic does not exist (any more)'},
  GROUP_ID_NOT_FOUND: {kind: 'not_found', sentence: 'the consumer group does not exist', hint: 'list groups with: kafkit groups list'},
  LEADER_NOT_AVAILABLE: {kind: 'connection', sentence: 'the partition has no leader right now', hint: 'a broker may be down or an election is in progress; retry in a moment'},
  NOT_LEADER_OR_FOLLOWER: {kind: 'connection', sentence: 'the broker is not the leader for that partition', hint: 'leadership is moving; retry in a moment'},
  NOT_ENOUGH_REPLICAS: {kind: 'failure', sentence: 'fewer in-sync replicas than min.insync.replicas', hint: 'check broker health with: kafkit topics describe --under-min-isr-partitions'},
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: {kind: 'failure', sentence: 'the write landed on fewer in-sync replicas than min.insync.replicas'},
  OFFSET_OUT_OF_RANGE: {kind: 'usage', sentence: 'the offset is outside the partition\'s log', hint: 'see the valid range with: kafkit offsets get TOPIC --time earliest / latest'},
  COORDINATOR_NOT_AVAILABLE: {kind: 'connection', sentence: 'the group coordinator is not available', hint: 'the cluster may still be starting, or __consumer_offsets is unavailable; retry in a moment'},
  NOT_COORDINATOR: {kind: 'connection', sentence: 'the broker is not the group coordinator', hint: 'the coordinator moved; retry'},
  COORDINATOR_LOAD_IN_PROGRESS: {kind: 'connection', sentence: 'the group coordinator is still loading', hint: 'retry in a moment'},
  REBALANCE_IN_PROGRESS: {kind: 'conflict', sentence: 'the group is rebalancing', hint: 'wait until it is stable (kafkit groups describe GROUP --state) and retry'},
  NON_EMPTY_GROUP: {kind: 'conflict', sentence: 'the group still has active members', hint: 'stop its consumers first'},
  GROUP_SUBSCRIBED_TO_TOPIC: {kind: 'conflict', sentence: 'the group has active members subscribed to the topic', hint: 'stop its consumers first'},
  MSG_SIZE_TOO_LARGE: {kind: 'usage', sentence: 'the message is larger than the topic or broker accepts', hint: 'raise max.message.bytes on the topic (and message.max.bytes on the client with -X), or send smaller records'},
  RECORD_LIST_TOO_LARGE: {kind: 'usage', sentence: 'the batch is larger than the broker accepts', hint: 'lower --batch-size'},
  TOPIC_AUTHORIZATION_FAILED: {kind: 'auth', sentence: 'not authorized to access the topic', hint: 'ask for an ACL for this principal on the topic'},
  GROUP_AUTHORIZATION_FAILED: {kind: 'auth', sentence: 'not authorized to access the consumer group', hint: 'ask for an ACL for this principal on the group'},
  CLUSTER_AUTHORIZATION_FAILED: {kind: 'auth', sentence: 'not authorized for this cluster operation', hint: 'the principal needs a cluster-level ACL'},
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: {kind: 'auth', sentence: 'not authorized to use the transactional id'},
  SASL_AUTHENTICATION_FAILED: {kind: 'auth', sentence: 'SASL authentication failed', hint: 'check the mechanism, user name and password (the password is never shown)'},
  _AUTHENTICATION: {kind: 'auth', sentence: 'authentication failed', hint: 'check the SASL/SSL settings of the profile, --command-config or -X'},
  _SSL: {kind: 'auth', sentence: 'the TLS handshake failed', hint: 'check ssl.ca.location and the broker certificate (or security.protocol)'},
  TOPIC_ALREADY_EXISTS: {kind: 'conflict', sentence: 'the topic already exists', hint: 'use --if-not-exists to accept that'},
  INVALID_PARTITIONS: {kind: 'invalid', sentence: 'invalid number of partitions'},
  INVALID_REPLICATION_FACTOR: {kind: 'invalid', sentence: 'invalid replication factor', hint: 'it cannot exceed the number of brokers (kafkit cluster describe)'},
  INVALID_CONFIG: {kind: 'invalid', sentence: 'invalid configuration'},
  INVALID_REQUEST: {kind: 'invalid', sentence: 'the broker rejected the request as invalid'},
  POLICY_VIOLATION: {kind: 'invalid', sentence: 'the request violates a broker policy'},
  INVALID_TOPIC_EXCEPTION: {kind: 'usage', sentence: 'invalid topic name', hint: 'topic names use letters, digits, ".", "_" and "-", at most 249 characters'},
  // librdkafka's name for the broker's INVALID_TOPIC_EXCEPTION (error 17).
  TOPIC_EXCEPTION: {kind: 'usage', sentence: 'invalid topic name', hint: 'topic names use letters, digits, ".", "_" and "-", at most 249 characters'},
  TOPIC_DELETION_DISABLED: {kind: 'invalid', sentence: 'topic deletion is disabled on the brokers (delete.topic.enable=false)'},
  UNSUPPORTED_VERSION: {kind: 'failure', sentence: 'the broker does not support this request version'},
  _TIMED_OUT: {kind: 'timeout', sentence: 'the operation timed out', hint: 'raise --timeout, or check that the cluster is healthy'},
  REQUEST_TIMED_OUT: {kind: 'timeout', sentence: 'the broker timed out the request', hint: 'raise --timeout, or check that the cluster is healthy'},
  _MSG_TIMED_OUT: {kind: 'timeout', sentence: 'the message was not delivered in time'},
  _TRANSPORT: {kind: 'connection', sentence: 'could not reach the broker', hint: 'check the address; for a local broker run: kafkit local start'},
  _ALL_BROKERS_DOWN: {kind: 'connection', sentence: 'all broker connections are down', hint: 'check the address; for a local broker run: kafkit local start'},
  _RESOLVE: {kind: 'connection', sentence: 'could not resolve the broker host name'},
  _INVALID_ARG: {kind: 'usage', sentence: 'invalid argument'},
  _STATE: {kind: 'failure', sentence: 'the client is in the wrong state for this operation'},
}

let nameByCode: Map<number, string> | undefined

/** Registers the JS client's numeric codes (ERR_FOO / ERR__BAR) once it is loaded. */
export function registerClientCodes(codes: Record<string, number>): void {
  if (nameByCode) return
  nameByCode = new Map()
  for (const [key, value] of Object.entries(codes)) {
    if (key.startsWith('ERR_')) nameByCode.set(value, key.slice(4))
  }
}

/** The librdkafka error name for a JS client error code, e.g. 3 -> UNKNOWN_TOPIC_OR_PART. */
export function errorName(code: number | string | undefined): string | undefined {
  if (typeof code === 'string') return code
  if (code === undefined) return undefined
  return nameByCode?.get(code)
}

export interface KafkaErrorLike {
  code?: number | string
  message?: string
}

/**
 * Builds the KafkitError for a Kafka error. `subject` says what it happened to ("topic orders"),
 * so the line reads "topic orders: the topic or partition does not exist".
 */
export function kafkaError(error: KafkaErrorLike, subject?: string): KafkitError {
  const name = errorName(error.code)
  const known = name === undefined ? undefined : TRANSLATIONS[name]
  const prefix = subject ? `${subject}: ` : ''
  const detail = (error.message ?? '').replace(/^(Broker|Local): /, '')
  if (!known) {
    return new KafkitError('failure', `${prefix}${detail || 'unknown Kafka error'}${name ? ` (${name})` : ''}`, {kafkaCode: name})
  }
  // The broker's own reason often says more than the generic sentence (e.g. which config is invalid).
  const sentence = detail && !sameText(detail, known.sentence) && !isGenericDetail(detail) ? `${known.sentence}: ${detail}` : known.sentence
  return new KafkitError(known.kind, `${prefix}${sentence}`, {hint: known.hint, kafkaCode: name})
}

function sameText(a: string, b: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/[^a-z]/g, '')
  return norm(a).includes(norm(b)) || norm(b).includes(norm(a))
}

// librdkafka's err2str texts add nothing to our sentences.
function isGenericDetail(detail: string): boolean {
  return /^(Unknown topic or partition|Operation timed out|Timed out|Broker transport failure|Topic already exists|Not authorized|Request timed out|The group id does not exist|The group is not empty)/i.test(detail)
}
