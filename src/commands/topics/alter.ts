import {Args, Flags} from '@oclif/core'

import {KafkaCommand} from '../../lib/kafka-command.js'
import {configOpsFromFlags} from '../../lib/kafka/topics/configs.js'
import {alterTopic, type AlterChange, type AlterTopicResult} from '../../lib/kafka/topics/index.js'

const shown = (value: string | number | null) => (value === null ? '(none)' : value === '' ? '""' : String(value))

export default class TopicsAlter extends KafkaCommand {
  static summary = 'Add partitions and change configs of a topic.'
  static description = `Partitions can only grow: asking for fewer or the same number is an error (exit 7).
Configs change incrementally (IncrementalAlterConfigs): only the named configs change, other overrides stay as they are. --delete-config removes an override (the topic falls back to the broker's or Kafka's default); --append-config and --subtract-config add items to or remove them from a list config such as cleanup.policy.
The broker validates every config change first, also with --dry-run, which then prints each change as current -> new without applying anything.
Piped: one line per change, KIND<TAB>NAME<TAB>OP<TAB>CURRENT<TAB>NEW (KIND is partitions or config).
With --json: {topic, dryRun, changes: [{kind, name, op, current, currentSource, new, newSource, unchanged}]}.`

  static examples = [
    {description: 'Grow to 12 partitions', command: '<%= config.bin %> topics alter orders --partitions 12'},
    {description: 'Keep records for a week; other overrides stay', command: '<%= config.bin %> topics alter orders --config retention.ms=604800000'},
    {description: 'Back to the broker default', command: '<%= config.bin %> topics alter orders --delete-config retention.ms'},
    {description: 'Compact as well as delete', command: '<%= config.bin %> topics alter orders --append-config cleanup.policy=compact'},
    {description: 'See what would change', command: '<%= config.bin %> topics alter orders --partitions 24 --config min.insync.replicas=2 --dry-run'},
  ]

  static args = {
    name: Args.string({description: 'Topic name.', required: true}),
  }

  static flags = {
    partitions: Flags.integer({char: 'p', summary: 'The new number of partitions (more than now).', min: 1}),
    config: Flags.string({char: 'c', summary: 'Set a config: key=value (repeatable).', multiple: true, multipleNonGreedy: true}),
    'delete-config': Flags.string({summary: 'Remove a config override: key (repeatable).', multiple: true, multipleNonGreedy: true}),
    'append-config': Flags.string({summary: 'Add items to a list config: key=item[,item] (repeatable).', multiple: true, multipleNonGreedy: true}),
    'subtract-config': Flags.string({summary: 'Remove items from a list config: key=item[,item] (repeatable).', multiple: true, multipleNonGreedy: true}),
    'dry-run': Flags.boolean({summary: 'Validate and show current -> new; change nothing.'}),
  }

  async run(): Promise<AlterTopicResult> {
    const {args, flags} = await this.parse(TopicsAlter)
    const configOps = configOpsFromFlags({
      set: flags.config,
      delete: flags['delete-config'],
      append: flags['append-config'],
      subtract: flags['subtract-config'],
    })
    const result = await alterTopic(this.connect(flags), args.name, {partitions: flags.partitions, configOps, dryRun: flags['dry-run']})
    if (!this.jsonEnabled()) {
      if (this.out.isTTY) {
        this.out.table(result.changes, [
          {header: 'CHANGE', value: (c: AlterChange) => c.name},
          {header: 'OP', value: (c: AlterChange) => c.op},
          {header: 'CURRENT', value: (c: AlterChange) => shown(c.current)},
          {header: '', value: () => '->'},
          {header: 'NEW', value: (c: AlterChange) => (c.new === null && c.op === 'delete' ? '(default)' : shown(c.new)), style: (t, c, color) => (c.unchanged ? color.dim(t) : color.green(t))},
        ])
      } else {
        for (const c of result.changes) this.out.line([c.kind, c.name, c.op, c.current ?? '', c.new ?? ''].join('\t'))
      }
      this.out.notice(result.dryRun ? 'dry run: nothing was changed' : `topic ${result.topic} altered`)
    }
    return result
  }
}
