import type {BrokerAddress, UnreachableBroker} from './broker-reach.js'
import type {ClusterDescription} from './native-admin.js'
import type {KafkaSession} from './session.js'

// The cluster as a whole: id, controller, brokers, and which of them answer. Returns plain data; never prints.

export interface BrokerInfo {
  id: number
  host: string
  port: number
  rack: string | null
  isController: boolean
  /** Why the broker does not accept a connection, when it does not (it may have just died). */
  unreachable?: string
}

export interface ClusterInfo {
  clusterId: string | null
  controllerId: number | null
  brokers: BrokerInfo[]
}

export interface ClusterView {
  cluster: ClusterDescription
  /** Registered brokers that accept a connection. */
  live: Set<number>
  /** Brokers (registered or named by the metadata) that do not accept a connection, by id. */
  unreachable: Map<number, UnreachableBroker>
  /** A broker that answers, for requests any broker can serve (undefined: none known). */
  target?: number
}

/**
 * DescribeCluster, sent to a broker that answers (librdkafka's default target, the controller
 * the metadata names, may be a broker that just died), and which brokers answer. `known` are
 * the brokers the metadata names, to pick the target from.
 */
export async function clusterView(session: KafkaSession, known: BrokerAddress[]): Promise<ClusterView> {
  const target = await session.brokers.reachableId(known)
  const native = await session.nativeAdmin()
  const cluster = await session.guard('describe cluster', native.describeCluster(session.timeoutMs, {brokerId: target}))
  const unreachable = await session.brokers.unreachable([...known, ...cluster.brokers])
  const live = new Set(cluster.brokers.map((b) => b.id).filter((id) => !unreachable.has(id)))
  return {cluster, live, unreachable, target}
}

export async function describeCluster(session: KafkaSession): Promise<ClusterInfo> {
  // The JS probe fails fast with the reason when nothing answers; the native call then has a live cluster.
  const {cluster, unreachable} = await clusterView(session, (await session.metadata()).brokers)
  const controllerId = cluster.controllerId >= 0 ? cluster.controllerId : null
  return {
    clusterId: cluster.clusterId,
    controllerId,
    brokers: cluster.brokers
      .map((b): BrokerInfo => {
        const down = unreachable.get(b.id)
        return {id: b.id, host: b.host, port: b.port, rack: b.rack, isController: b.id === controllerId, ...(down ? {unreachable: down.reason} : {})}
      })
      .sort((a, b) => a.id - b.id),
  }
}
