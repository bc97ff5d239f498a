import {Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/base-command.js'
import {parseDuration} from '../../lib/duration.js'
import {type ClusterSize, type LocalKafkaStartResult, startLocalKafka} from '../../lib/local/index.js'

export default class LocalStart extends BaseCommand {
  static description = `Start a real Apache Kafka (KRaft) on this machine, without Docker.

Runs Apache Kafka 4.3.1 as Java processes in the background (Java 17+ needed; the jars come from $KAFKA_HOME, or are downloaded once with Maven). The first start creates the cluster in the state folder; later starts reuse its topics and data. Prints the bootstrap address; when the cluster runs already, prints it too.

Ports: brokers use --port and the ports after it (one per node); the controllers use the next ones (9092 and 9093 for one node).

--schema-registry also starts a Confluent-compatible Schema Registry (Apicurio Registry, built once with Maven, about 1.5 minutes) on port 8081 or a free one; it keeps schemas in memory, so a restart starts empty. 'local status' shows its URL, 'local stop' stops it too.`

  static examples = [
    {description: 'Start one node on 127.0.0.1:9092', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Use it from a script', command: 'export KAFKA_BOOTSTRAP_SERVERS=$(<%= config.bin %> <%= command.id %>)'},
    {description: 'A three-node cluster on ports 19092-19094, in its own folder', command: '<%= config.bin %> <%= command.id %> --nodes 3 --port 19092 --state-dir /tmp/kafka-3'},
    {description: 'Kafka and a Schema Registry', command: '<%= config.bin %> <%= command.id %> --schema-registry'},
  ]

  static flags = {
    nodes: Flags.string({
      description: 'Number of nodes (each one is broker and controller); only for a new state folder. [default: 1]',
      options: ['1', '3'],
    }),
    port: Flags.integer({
      description: 'First broker port; only for a new state folder. [default: 9092]',
      min: 1,
      max: 65_535,
    }),
    'state-dir': Flags.string({
      description: 'Folder for the cluster data, config and logs. [default: $KAFKIT_LOCAL_DIR or ~/.local/state/kafkit/local]',
    }),
    timeout: Flags.string({
      description: 'How long to wait for the brokers (and the registry) to be ready, e.g. 90s or 2m.',
      default: '90s',
    }),
    'schema-registry': Flags.boolean({
      description: 'Also start a local Schema Registry (Confluent-compatible API; schemas kept in memory).',
    }),
    'schema-registry-port': Flags.integer({
      description: 'Port of the Schema Registry when it starts. [default: 8081, or a free port when 8081 is taken]',
      min: 1,
      max: 65_535,
      dependsOn: ['schema-registry'],
    }),
  }

  async run(): Promise<LocalKafkaStartResult> {
    const {flags} = await this.parse(LocalStart)
    const result = await startLocalKafka({
      nodes: flags.nodes === undefined ? undefined : (Number(flags.nodes) as ClusterSize),
      port: flags.port,
      stateDir: flags['state-dir'],
      timeoutMs: parseDuration(flags.timeout, '--timeout'),
      onProgress: (message) => this.out.notice(message),
      schemaRegistry: flags['schema-registry'] ? {port: flags['schema-registry-port']} : undefined,
    })
    if (result.alreadyRunning) this.out.notice(`Kafka is already running (state folder ${result.stateDir})`)
    if (this.jsonEnabled()) return result
    if (!this.out.isTTY) {
      // stdout stays the bootstrap address alone: scripts capture it with $(kafkit local start).
      if (result.schemaRegistry) this.out.notice(`Schema Registry: ${result.schemaRegistry.url}`)
      this.out.line(result.bootstrapServers)
      return result
    }
    const stateDirFlag = flags['state-dir'] === undefined ? '' : ` --state-dir ${result.stateDir}`
    const logs = result.nodes.map((node): [string, string] => [result.nodes.length > 1 ? `Log node ${node.nodeId}` : 'Log', node.logFile])
    this.out.fields(
      [
        ['Bootstrap', result.bootstrapServers],
        ['Cluster id', result.clusterId],
        ['State folder', result.stateDir],
        ...logs,
        ...(result.schemaRegistry ? [['Schema Registry', result.schemaRegistry.url] as [string, string]] : []),
        ['Stop with', `${this.config.bin} local stop${stateDirFlag}`],
      ],
      `Apache Kafka ${result.kafkaVersion} is running (${result.nodes.length} node${result.nodes.length > 1 ? 's' : ''})`,
    )
    return result
  }
}
