import {Args, Flags} from '@oclif/core'

import {KafkitError, usageError} from '../../lib/errors.js'
import {KafkaCommand} from '../../lib/kafka-command.js'
import {groupCommittedOffsets} from '../../lib/kafka/groups/groups.js'
import {
  describeLogPosition,
  listLogOffsets,
  parseLogPosition,
  partitionKey,
  resolvePartitionSpecs,
} from '../../lib/kafka/offsets.js'
import {listTopicNames} from '../../lib/kafka/topics/index.js'
import {parseTopicPartitionSpec} from '../../lib/partition-spec.js'

interface OffsetRow {
  topic: string
  partition: number
  /** null when the log has no offset for the time asked (every record is older). */
  offset: number | null
  timestamp?: number
  metadata?: string
  error?: string
}

export default class OffsetsGet extends KafkaCommand {
  static summary = 'Offsets of partitions (earliest, latest, by time), or a group\'s committed offsets.'
  static description = `Like kafka-get-offsets. Partitions: TOPIC (all), TOPIC:0, TOPIC:0,2, TOPIC:0-3 (0, 1, 2 and 3: both ends included, unlike kafka-get-offsets --topic-partitions), TOPIC:5- (5 and up), TOPIC:-3 (up to 3); no topic means every topic (internal ones excluded).
--time: latest (default, the log-end offset), earliest, max-timestamp (the record with the highest timestamp), or a time (epoch ms, ISO 8601, or a duration back from now like -1h): the first offset whose record is at or after it. Apache's -1, -2, -3 work too.
With --group: the group's committed offsets (and commit metadata if any), optionally only for the named topics.
Piped: topic:partition:offset lines, the Apache tool's format (like it, partitions without an offset for the time asked are left out). On a terminal: a table. --json: an array of {topic, partition, offset, timestamp?, metadata?}.`

  static examples = [
    {description: 'Log-end offsets of a topic', command: '<%= config.bin %> offsets get orders'},
    {description: 'Earliest offsets of partitions 0, 1 and 2', command: '<%= config.bin %> offsets get orders:0-2 --time earliest'},
    {description: 'Where the records of the last hour start', command: '<%= config.bin %> offsets get orders --time -1h'},
    {description: "A group's committed offsets", command: '<%= config.bin %> offsets get --group orders-service'},
    {description: 'Total records in a topic (latest minus earliest) with awk', command: "paste -d: <(<%= config.bin %> offsets get orders --time latest) <(<%= config.bin %> offsets get orders --time earliest) | awk -F: '{n+=$3-$6} END {print n}'"},
  ]

  static strict = false
  static args = {
    topic: Args.string({description: 'TOPIC or TOPIC:PARTITIONS (repeatable).'}),
  }

  static flags = {
    time: Flags.string({summary: 'latest, earliest, max-timestamp, or a time (epoch ms, ISO 8601, -1h).', default: 'latest', exclusive: ['group']}),
    group: Flags.string({char: 'g', summary: "Show this group's committed offsets instead."}),
  }

  async run(): Promise<OffsetRow[]> {
    const {argv, flags} = await this.parse(OffsetsGet)
    const specs = (argv as string[]).map(parseTopicPartitionSpec)
    const position = parseLogPosition(flags.time)
    const session = this.connect(flags)
    await session.ensureReachable()

    let rows: OffsetRow[]
    if (flags.group === undefined) {
      const topics = specs.length > 0 ? specs : (await listTopicNames(session)).map((topic) => ({topic}))
      if (topics.length === 0) throw usageError('there are no topics to show offsets for')
      const partitions = await resolvePartitionSpecs(session, topics)
      const offsets = await listLogOffsets(session, partitions, position)
      rows = partitions.map((p) => offsets.get(partitionKey(p)) ?? {...p, offset: null})
      const failures = rows.filter((r) => r.error)
      if (failures.length > 0) this.out.warn(`${failures.length} partition(s) failed: ${failures[0]!.topic}:${failures[0]!.partition} ${failures[0]!.error}`)
    } else {
      rows = await groupCommittedOffsets(session, flags.group, specs.map((s) => s.topic))
    }
    if (!this.jsonEnabled()) this.render(rows, flags.group === undefined ? describeLogPosition(position) : undefined)
    if (rows.some((r) => r.error) && rows.every((r) => r.error)) throw new KafkitError('failure', 'no offsets could be read')
    return rows
  }

  private render(rows: OffsetRow[], position: string | undefined): void {
    if (!this.out.isTTY) {
      // As kafka-get-offsets: a partition without an offset for the time asked is left out.
      for (const r of rows) if (r.offset !== null) this.out.line(`${r.topic}:${r.partition}:${r.offset}`)
      return
    }
    const byTime = rows.some((r) => r.timestamp !== undefined)
    const withMetadata = rows.some((r) => r.metadata)
    this.out.table(rows, [
      {header: 'TOPIC', value: (r) => r.topic},
      {header: 'PARTITION', value: (r) => r.partition, align: 'right'},
      {header: 'OFFSET', value: (r) => r.offset ?? '-', align: 'right'},
      ...(byTime ? [{header: 'TIMESTAMP', value: (r: OffsetRow) => (r.timestamp === undefined ? '-' : new Date(r.timestamp).toISOString())}] : []),
      ...(withMetadata ? [{header: 'METADATA', value: (r: OffsetRow) => r.metadata ?? ''}] : []),
    ])
    if (position !== undefined && rows.some((r) => r.offset === null && !r.error)) this.out.notice(`"-": no record at or after ${position}`)
  }
}
