import {KafkaCommand} from '../../lib/kafka-command.js'
import {type BrokerInfo, describeCluster, type ClusterInfo} from '../../lib/kafka/cluster.js'

export default class ClusterDescribe extends KafkaCommand {
  static summary = 'Show the cluster id, the controller and the brokers.'
  static description = `On a terminal: a summary and a broker table. Piped: one record per line, its kind first, so awk can pick what it needs:
  cluster-id<TAB>ID
  controller<TAB>BROKER-ID
  broker<TAB>ID<TAB>HOST<TAB>PORT<TAB>RACK
With --json: {clusterId, controllerId, brokers: [{id, host, port, rack, isController, unreachable?}]} (unreachable: why a broker the cluster still lists does not accept a connection, e.g. one that just died; also warned on stderr).
The controller is the broker the cluster reports as its controller (in KRaft, a broker chosen by the cluster to answer controller queries).`

  static examples = [
    {description: 'Describe the local cluster', command: '<%= config.bin %> cluster describe'},
    {description: 'Broker addresses for a script', command: "<%= config.bin %> cluster describe -b kafka1:9092 | awk '$1==\"broker\" {print $3\":\"$4}'"},
    {description: 'Cluster id as JSON', command: '<%= config.bin %> cluster describe --json | jq -r .clusterId'},
  ]

  async run(): Promise<ClusterInfo> {
    const {flags} = await this.parse(ClusterDescribe)
    const cluster = await describeCluster(this.connect(flags))
    if (!this.jsonEnabled()) this.render(cluster)
    return cluster
  }

  private render(cluster: ClusterInfo): void {
    if (!this.out.isTTY) {
      this.out.line(`cluster-id\t${cluster.clusterId ?? ''}`)
      this.out.line(`controller\t${cluster.controllerId ?? ''}`)
      for (const b of cluster.brokers) this.out.line(`broker\t${b.id}\t${b.host}\t${b.port}\t${b.rack ?? ''}`)
      for (const b of cluster.brokers) if (b.unreachable) this.out.warn(`broker ${b.id} (${b.host}:${b.port}) is unreachable: ${b.unreachable}`)
      return
    }
    this.out.fields([
      ['Cluster ID', cluster.clusterId ?? '(none)'],
      ['Controller', cluster.controllerId ?? '(none)'],
      ['Brokers', cluster.brokers.length],
    ])
    this.out.line()
    this.out.table(cluster.brokers, [
      {header: 'ID', value: (b) => b.id, align: 'right'},
      {header: 'HOST', value: (b) => b.host},
      {header: 'PORT', value: (b) => b.port, align: 'right'},
      {header: 'RACK', value: (b) => b.rack ?? ''},
      {header: 'CONTROLLER', value: (b) => (b.isController ? 'yes' : ''), style: (t, _b, c) => c.green(t)},
      ...(cluster.brokers.some((b) => b.unreachable)
        ? [{header: 'STATUS', value: (b: BrokerInfo) => (b.unreachable ? `unreachable: ${b.unreachable}` : ''), style: (t: string, _b: BrokerInfo, c: typeof this.out.color) => c.red(t)}]
        : []),
    ])
    for (const b of cluster.brokers) if (b.unreachable) this.out.warn(`broker ${b.id} (${b.host}:${b.port}) is unreachable: ${b.unreachable}`)
  }
}
