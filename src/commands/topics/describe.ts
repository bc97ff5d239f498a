import {Args, Flags} from '@oclif/core'

import {KafkitError, usageError} from '../../lib/errors.js'
import {KafkaCommand} from '../../lib/kafka-command.js'
import {isNonDefault, MASKED_VALUE, type TopicConfig} from '../../lib/kafka/topics/configs.js'
import {matchesAnyFilter, type HealthFilter} from '../../lib/kafka/topics/health.js'
import {describeTopics, resolveTopics, type PartitionDescription, type TopicDescription} from '../../lib/kafka/topics/index.js'

const ids = (list: readonly number[]) => list.join(',')
const configValue = (c: TopicConfig) => (c.sensitive ? MASKED_VALUE : (c.value ?? ''))

export default class TopicsDescribe extends KafkaCommand {
  static summary = 'Show partitions (leader, replicas, ISR, offsets) and configs of topics.'
  static description = `Without names: every topic, internal ones included (as kafka-topics does) unless --exclude-internal.
Partitions: leader, replicas, in-sync replicas, offline replicas (on brokers that are not alive), and the earliest and latest offset with the number of records between them.
Configs: by default those kafka-topics lists, i.e. every value not taken from Kafka's built-in default (topic overrides, and values a broker sets), each with its source; --all-configs lists every config (sensitive values masked).
Health filters (as in kafka-topics; several are ORed) show only the partitions that match; --topics-with-overrides only the topics with configs that are not Kafka's default. With --fail-on-findings the command exits 8 when a filter finds anything.
Piped, one record per line, its kind first (grep '^partition' for one line per partition):
  topic<TAB>NAME<TAB>TOPIC-ID<TAB>PARTITIONS<TAB>REPLICATION-FACTOR<TAB>OVERRIDES (a count; the configs are the config lines)
  partition<TAB>TOPIC<TAB>PARTITION<TAB>LEADER<TAB>REPLICAS<TAB>ISR<TAB>OFFLINE<TAB>EARLIEST<TAB>LATEST<TAB>MESSAGES
  config<TAB>TOPIC<TAB>NAME<TAB>VALUE<TAB>SOURCE<TAB>SENSITIVE
(replica lists comma-separated, LEADER "none" without a leader, SOURCE as Kafka names it, e.g. DYNAMIC_TOPIC_CONFIG).
With --json: an array of topics {name, topicId, internal, partitionCount, replicationFactor, configOverrides, partitions: [...], configs: [...]} (docs/topics.md).`

  static examples = [
    {description: 'One topic', command: '<%= config.bin %> topics describe orders'},
    {description: 'Every config with its source', command: '<%= config.bin %> topics describe orders --all-configs'},
    {description: 'Topics matching a pattern, as JSON', command: "<%= config.bin %> topics describe --pattern 'orders\\..*' --json"},
    {description: 'Gate CI on cluster health', command: '<%= config.bin %> topics describe --under-replicated-partitions --unavailable-partitions --fail-on-findings'},
    {description: 'Leader of each partition', command: "<%= config.bin %> topics describe orders | awk -F'\\t' '$1==\"partition\" {print $3, $4}'"},
  ]

  static strict = false

  static args = {
    name: Args.string({description: 'Topic name (give several to describe several; none: all topics).'}),
  }

  static flags = {
    pattern: Flags.string({summary: 'Describe the topics whose whole name matches this regular expression.'}),
    'exclude-internal': Flags.boolean({summary: 'Leave out internal topics (__consumer_offsets, ...).'}),
    'all-configs': Flags.boolean({summary: 'List every config with its value, source and whether it is sensitive.'}),
    'under-replicated-partitions': Flags.boolean({summary: 'Only partitions with fewer in-sync replicas than replicas.', helpGroup: 'HEALTH'}),
    'unavailable-partitions': Flags.boolean({summary: 'Only partitions without a leader, or whose leader is not alive.', helpGroup: 'HEALTH'}),
    'under-min-isr-partitions': Flags.boolean({summary: 'Only partitions with fewer in-sync replicas than min.insync.replicas.', helpGroup: 'HEALTH'}),
    'at-min-isr-partitions': Flags.boolean({summary: 'Only partitions with exactly min.insync.replicas in-sync replicas.', helpGroup: 'HEALTH'}),
    'topics-with-overrides': Flags.boolean({summary: 'Only topics with configs that are not Kafka\'s default (no partitions).', helpGroup: 'HEALTH'}),
    'fail-on-findings': Flags.boolean({summary: 'Exit 8 when a health filter finds anything.', helpGroup: 'HEALTH'}),
  }

  async run(): Promise<TopicDescription[]> {
    const {argv, flags} = await this.parse(TopicsDescribe)
    const names = argv as string[]
    if (names.length > 0 && flags.pattern !== undefined) throw usageError('give topic names or --pattern, not both')
    const filters: HealthFilter[] = []
    if (flags['under-replicated-partitions']) filters.push('under-replicated')
    if (flags['unavailable-partitions']) filters.push('unavailable')
    if (flags['under-min-isr-partitions']) filters.push('under-min-isr')
    if (flags['at-min-isr-partitions']) filters.push('at-min-isr')
    const overridesOnly = flags['topics-with-overrides']
    if (flags['fail-on-findings'] && filters.length === 0 && !overridesOnly) {
      throw usageError('--fail-on-findings needs a health filter', 'for example: --under-replicated-partitions --fail-on-findings')
    }

    const session = this.connect(flags)
    const topicNames = await resolveTopics(session, {names, pattern: flags.pattern, includeInternal: !flags['exclude-internal'], allWhenNone: true})
    if (topicNames.length === 0 && flags.pattern !== undefined && filters.length === 0 && !overridesOnly) {
      throw new KafkitError('not_found', `no topic matches '${flags.pattern}'`, {hint: 'list topics with: kafkit topics list --internal', kafkaCode: 'UNKNOWN_TOPIC_OR_PART'})
    }
    let topics = await describeTopics(session, topicNames, {allConfigs: flags['all-configs']})
    const filtered = filters.length > 0 || overridesOnly
    if (overridesOnly) topics = topics.filter((t) => t.configs.some(isNonDefault))
    if (filters.length > 0) {
      topics = topics
        .map((t) => ({...t, partitions: t.partitions.filter((p) => matchesAnyFilter(p.findings, filters))}))
        .filter((t) => t.partitions.length > 0)
    }

    const findings = filters.length > 0 ? topics.reduce((n, t) => n + t.partitions.length, 0) : topics.length
    const failure =
      flags['fail-on-findings'] && findings > 0
        ? new KafkitError('findings', `${findings} ${filters.length > 0 ? 'partition' : 'topic'}${findings === 1 ? '' : 's'} matched the health filters`)
        : undefined

    if (!this.jsonEnabled()) this.warnUnreadOffsets(topics)
    if (this.jsonEnabled()) {
      if (failure) this.logJson(topics)
    } else if (filtered) {
      this.renderFiltered(topics, filters.length > 0)
      if (topics.length === 0 && this.out.term.stderr.isTTY) this.out.notice(`no ${filters.length > 0 ? 'partition' : 'topic'} matched the filters`)
    } else {
      this.renderFull(topics, flags['all-configs'])
    }
    if (failure) throw failure
    return topics
  }

  /** One warning per reason (e.g. a leader broker that does not answer), naming the partitions. */
  private warnUnreadOffsets(topics: TopicDescription[]): void {
    const byReason = new Map<string, string[]>()
    for (const t of topics) {
      for (const p of t.partitions) {
        if (p.offsetsError === undefined) continue
        byReason.set(p.offsetsError, [...(byReason.get(p.offsetsError) ?? []), `${t.name}:${p.partition}`])
      }
    }
    for (const [reason, partitions] of byReason) this.out.warn(`offsets of ${partitions.join(', ')} not read: ${reason}`)
  }

  private renderFiltered(topics: TopicDescription[], partitions: boolean): void {
    if (!partitions) {
      if (this.out.isTTY) this.topicTable(topics)
      else for (const t of topics) this.topicLines(t, false)
      return
    }
    const rows = topics.flatMap((t) => t.partitions.map((p) => ({topic: t.name, ...p})))
    if (this.out.isTTY) this.out.table(rows, [{header: 'TOPIC', value: (r) => r.topic}, ...this.partitionColumns()])
    else for (const t of topics) for (const p of t.partitions) this.out.line(this.partitionLine(t.name, p))
  }

  private renderFull(topics: TopicDescription[], allConfigs: boolean): void {
    if (!this.out.isTTY) {
      for (const t of topics) this.topicLines(t, true)
      return
    }
    topics.forEach((t, index) => {
      if (index > 0) this.out.line()
      this.out.fields(
        [
          ['Topic', t.name],
          ['Topic ID', t.topicId ?? '(unknown)'],
          ['Partitions', t.partitionCount],
          ['Replication factor', t.replicationFactor],
          ['Overrides', t.configOverrides],
        ],
      )
      this.out.line()
      this.out.table(t.partitions, this.partitionColumns())
      if (t.configs.length > 0) {
        this.out.line()
        this.out.table(t.configs, [
          {header: 'CONFIG', value: (c) => c.name},
          {header: 'VALUE', value: (c) => configValue(c), style: (text, c, color) => (c.sensitive ? color.dim(text) : text)},
          {header: 'SOURCE', value: (c) => c.sourceLabel, style: (text, c, color) => (c.source === 'DYNAMIC_TOPIC_CONFIG' ? color.cyan(text) : text)},
          ...(allConfigs ? [{header: 'SENSITIVE', value: (c: TopicConfig) => (c.sensitive ? 'yes' : '')}] : []),
        ])
      }
    })
  }

  private topicTable(topics: TopicDescription[]): void {
    this.out.table(topics, [
      {header: 'TOPIC', value: (t) => t.name},
      {header: 'PARTITIONS', value: (t) => t.partitionCount, align: 'right'},
      {header: 'REPLICATION', value: (t) => t.replicationFactor, align: 'right'},
      {header: 'CONFIGS', value: (t) => t.configs.map((c) => `${c.name}=${configValue(c)}`).join(',')},
    ])
  }

  /**
   * Piped: the topic line, its partition lines, and its configs as `config` lines, one each
   * (packed into one field they could not be read back: cleanup.policy=compact,delete).
   */
  private topicLines(t: TopicDescription, withPartitions: boolean): void {
    this.out.line(['topic', t.name, t.topicId ?? '', t.partitionCount, t.replicationFactor, t.configOverrides].join('\t'))
    if (withPartitions) for (const p of t.partitions) this.out.line(this.partitionLine(t.name, p))
    for (const c of t.configs) this.out.line(['config', t.name, c.name, configValue(c), c.source, String(c.sensitive)].join('\t'))
  }

  private partitionLine(topic: string, p: PartitionDescription): string {
    return [
      'partition',
      topic,
      p.partition,
      p.leader ?? 'none',
      ids(p.replicas),
      ids(p.isr),
      ids(p.offlineReplicas),
      p.earliestOffset ?? '',
      p.latestOffset ?? '',
      p.messages ?? '',
    ].join('\t')
  }

  private partitionColumns() {
    type Row = PartitionDescription
    return [
      {header: 'PARTITION', value: (p: Row) => p.partition, align: 'right' as const},
      {header: 'LEADER', value: (p: Row) => p.leader ?? 'none', style: (t: string, p: Row, c: typeof this.out.color) => (p.leader === null ? c.red(t) : t)},
      {header: 'REPLICAS', value: (p: Row) => ids(p.replicas)},
      {
        header: 'ISR',
        value: (p: Row) => ids(p.isr),
        style: (t: string, p: Row, c: typeof this.out.color) => (p.isr.length < p.replicas.length ? c.yellow(t) : t),
      },
      {header: 'OFFLINE', value: (p: Row) => ids(p.offlineReplicas), style: (t: string, _p: Row, c: typeof this.out.color) => c.red(t)},
      {header: 'EARLIEST', value: (p: Row) => p.earliestOffset ?? '-', align: 'right' as const},
      {header: 'LATEST', value: (p: Row) => p.latestOffset ?? '-', align: 'right' as const},
      {header: 'MESSAGES', value: (p: Row) => p.messages ?? '-', align: 'right' as const},
    ]
  }
}
