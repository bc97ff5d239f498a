import type {AlterConfigOp, NativeErrorInfo} from './native-admin.js'
import type {KafkaSession} from './session.js'
import {type ReadKeyFile, WireConnection, WireWriter} from './wire-connection.js'

// Cluster-wide broker configs (the "default" broker entity, resource name ""): librdkafka refuses
// a config resource with an empty name, so this one IncrementalAlterConfigs request is made over
// kafkit's own minimal protocol connection (wire-connection.ts). A KRaft broker forwards it to
// the controller. Returns the broker's error for the resource, if any; never prints.

const API_INCREMENTAL_ALTER_CONFIGS = 44
const RESOURCE_BROKER = 4
const OP_CODES = {set: 0, delete: 1, append: 2, subtract: 3} as const

/** Kafka's error codes this request answers with, as librdkafka names them. */
const ERROR_NAMES: Record<number, string> = {
  7: 'REQUEST_TIMED_OUT',
  29: 'CLUSTER_AUTHORIZATION_FAILED',
  35: 'UNSUPPORTED_VERSION',
  40: 'INVALID_CONFIG',
  41: 'NOT_CONTROLLER',
  42: 'INVALID_REQUEST',
  44: 'POLICY_VIOLATION',
}

export async function alterDefaultBrokerConfigs(
  session: KafkaSession,
  brokerId: number,
  ops: AlterConfigOp[],
  validateOnly: boolean,
  readKeyFile: ReadKeyFile,
): Promise<NativeErrorInfo | undefined> {
  const broker = (await session.metadata()).brokers.find((b) => b.id === brokerId)!
  const connection = await WireConnection.open({
    host: broker.host,
    port: broker.port,
    properties: session.connection.properties,
    timeoutMs: session.timeoutMs,
    clientId: 'kafkit',
    readKeyFile,
  })
  try {
    // Version 1 (flexible): one resource, the broker entity named "".
    const body = new WireWriter().uvarint(2).int8(RESOURCE_BROKER).compactString('').uvarint(ops.length + 1)
    for (const op of ops) body.compactString(op.name).int8(OP_CODES[op.op]).compactString(op.op === 'delete' ? null : (op.value ?? null)).uvarint(0)
    body.uvarint(0).int8(validateOnly ? 1 : 0).uvarint(0)
    const reply = await connection.request(API_INCREMENTAL_ALTER_CONFIGS, 1, body.toBuffer(), true)
    reply.int32() // throttle time
    const count = reply.uvarint() - 1
    for (let i = 0; i < count; i++) {
      const code = reply.int16()
      const message = reply.compactString()
      if (code !== 0) return {code: ERROR_NAMES[code] ?? `KAFKA_ERROR_${code}`, message: message ?? ''}
    }
    return undefined
  } finally {
    connection.close()
  }
}
