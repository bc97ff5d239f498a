import {Args, Flags} from '@oclif/core'

import {KafkaCommand} from '../../lib/kafka-command.js'
import {listTopicNames} from '../../lib/kafka/topics.js'

export default class TopicsList extends KafkaCommand {
  static summary = 'List topic names.'
  static description = 'Names are sorted. Piped, one name per line (for xargs); with --json, an array of {name}.'
  static examples = [
    {description: 'All topics on a local broker', command: '<%= config.bin %> topics list'},
    {description: 'Topics whose whole name matches a regular expression', command: "<%= config.bin %> topics list 'orders\\..*'"},
    {description: 'Include internal topics such as __consumer_offsets', command: '<%= config.bin %> topics list --internal -b broker1:9092'},
    {description: 'Describe every topic in a script', command: '<%= config.bin %> topics list | xargs -n1 <%= config.bin %> topics describe'},
  ]

  static args = {
    pattern: Args.string({description: 'Regular expression the whole topic name must match.'}),
  }

  static flags = {
    internal: Flags.boolean({description: 'Include internal topics (__consumer_offsets, __transaction_state, ...).'}),
  }

  async run(): Promise<Array<{name: string}>> {
    const {args, flags} = await this.parse(TopicsList)
    const session = this.connect(flags)
    const names = await listTopicNames(session, {pattern: args.pattern, includeInternal: flags.internal})
    const rows = names.map((name) => ({name}))
    if (!this.jsonEnabled()) this.out.table(rows, [{header: 'TOPIC', value: (r) => r.name}])
    return rows
  }
}
