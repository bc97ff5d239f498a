import {Args, Flags} from '@oclif/core'

import {KafkaCommand} from '../../lib/kafka-command.js'
import {listTopicNames, summarizeTopics, type TopicSummary} from '../../lib/kafka/topics/index.js'

export default class TopicsList extends KafkaCommand {
  static summary = 'List topic names.'
  static description = `Names are sorted. Piped, one name per line (for xargs); with --json, an array of {name}.
With -l/--long: partitions, replication factor and the number of topic-level config overrides; piped, NAME<TAB>PARTITIONS<TAB>REPLICATION-FACTOR<TAB>OVERRIDES; with --json, an array of {name, partitions, replicationFactor, configOverrides}.`

  static examples = [
    {description: 'All topics on a local broker', command: '<%= config.bin %> topics list'},
    {description: 'Topics whose whole name matches a regular expression', command: "<%= config.bin %> topics list 'orders\\..*'"},
    {description: 'Include internal topics such as __consumer_offsets', command: '<%= config.bin %> topics list --internal -b broker1:9092'},
    {description: 'Partitions, replication factor and overrides of each topic', command: '<%= config.bin %> topics list --long'},
    {description: 'Describe every topic in a script', command: '<%= config.bin %> topics list | xargs -n1 <%= config.bin %> topics describe'},
  ]

  static args = {
    pattern: Args.string({description: 'Regular expression the whole topic name must match.'}),
  }

  static flags = {
    internal: Flags.boolean({description: 'Include internal topics (__consumer_offsets, __transaction_state, ...).'}),
    long: Flags.boolean({char: 'l', description: 'Also show partitions, replication factor and the number of config overrides.'}),
  }

  async run(): Promise<Array<{name: string}> | TopicSummary[]> {
    const {args, flags} = await this.parse(TopicsList)
    const session = this.connect(flags)
    const names = await listTopicNames(session, {pattern: args.pattern, includeInternal: flags.internal})
    if (flags.long) {
      const summaries = await summarizeTopics(session, names)
      if (!this.jsonEnabled()) {
        this.out.table(summaries, [
          {header: 'TOPIC', value: (r) => r.name},
          {header: 'PARTITIONS', value: (r) => r.partitions, align: 'right'},
          {header: 'REPLICATION', value: (r) => r.replicationFactor, align: 'right'},
          {header: 'OVERRIDES', value: (r) => r.configOverrides, align: 'right'},
        ])
      }
      return summaries
    }
    const rows = names.map((name) => ({name}))
    if (!this.jsonEnabled()) this.out.table(rows, [{header: 'TOPIC', value: (r) => r.name}])
    return rows
  }
}
