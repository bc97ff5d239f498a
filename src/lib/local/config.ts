import type {LocalKafkaState, LocalNodeState} from './state.js'

// The broker configuration kafkit writes for each node. Regenerated on every start from state.json,
// so fixes here reach existing state folders; only ids and ports are fixed at creation.

/** `overrides` (a secured node's listeners and security settings) replace or add to the plaintext settings. */
export function serverProperties(state: LocalKafkaState, node: LocalNodeState, dataDir: string, overrides: Record<string, string> = {}): string {
  const {host} = state
  const clusterSize = state.nodes.length
  // One node can only keep one copy. On three nodes, internal topics get 3 copies and need 2 in sync,
  // like a production cluster, so a test can stop one node and keep groups and transactions working.
  const replicas = clusterSize >= 3 ? 3 : 1
  const minInSync = clusterSize >= 3 ? 2 : 1
  const properties: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': node.nodeId,
    listeners: `PLAINTEXT://${host}:${node.port},CONTROLLER://${host}:${node.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${host}:${node.port}`,
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name': 'PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'controller.quorum.bootstrap.servers': state.nodes.map((n) => `${host}:${n.controllerPort}`).join(','),
    'log.dirs': dataDir,
    'num.partitions': 1,
    'default.replication.factor': replicas,
    'min.insync.replicas': minInSync,
    'offsets.topic.replication.factor': replicas,
    // The first group operation creates __consumer_offsets; 5 partitions instead of 50 keeps that quick.
    'offsets.topic.num.partitions': 5,
    'transaction.state.log.replication.factor': replicas,
    'transaction.state.log.min.isr': minInSync,
    'transaction.state.log.num.partitions': 5,
    'share.coordinator.state.topic.replication.factor': replicas,
    'share.coordinator.state.topic.min.isr': minInSync,
    'share.coordinator.state.topic.num.partitions': 5,
    // Consumers join a group at once instead of after 3 s.
    'group.initial.rebalance.delay.ms': 0,
    // kafkit must never create a topic by accident (a typo in a produce or consume).
    'auto.create.topics.enable': false,
    'delete.topic.enable': true,
    // A deleted topic's files go at once, not a minute later in the middle of whatever runs
    // next (benchmarks create and delete 100 MB topics back to back).
    'file.delete.delay.ms': 0,
  }
  Object.assign(properties, overrides)
  const lines = Object.entries(properties).map(([key, value]) => `${key}=${value}`)
  return `# Written by kafkit local start on every start; edits here are overwritten.\n${lines.join('\n')}\n`
}

/** Log4j2 writes everything to stdout, which kafkit sends to the node's kafka.log with the JVM's own errors. */
export function log4jProperties(): string {
  return `# Written by kafkit local start on every start; edits here are overwritten.
status = warn
appender.stdout.type = Console
appender.stdout.name = STDOUT
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
# One line per request is far too much for a local broker.
logger.request.name = kafka.request.logger
logger.request.level = WARN
`
}

/** JVM options: a heap that lets three nodes share a small machine, and Kafka's own GC settings. */
export function jvmOptions(clusterSize: number, log4jFile: string): string[] {
  const maxHeap = clusterSize >= 3 ? '320m' : '512m'
  return [
    '-Xms128m',
    `-Xmx${maxHeap}`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExitOnOutOfMemoryError',
    // Only the quick JIT compiler: a 3-node start on 2 cores takes about 5 s instead of 8 s.
    // Peak throughput is lower, which does not matter for a development broker.
    '-XX:TieredStopAtLevel=1',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4jFile}`,
  ]
}
