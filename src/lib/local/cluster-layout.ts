import {KafkitError} from '../errors.js'
import {KAFKA_VERSION, LOCAL_HOST} from './paths.js'
import {type LocalKafkaState, newKafkaUuid, nodeLogFile} from './state.js'

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
  bootstrapServers: string
  clusterId: string
  stateDir: string
  kafkaVersion: string
  nodes: LocalKafkaNodeInfo[]
}

/**
 * Ports: brokers use port..port+n-1 and controllers the n ports after them, so one node takes
 * 9092 (clients) and 9093 (controller), like Kafka's own quick start.
 */
export function clusterPorts(size: number, firstPort: number): Array<{nodeId: number; port: number; controllerPort: number}> {
  return Array.from({length: size}, (_, index) => ({nodeId: index + 1, port: firstPort + index, controllerPort: firstPort + size + index}))
}

export function newClusterState(size: ClusterSize, firstPort: number): LocalKafkaState {
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
  return {
    bootstrapServers: bootstrapOf(state),
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
  }
}
