import type {KafkaSession} from './session.js'

// The cluster as a whole: id, controller, brokers. Returns plain data; never prints.

export interface BrokerInfo {
  id: number
  host: string
  port: number
  rack: string | null
  isController: boolean
}

export interface ClusterInfo {
  clusterId: string | null
  controllerId: number | null
  brokers: BrokerInfo[]
}

export async function describeCluster(session: KafkaSession): Promise<ClusterInfo> {
  // The JS probe fails fast with the reason when nothing answers; the native call then has a live cluster.
  await session.ensureReachable()
  const native = await session.native()
  const cluster = await session.guard('describe cluster', native.describeCluster(session.timeoutMs))
  const controllerId = cluster.controllerId >= 0 ? cluster.controllerId : null
  return {
    clusterId: cluster.clusterId,
    controllerId,
    brokers: cluster.brokers
      .map((b) => ({id: b.id, host: b.host, port: b.port, rack: b.rack, isController: b.id === controllerId}))
      .sort((a, b) => a.id - b.id),
  }
}
