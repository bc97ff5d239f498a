import {Args, Flags} from '@oclif/core'

import {KafkaCommand} from '../../lib/kafka-command.js'
import {parseTrimPoint, trimTopic, type TrimResult} from '../../lib/kafka/topics/trim.js'

export default class TopicsTrim extends KafkaCommand {
  static summary = 'Delete the records before an offset or a point in time.'
  static description = `What kafka-delete-records and rpk topic trim-prefix do: move each partition's earliest offset forward, deleting the records before it.
--before OFFSET applies the same offset to every partition (or to --partition P); an offset below a partition's earliest changes nothing, one past its end is an error.
--before @TIME cuts each partition at its first record at or after TIME (epoch ms or s, YYYY-MM-DD, RFC 3339, or a duration back from now such as @-1h); a partition whose records are all older is emptied.
A dry run by default: it shows each partition's earliest offset current -> new; --execute applies it.
Piped: PARTITION<TAB>EARLIEST<TAB>NEW-EARLIEST<TAB>LATEST<TAB>RECORDS (records removed).
With --json: {topic, dryRun, before: {kind, offset|timestamp}, partitions: [{partition, earliestOffset, newEarliestOffset, latestOffset, records}]}.`

  static examples = [
    {description: 'See what deleting the records before offset 100 of partition 0 would do', command: '<%= config.bin %> topics trim orders --partition 0 --before 100'},
    {description: 'Delete records older than one day, for real', command: '<%= config.bin %> topics trim orders --before @-1d --execute'},
    {description: 'One partition, up to a date', command: '<%= config.bin %> topics trim orders --partition 2 --before @2024-06-01 --execute'},
  ]

  static args = {
    name: Args.string({description: 'Topic name.', required: true}),
  }

  static flags = {
    before: Flags.string({summary: 'OFFSET or @TIME: records before it are deleted.', required: true}),
    partition: Flags.integer({summary: 'Only this partition (repeatable; default: all).', min: 0, multiple: true, multipleNonGreedy: true}),
    execute: Flags.boolean({summary: 'Delete the records (without it: a dry run).'}),
  }

  async run(): Promise<TrimResult> {
    const {args, flags} = await this.parse(TopicsTrim)
    const point = parseTrimPoint(flags.before)
    const result = await trimTopic(this.connect(flags), args.name, point, {partitions: flags.partition, execute: flags.execute})
    if (!this.jsonEnabled()) {
      type Row = TrimResult['partitions'][number]
      const earliest = this.out.isTTY
        ? [{header: 'EARLIEST (CURRENT -> NEW)', value: (p: Row) => `${p.earliestOffset} -> ${p.newEarliestOffset}`}]
        : [
            {header: 'EARLIEST', value: (p: Row) => p.earliestOffset},
            {header: 'NEW-EARLIEST', value: (p: Row) => p.newEarliestOffset},
          ]
      this.out.table(result.partitions, [
        {header: 'PARTITION', value: (p: Row) => p.partition, align: 'right'},
        ...earliest,
        {header: 'LATEST', value: (p: Row) => p.latestOffset, align: 'right'},
        {header: 'RECORDS', value: (p: Row) => p.records, align: 'right', style: (t, p, c) => (p.records > 0 ? c.red(t) : t)},
      ])
      const total = result.partitions.reduce((n, p) => n + p.records, 0)
      this.out.notice(result.dryRun ? `dry run: ${total} record${total === 1 ? '' : 's'} would be deleted; add --execute to delete them` : `${total} record${total === 1 ? '' : 's'} deleted`)
    }
    return result
  }
}
