import {KafkitError} from '../errors.js'
import {describeSecurity, type LocalSecurityInfo} from './client-settings.js'
import {KAFKA_VERSION, LOCAL_HOST} from './paths.js'
import {newSecurityState, securePorts} from './security.js'
import {type LocalKafkaState, newKafkaUuid, nodeLogFile, type SecurityMode} from './state.js'

// What a local cluster looks like: its node ids and ports, a new cluster's state, and the
// description (bootstrap servers, nodes, logs) reported for a state folder.

export type ClusterSize = 1 | 3

export interface LocalKafkaNodeInfo {
  nodeId: number
  host: string
  port: number
  controllerPort: number
  /** The broker JVM, or null when this node is not running. */
  pid: number | null
  logFile: string
}

export interface LocalKafkaInfo {
  /** For a secured node, the listener of its mode. */
  bootstrapServers: string
  clusterId: string
  stateDir: string
  kafkaVersion: string
  nodes: LocalKafkaNodeInfo[]
  /** A secured node's listeners, users, certificates and client files. */
  security?: LocalSecurityInfo
}

/**
 * The ports a node binds: its client listeners (one, or a secured node's four) and its controller.
 */
export function nodePorts(state: LocalKafkaState, node: {port: number; controllerPort: number}): number[] {
  return state.security ? [...Object.values(state.security.ports), node.controllerPort] : [node.port, node.controllerPort]
}

/**
 * Ports: brokers use port..port+n-1 and controllers the n ports after them, so one node takes
 * 9092 (clients) and 9093 (controller), like Kafka's own quick start.
 */
export function clusterPorts(size: number, firstPort: number): Array<{nodeId: number; port: number; controllerPort: number}> {
  return Array.from({length: size}, (_, index) => ({nodeId: index + 1, port: firstPort + index, controllerPort: firstPort + size + index}))
}

interface SecurityRequest {
  mode: SecurityMode
  users: readonly string[]
}

export function newClusterState(size: ClusterSize, firstPort: number, security?: SecurityRequest): LocalKafkaState {
  if (security) {
    if (size !== 1) throw new KafkitError('usage', '--security starts one node; --nodes 3 is for a plaintext cluster')
    const {ports, controllerPort} = securePorts(firstPort)
    if (firstPort < 1 || controllerPort > 65_535) throw new KafkitError('usage', `port ${firstPort} leaves no room for the 5 consecutive ports of a secured node`)
    return {
      version: 1,
      kafkaVersion: KAFKA_VERSION,
      clusterId: newKafkaUuid(),
      host: LOCAL_HOST,
      nodes: [{nodeId: 1, port: ports.sasl, controllerPort, directoryId: newKafkaUuid(), pid: null}],
      security: newSecurityState(security.mode, firstPort, security.users),
    }
  }
  if (firstPort < 1 || firstPort + 2 * size - 1 > 65_535) {
    throw new KafkitError('usage', `port ${firstPort} leaves no room for ${2 * size} consecutive ports (brokers and controllers)`)
  }
  return {
    version: 1,
    kafkaVersion: KAFKA_VERSION,
    clusterId: newKafkaUuid(),
    host: LOCAL_HOST,
    nodes: clusterPorts(size, firstPort).map((ports) => ({...ports, directoryId: newKafkaUuid(), pid: null})),
  }
}

const bootstrapOf = (state: LocalKafkaState) => state.nodes.map((node) => `${state.host}:${node.port}`).join(',')

export function describeCluster(stateDir: string, state: LocalKafkaState): LocalKafkaInfo {
  const security = state.security ? describeSecurity(stateDir, state.host, state.security) : undefined
  return {
    bootstrapServers: security ? security.listeners[security.mode] : bootstrapOf(state),
    clusterId: state.clusterId,
    stateDir,
    kafkaVersion: state.kafkaVersion,
    nodes: state.nodes.map((node) => ({
      nodeId: node.nodeId,
      host: state.host,
      port: node.port,
      controllerPort: node.controllerPort,
      pid: node.pid,
      logFile: nodeLogFile(stateDir, node.nodeId),
    })),
    ...(security ? {security} : {}),
  }
}
