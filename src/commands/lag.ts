import {Args, Flags} from '@oclif/core'

import {formatDuration, isDuration, parseDuration} from '../lib/duration.js'
import {interruptedError, KafkitError, usageError} from '../lib/errors.js'
import {KafkaCommand} from '../lib/kafka-command.js'
import type {GroupPartitionRow} from '../lib/kafka/groups/groups.js'
import {
  type LagSnapshot,
  LagRateTracker,
  type LagTrend,
  overThreshold,
  readLag,
  summarizeLag,
  type TopicLag,
  trendKey,
} from '../lib/kafka/lag.js'
import type {KafkaSession} from '../lib/kafka/session.js'
import {formatEta, formatRate} from '../lib/output/lag-text.js'
import {batchFailure, itemError, type ItemError} from '../lib/batch-failure.js'
import {trapInterrupts} from '../lib/signals.js'

interface PartitionLagRow extends GroupPartitionRow {
  group: string
}

export interface LagResult {
  /** When the offsets were read (ISO 8601). */
  at: string
  topics: TopicLag[]
  /** Only with --by-partition. */
  partitions?: PartitionLagRow[]
  /** Only with --max-lag: the group/topic rows above it. */
  maxLag?: number
  exceeded?: TopicLag[]
  /** Groups that could not be read (their coordinator does not answer, ...), each with its error; present only when some failed. */
  failedGroups?: Array<{group: string; error: ItemError}>
}

const DEFAULT_INTERVAL = '2s'

export default class Lag extends KafkaCommand {
  static summary = 'Consumer lag per group and topic, for monitoring and CI.'
  static description = `Per group and topic: PARTITIONS, LAG (the sum over partitions with a committed offset), MAX-LAG (the largest partition lag), MEMBERS (consumers with partitions of the topic). The numbers are those of kafka-consumer-groups --describe: lag = log-end offset - committed offset.
No group named: every group (as --all-groups). --topic narrows to one topic. --by-partition: one row per partition instead (GROUP, TOPIC, PARTITION, CURRENT-OFFSET, LOG-END-OFFSET, LAG, CONSUMER-ID).
--max-lag N: exit code 8 when the total lag of any group/topic is above N (after printing the numbers), so a CI step or cron job can alert.
--watch [INTERVAL] (default ${DEFAULT_INTERVAL}): keeps reading. On a terminal the table is redrawn in place with RATE (how fast the lag grows, +, or shrinks, -, in records/s) and ETA (time to catch up at that rate); rows above --max-lag turn red. Piped, each round appends its rows with a leading timestamp; with --json, one JSON object per line per round. Ctrl-C ends it (exit code 130).
Piped: the same columns tab-separated without a header. --json: {at, topics: [{group, topic, partitions, totalLag, maxPartitionLag, uncommitted, members}], partitions?, maxLag?, exceeded?}.`

  static examples = [
    {description: 'Lag of every group', command: '<%= config.bin %> lag'},
    {description: 'One group, partition by partition', command: '<%= config.bin %> lag orders-service --by-partition'},
    {description: 'Fail a CI step when a group falls more than 1000 records behind', command: '<%= config.bin %> lag orders-service --max-lag 1000'},
    {description: 'Watch a group catch up, every 5 seconds', command: '<%= config.bin %> lag orders-service --watch 5s'},
    {description: 'Groups with lag on one topic, for a script', command: "<%= config.bin %> lag --topic orders | awk '$4 > 0 {print $1}'"},
  ]

  static strict = false
  static args = {
    group: Args.string({description: 'Group id(s); none means every group.'}),
  }

  static flags = {
    'all-groups': Flags.boolean({summary: 'Every group of the cluster (the default when no group is named).'}),
    topic: Flags.string({summary: 'Only this topic.'}),
    'by-partition': Flags.boolean({summary: 'One row per partition instead of per topic.'}),
    'max-lag': Flags.string({summary: 'Exit with code 8 when any group/topic has a total lag above N.'}),
    watch: Flags.boolean({summary: `Keep reading every INTERVAL (--watch 5s; default ${DEFAULT_INTERVAL}); Ctrl-C ends it.`}),
    interval: Flags.string({summary: `Time between reads with --watch (also written --watch INTERVAL).`, default: DEFAULT_INTERVAL}),
  }

  async run(): Promise<LagResult> {
    this.argv = watchIntervalAsFlag(this.argv)
    const {argv, flags} = await this.parse(Lag)
    const groups = [...new Set(argv as string[])]
    if (groups.length > 0 && flags['all-groups']) throw usageError('name groups or pass --all-groups, not both')
    const maxLag = flags['max-lag'] === undefined ? undefined : parseMaxLag(flags['max-lag'])
    const options = {groups, allGroups: groups.length === 0, topic: flags.topic}
    const session = this.connect(flags)

    if (flags.watch) {
      return this.watch(session, options, parseDuration(flags.interval, '--interval'), flags['by-partition'], maxLag)
    }
    const snapshot = await readLag(session, options)
    const result = toResult(snapshot, flags['by-partition'], maxLag)
    if (!this.jsonEnabled()) this.render(result)
    if (result.exceeded && result.exceeded.length > 0) {
      throw new KafkitError('findings', `lag above ${maxLag}: ${result.exceeded.map((r) => `${r.group}/${r.topic}=${r.totalLag}`).join(', ')}`, {data: result})
    }
    // The groups that answered are shown; the others fail the command at the end, as a batch.
    const failure = batchFailure([...snapshot.groups.map(() => ({})), ...(result.failedGroups ?? [])], 'groups')
    if (failure) throw new KafkitError(failure.kind, failure.message, {hint: failure.hint, kafkaCode: failure.kafkaCode, exitCode: failure.exitCode, data: result})
    return result
  }

  private render(result: LagResult): void {
    if (result.partitions) this.renderPartitions(result.partitions)
    else this.renderTopics(result.topics, result.maxLag)
  }

  private renderTopics(rows: TopicLag[], maxLag: number | undefined, trends?: Map<string, LagTrend>): void {
    const over = (r: TopicLag) => maxLag !== undefined && r.totalLag > maxLag
    this.out.table(rows, [
      {header: 'GROUP', value: (r) => r.group},
      {header: 'TOPIC', value: (r) => r.topic},
      {header: 'PARTITIONS', value: (r) => r.partitions, align: 'right'},
      {header: 'LAG', value: (r) => r.totalLag, align: 'right', style: (t, r, c) => (over(r) ? c.red.bold(t) : r.totalLag > 0 ? c.yellow(t) : t)},
      {header: 'MAX-LAG', value: (r) => r.maxPartitionLag, align: 'right'},
      {header: 'MEMBERS', value: (r) => r.members, align: 'right'},
      ...(trends
        ? [
            {header: 'RATE', value: (r: TopicLag) => formatRate(trends.get(trendKey(r))?.ratePerSecond ?? null), align: 'right' as const},
            {header: 'ETA', value: (r: TopicLag) => formatEta(trends.get(trendKey(r))?.catchUpSeconds ?? null), align: 'right' as const},
          ]
        : []),
    ])
  }

  private renderPartitions(rows: PartitionLagRow[]): void {
    const dash = (v: number | string | null) => (v === null ? '-' : v)
    this.out.table(rows, [
      {header: 'GROUP', value: (r) => r.group},
      {header: 'TOPIC', value: (r) => r.topic},
      {header: 'PARTITION', value: (r) => r.partition, align: 'right'},
      {header: 'CURRENT-OFFSET', value: (r) => dash(r.currentOffset), align: 'right'},
      {header: 'LOG-END-OFFSET', value: (r) => dash(r.logEndOffset), align: 'right'},
      {header: 'LAG', value: (r) => dash(r.lag), align: 'right', style: (t, r, c) => (r.lag ? c.yellow(t) : t)},
      {header: 'CONSUMER-ID', value: (r) => dash(r.memberId)},
    ])
  }

  /** Reads every interval until Ctrl-C (or SIGTERM), then ends with the interrupt's exit code; the terminal view is redrawn in place. */
  private async watch(session: KafkaSession, options: Parameters<typeof readLag>[1], intervalMs: number, byPartition: boolean, maxLag: number | undefined): Promise<never> {
    const trap = trapInterrupts()
    const tracker = new LagRateTracker()
    const view = this.out.isTTY && !this.jsonEnabled() ? this.out.liveView() : undefined
    try {
      while (!trap.stop.aborted) {
        const snapshot = await readLag(session, options)
        const result = toResult(snapshot, byPartition, maxLag)
        const trends = tracker.update(snapshot.at, result.topics)
        if (trap.stop.aborted) break
        // A group that cannot be read this round is named on stderr; the watch goes on.
        if (!this.jsonEnabled()) for (const f of snapshot.failed) this.out.warn(f.error.message)
        if (this.jsonEnabled()) {
          this.out.line(JSON.stringify({...result, trends: result.topics.map((r) => ({group: r.group, topic: r.topic, ...trends.get(trendKey(r))}))}))
        } else if (view) {
          view.frame(() => {
            const over = result.exceeded?.length ?? 0
            this.out.line(this.out.color.dim(`${result.at}  every ${formatDuration(intervalMs)}  ${result.topics.length} group/topic rows${maxLag === undefined ? '' : `, ${over} above ${maxLag}`}  (Ctrl-C to stop)`))
            if (byPartition) this.renderPartitions(result.partitions ?? [])
            else this.renderTopics(result.topics, maxLag, trends)
          })
        } else {
          for (const r of result.topics) {
            const t = trends.get(trendKey(r))
            this.out.line([result.at, r.group, r.topic, r.partitions, r.totalLag, r.maxPartitionLag, r.members, formatRate(t?.ratePerSecond ?? null), formatEta(t?.catchUpSeconds ?? null)].join('\t'))
          }
        }
        await sleepUnlessStopped(intervalMs, trap.stop)
      }
    } finally {
      trap.dispose()
      view?.end()
    }
    throw interruptedError(trap.received ?? 'SIGINT', `lag --watch stopped by ${trap.received ?? 'SIGINT'}`)
  }
}

function sleepUnlessStopped(ms: number, stop: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      stop.removeEventListener('abort', done)
      resolve()
    }
    stop.addEventListener('abort', done)
  })
}

function toResult(snapshot: LagSnapshot, byPartition: boolean, maxLag: number | undefined): LagResult {
  const topics = summarizeLag(snapshot.groups)
  return {
    at: new Date(snapshot.at).toISOString(),
    topics,
    ...(byPartition ? {partitions: snapshot.groups.flatMap((g) => g.partitions.map((p) => ({group: g.group, ...p})))} : {}),
    ...(maxLag === undefined ? {} : {maxLag, exceeded: overThreshold(topics, maxLag)}),
    ...(snapshot.failed.length === 0 ? {} : {failedGroups: snapshot.failed.map((f) => ({group: f.group, error: itemError(f.error)}))}),
  }
}

function parseMaxLag(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw usageError(`invalid --max-lag '${text}'`, 'use a whole number of records, e.g. --max-lag 1000')
  return Number(text.trim())
}

/** `--watch 5s` and `--watch=5s` become `--watch --interval 5s` (oclif flags cannot take an optional value). */
export function watchIntervalAsFlag(argv: string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg.startsWith('--watch=')) {
      out.push('--watch', '--interval', arg.slice('--watch='.length))
    } else if (arg === '--watch' && i + 1 < argv.length && isDuration(argv[i + 1]!)) {
      out.push('--watch', '--interval', argv[i + 1]!)
      i++
    } else {
      out.push(arg)
    }
  }
  return out
}
