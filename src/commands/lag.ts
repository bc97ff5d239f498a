import {Args, Flags} from '@oclif/core'

import {batchFailure, itemError, type ItemError} from '../lib/batch-failure.js'
import {formatDuration, isDuration, parseDuration} from '../lib/duration.js'
import {interruptedError, KafkitError, usageError} from '../lib/errors.js'
import {KafkaCommand} from '../lib/kafka-command.js'
import type {GroupPartitionRow} from '../lib/kafka/groups/groups.js'
import {
  type EstimatedTopicLag,
  type LagOptions,
  type LagSnapshot,
  overThreshold,
  readLag,
  sampleLag,
  summarizeLag,
  type TopicLag,
  waitUnlessStopped,
  withEstimates,
} from '../lib/kafka/lag.js'
import type {KafkaSession} from '../lib/kafka/session.js'
import {type LagRates, LagWatchHistory, missesCatchUp, RATE_WINDOW_MS, rowKey} from '../lib/lag-estimate.js'
import {lagPartitionColumns, lagTopicColumns} from '../lib/output/lag-table.js'
import {etaText} from '../lib/output/lag-text.js'
import {trapInterrupts} from '../lib/signals.js'

interface PartitionLagRow extends GroupPartitionRow {
  group: string
}

export interface LagResult {
  /** When the offsets were read (ISO 8601; with --sample, the last read). */
  at: string
  /** With rates (--sample, --watch, --max-catch-up) each row has the estimate fields too, and the rows are worst first. */
  topics: Array<TopicLag | EstimatedTopicLag>
  /** Only with --by-partition. */
  partitions?: PartitionLagRow[]
  /** Only with --max-lag: the group/topic rows above it. */
  maxLag?: number
  exceeded?: TopicLag[]
  /** Only with --max-catch-up: the rows that will not catch up within it. */
  maxCatchUpSeconds?: number
  catchUpExceeded?: EstimatedTopicLag[]
  /** Groups that could not be read (their coordinator does not answer, ...), each with its error; present only when some failed. */
  failedGroups?: Array<{group: string; error: ItemError}>
}

interface Thresholds {
  maxLag?: number
  maxCatchUpSeconds?: number
}

const DEFAULT_INTERVAL = '2s'
const DEFAULT_SAMPLE = '10s'

export default class Lag extends KafkaCommand {
  static summary = 'Consumer lag per group and topic, for monitoring and CI.'
  static description = `Per group and topic: PARTITIONS, LAG (the sum over partitions with a committed offset), MAX-LAG (the largest partition lag), MEMBERS (consumers with partitions of the topic). The numbers are those of kafka-consumer-groups --describe: lag = log-end offset - committed offset.
No group named: every group (as --all-groups). --topic narrows to one topic. --by-partition: one row per partition instead (GROUP, TOPIC, PARTITION, CURRENT-OFFSET, LOG-END-OFFSET, LAG, CONSUMER-ID).
Rates and the estimate: --sample DURATION reads the offsets for DURATION (every 0.5s) and adds CONSUMED/S (committed offsets per second), PRODUCED/S (log-end offsets per second), TREND (falling, rising or steady) and ETA (time to catch up at those rates; "never" when the group consumes no faster than the topic grows). Rows are then worst first: never, then the longest ETA, then the largest lag. A consumer that commits in steps (auto-commit: every 5s) is timed from step to step, so sample over at least two of its commits (10s or more for auto-commit). docs/groups.md describes the method.
--max-lag N: exit code 8 when the total lag of any group/topic is above N (after printing the numbers), so a CI step or cron job can alert.
--max-catch-up DURATION: exit code 8 when any group/topic will not catch up within DURATION, or never will. It needs rates, so it samples: over --sample, or ${DEFAULT_SAMPLE} when --sample is not given.
--watch [INTERVAL] (default ${DEFAULT_INTERVAL}): keeps reading. On a terminal the table is redrawn in place, worst first, with the rate and ETA columns (rates over the last ${RATE_WINDOW_MS / 1000}s of reads) and HISTORY, a sparkline of the lag over the last minutes; lag cells above --max-lag and ETA cells beyond --max-catch-up turn red. Piped, each round appends its rows with a leading timestamp; with --json, one JSON object per line per round. Ctrl-C ends it (exit code 130).
Piped: the same columns tab-separated without a header. --json: {at, topics: [{group, topic, partitions, totalLag, maxPartitionLag, uncommitted, members, and with rates: consumptionRate, productionRate, lagRate, trend, catchUpSeconds, neverCatchesUp, rateWindowSeconds}], partitions?, maxLag?, exceeded?, maxCatchUpSeconds?, catchUpExceeded?} (docs/groups.md).`

  static examples = [
    {description: 'Lag of every group', command: '<%= config.bin %> lag'},
    {description: 'One group, partition by partition', command: '<%= config.bin %> lag orders-service --by-partition'},
    {description: 'Fail a CI step when a group falls more than 1000 records behind', command: '<%= config.bin %> lag orders-service --max-lag 1000'},
    {description: 'Is it catching up, and when will it be done? (rates over 10 seconds)', command: '<%= config.bin %> lag orders-service --sample 10s'},
    {description: 'Fail a cron job when a group will not catch up within 10 minutes', command: '<%= config.bin %> lag orders-service --max-catch-up 10m'},
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
    sample: Flags.string({summary: 'Read the offsets for DURATION (e.g. 10s) to add rates, the trend and the catch-up estimate.'}),
    'max-catch-up': Flags.string({summary: `Exit with code 8 when any group/topic will not catch up within DURATION (or never will); samples over --sample, default ${DEFAULT_SAMPLE}.`}),
    watch: Flags.boolean({summary: `Keep reading every INTERVAL (--watch 5s; default ${DEFAULT_INTERVAL}); Ctrl-C ends it.`}),
    interval: Flags.string({summary: `Time between reads with --watch (also written --watch INTERVAL).`, default: DEFAULT_INTERVAL}),
  }

  async run(): Promise<LagResult> {
    this.argv = watchIntervalAsFlag(this.argv)
    const {argv, flags} = await this.parse(Lag)
    const groups = [...new Set(argv as string[])]
    if (groups.length > 0 && flags['all-groups']) throw usageError('name groups or pass --all-groups, not both')
    if (flags.watch && flags.sample !== undefined) throw usageError('--sample is for a one-shot reading', '--watch measures the rates over its own reads')
    const thresholds: Thresholds = {
      maxLag: flags['max-lag'] === undefined ? undefined : parseMaxLag(flags['max-lag']),
      maxCatchUpSeconds: flags['max-catch-up'] === undefined ? undefined : parsePositiveDuration(flags['max-catch-up'], '--max-catch-up') / 1000,
    }
    // --max-catch-up needs rates: without --sample it samples over the default.
    const sample = flags.sample ?? (thresholds.maxCatchUpSeconds === undefined ? undefined : DEFAULT_SAMPLE)
    const sampleMs = sample === undefined ? undefined : parsePositiveDuration(sample, '--sample')
    const options: LagOptions = {groups, allGroups: groups.length === 0, topic: flags.topic}
    const session = this.connect(flags)

    if (flags.watch) return this.watch(session, options, parsePositiveDuration(flags.interval, '--interval'), flags['by-partition'], thresholds)

    const {snapshot, rates} = sampleMs === undefined ? {snapshot: await readLag(session, options), rates: undefined} : await this.sample(session, options, sampleMs)
    const result = toResult(snapshot, flags['by-partition'], thresholds, rates)
    if (!this.jsonEnabled()) this.render(result, thresholds, rates !== undefined)
    const findings = thresholdFindings(result)
    if (findings) throw new KafkitError('findings', findings, {data: result})
    // The groups that answered are shown; the others fail the command at the end, as a batch.
    const failure = batchFailure([...snapshot.groups.map(() => ({})), ...(result.failedGroups ?? [])], 'groups')
    if (failure) throw new KafkitError(failure.kind, failure.message, {hint: failure.hint, kafkaCode: failure.kafkaCode, exitCode: failure.exitCode, data: result})
    return result
  }

  /** Reads for `ms`; Ctrl-C during the sample ends the command with the interrupt's exit code. */
  private async sample(session: KafkaSession, options: LagOptions, ms: number): Promise<{snapshot: LagSnapshot; rates: Map<string, LagRates>}> {
    const trap = trapInterrupts()
    this.out.progress(`sampling the offsets over ${formatDuration(ms)}...`)
    try {
      const sampled = await sampleLag(session, options, ms, trap.stop)
      if (sampled) return sampled
    } finally {
      this.out.endProgress()
      trap.dispose()
    }
    throw interruptedError(trap.received ?? 'SIGINT', `lag --sample stopped by ${trap.received ?? 'SIGINT'}`)
  }

  private render(result: LagResult, thresholds: Thresholds, estimates: boolean, history?: Map<string, number[]>): void {
    if (result.partitions) {
      this.out.table(result.partitions, lagPartitionColumns())
      return
    }
    this.out.table(result.topics, lagTopicColumns({...thresholds, estimates, history: history && ((r) => history.get(rowKey(r)))}))
  }

  /** Reads every interval until Ctrl-C (or SIGTERM), then ends with the interrupt's exit code; the terminal view is redrawn in place. */
  private async watch(session: KafkaSession, options: LagOptions, intervalMs: number, byPartition: boolean, thresholds: Thresholds): Promise<never> {
    const trap = trapInterrupts()
    const tracker = new LagWatchHistory(intervalMs)
    const view = this.out.isTTY && !this.jsonEnabled() ? this.out.liveView() : undefined
    try {
      while (!trap.stop.aborted) {
        const snapshot = await readLag(session, options)
        const {rates, history} = tracker.add(snapshot, summarizeLag(snapshot.groups))
        const result = toResult(snapshot, byPartition, thresholds, rates)
        if (trap.stop.aborted) break
        // A group that cannot be read this round is named on stderr; the watch goes on.
        if (!this.jsonEnabled()) for (const f of snapshot.failed) this.out.warn(f.error.message)
        if (this.jsonEnabled()) {
          this.out.line(JSON.stringify(result))
        } else if (view) {
          view.frame(() => {
            this.out.line(this.out.color.dim(`${result.at}  every ${formatDuration(intervalMs)}  ${watchSummary(result)}  (Ctrl-C to stop)`))
            this.render(result, thresholds, true, history)
          })
        } else if (result.partitions) {
          this.out.table(result.partitions, [{header: 'AT', value: () => result.at}, ...lagPartitionColumns<PartitionLagRow>()])
        } else {
          this.out.table(result.topics, [{header: 'AT', value: () => result.at}, ...lagTopicColumns({...thresholds, estimates: true})])
        }
        await waitUnlessStopped(intervalMs, trap.stop)
      }
    } finally {
      trap.dispose()
      view?.end()
    }
    throw interruptedError(trap.received ?? 'SIGINT', `lag --watch stopped by ${trap.received ?? 'SIGINT'}`)
  }
}

/** The frame's first line: how many rows, and how many break a threshold. */
function watchSummary(result: LagResult): string {
  const parts = [`${result.topics.length} group/topic rows`]
  if (result.maxLag !== undefined) parts.push(`${result.exceeded?.length ?? 0} above ${result.maxLag}`)
  if (result.maxCatchUpSeconds !== undefined) parts.push(`${result.catchUpExceeded?.length ?? 0} slower than ${formatDuration(result.maxCatchUpSeconds * 1000)}`)
  return parts.join(', ')
}

/** The findings error's message for --max-lag and --max-catch-up, or undefined when none is broken. */
function thresholdFindings(result: LagResult): string | undefined {
  const messages: string[] = []
  if (result.exceeded && result.exceeded.length > 0) messages.push(`lag above ${result.maxLag}: ${result.exceeded.map((r) => `${r.group}/${r.topic}=${r.totalLag}`).join(', ')}`)
  if (result.catchUpExceeded && result.catchUpExceeded.length > 0) {
    const limit = formatDuration(result.maxCatchUpSeconds! * 1000)
    messages.push(`not caught up within ${limit}: ${result.catchUpExceeded.map((r) => `${r.group}/${r.topic} (lag ${r.totalLag}, ETA ${etaText(r)})`).join(', ')}`)
  }
  return messages.length === 0 ? undefined : messages.join('; ')
}

function toResult(snapshot: LagSnapshot, byPartition: boolean, thresholds: Thresholds, rates: Map<string, LagRates> | undefined): LagResult {
  const summary = summarizeLag(snapshot.groups)
  const estimated = rates === undefined ? undefined : withEstimates(summary, rates)
  const topics = estimated ?? summary
  const {maxLag, maxCatchUpSeconds} = thresholds
  return {
    at: new Date(snapshot.at).toISOString(),
    topics,
    ...(byPartition ? {partitions: snapshot.groups.flatMap((g) => g.partitions.map((p) => ({group: g.group, ...p})))} : {}),
    ...(maxLag === undefined ? {} : {maxLag, exceeded: overThreshold(topics, maxLag)}),
    ...(maxCatchUpSeconds === undefined || estimated === undefined ? {} : {maxCatchUpSeconds, catchUpExceeded: estimated.filter((r) => missesCatchUp(r, maxCatchUpSeconds))}),
    ...(snapshot.failed.length === 0 ? {} : {failedGroups: snapshot.failed.map((f) => ({group: f.group, error: itemError(f.error)}))}),
  }
}

function parsePositiveDuration(text: string, what: string): number {
  const ms = parseDuration(text, what)
  if (ms <= 0) throw usageError(`${what} must be more than 0, got '${text}'`)
  return ms
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
