// `kafkit local`: a real Apache Kafka on this machine, as JVM processes (no Docker).
export {
  killLocalKafkaSync,
  localKafkaStatus,
  startLocalKafka,
  startLocalNode,
  stopLocalKafka,
  stopLocalNode,
  type LocalKafkaNodeStatus,
  type LocalKafkaStartResult,
  type LocalKafkaStatus,
  type LocalKafkaStopResult,
  type StartLocalKafkaOptions,
  type StopOptions,
  type StoppedNode,
} from './local-kafka.js'
export {type LocalSecurityInfo, type SecureUserInfo, writeSecureProfile} from './client-settings.js'
export {SECURITY_MODES, type SecurityMode} from './state.js'
export {clusterPorts, type ClusterSize, type LocalKafkaInfo, type LocalKafkaNodeInfo} from './cluster-layout.js'
export {findJava, type JavaRuntime} from './java.js'
export {resolveKafkaLibs, type KafkaLibs} from './kafka-libs.js'
export {kafkaAnswers} from './kafka-probe.js'
export {findFreePortRange} from './ports.js'
export {isProcessAlive, waitUntilGone} from './processes.js'
