import {Args, Flags} from '@oclif/core'

import {KafkaCommand} from '../../lib/kafka-command.js'
import {parseConfigAssignments} from '../../lib/kafka/topics/configs.js'
import {batchFailure} from '../../lib/batch-failure.js'
import {createTopics, type CreateTopicResult} from '../../lib/kafka/topics/index.js'

export default class TopicsCreate extends KafkaCommand {
  static summary = 'Create topics.'
  static description = `Without --partitions or --replication-factor the broker's defaults apply (num.partitions, default.replication.factor).
--dry-run asks the controller to validate the request (name, counts, configs) without creating anything.
One result row per topic; piped: NAME<TAB>STATUS<TAB>PARTITIONS<TAB>REPLICATION-FACTOR<TAB>ERROR, where STATUS is created, would-create, exists or failed and "default" stands for the broker's default.
With --json: an array of {name, status, partitions, replicationFactor, configs, error?} (null counts: the broker's default).
Exit codes: 7 when the topic exists (without --if-not-exists) or the broker rejects the request (replication factor above the number of brokers, unknown config name, invalid value); 6 when some topics were created and others failed.`

  static examples = [
    {description: 'Three partitions, one replica (at most one per broker)', command: '<%= config.bin %> topics create orders --partitions 3 --replication-factor 1'},
    {description: 'A compacted topic', command: '<%= config.bin %> topics create customers --config cleanup.policy=compact --config min.cleanable.dirty.ratio=0.1'},
    {description: 'Idempotent, for provisioning scripts', command: '<%= config.bin %> topics create events.a events.b -p 6 --if-not-exists'},
    {description: 'Ask the broker whether it would accept it', command: '<%= config.bin %> topics create audit --config retention.ms=-1 --dry-run'},
  ]

  static strict = false

  static args = {
    name: Args.string({description: 'Topic name (give several to create several).', required: true}),
  }

  static flags = {
    partitions: Flags.integer({char: 'p', summary: "Number of partitions (default: the broker's num.partitions).", min: 1}),
    'replication-factor': Flags.integer({
      char: 'r',
      summary: "Copies of each partition (default: the broker's default.replication.factor).",
      min: 1,
      max: 32767,
    }),
    config: Flags.string({char: 'c', summary: 'Topic config key=value (repeatable).', multiple: true, multipleNonGreedy: true}),
    'if-not-exists': Flags.boolean({summary: 'A topic that exists already is not an error.'}),
    'dry-run': Flags.boolean({summary: 'Validate with the broker; create nothing.'}),
  }

  async run(): Promise<CreateTopicResult[]> {
    const {argv, flags} = await this.parse(TopicsCreate)
    const names = argv as string[]
    const configs = parseConfigAssignments(flags.config)
    const results = await createTopics(this.connect(flags), names, {
      partitions: flags.partitions,
      replicationFactor: flags['replication-factor'],
      configs,
      ifNotExists: flags['if-not-exists'],
      dryRun: flags['dry-run'],
    })
    const failure = batchFailure(results, 'topics')
    // One topic that failed is reported as that topic's error alone.
    if (failure && results.length === 1) throw failure
    this.renderBatch(results, [
      {header: 'TOPIC', value: (r) => r.name},
      {header: 'STATUS', value: (r) => r.status, style: (t, r, c) => (r.status === 'failed' ? c.red(t) : c.green(t))},
      {header: 'PARTITIONS', value: (r) => r.partitions ?? 'default', align: 'right'},
      {header: 'REPLICATION', value: (r) => r.replicationFactor ?? 'default', align: 'right'},
      {header: 'ERROR', value: (r) => r.error?.message ?? ''},
    ], failure !== undefined)
    if (flags['dry-run'] && !this.jsonEnabled()) this.out.notice('dry run: nothing was created')
    if (failure) throw failure
    return results
  }
}
