import {Args, Flags} from '@oclif/core'

import {KafkitError, usageError} from '../../lib/errors.js'
import {readTextInput} from '../../lib/input/text-file.js'
import {KafkaCommand} from '../../lib/kafka-command.js'
import {
  executeGroupReset,
  NOTE_TEXT,
  parseDatetimeTarget,
  parseDurationTarget,
  parseOffset,
  parsePlanFile,
  parseShift,
  planGroupReset,
  planToCsv,
  type ResetPlan,
  type ResetTarget,
} from '../../lib/kafka/groups/reset.js'
import {parseTopicPartitionSpec} from '../../lib/partition-spec.js'

const TARGET_FLAGS = ['to-earliest', 'to-latest', 'to-current', 'to-offset', 'shift-by', 'to-datetime', 'by-duration', 'from-file'] as const

export default class GroupsResetOffsets extends KafkaCommand {
  static summary = "Plan, and with --execute apply, new committed offsets for a group."
  static description = `A dry run unless --execute: prints the plan (TOPIC, PARTITION, CURRENT-OFFSET, NEW-OFFSET, NOTE) and changes nothing. The semantics are kafka-consumer-groups --reset-offsets':
  targets outside the log are clamped to its earliest/latest offset (the NOTE column says so);
  --shift-by needs a committed offset on every partition in scope;
  --to-current keeps committed offsets and sets partitions without one to the latest offset;
  --to-datetime / --by-duration pick the first record at or after the time, or the latest offset when there is none.
Scope: --topic T (every partition), --topic T:0,1 or T:0-3 (0, 1, 2 and 3: both ends included) or T:5- (some), repeatable; or --all-topics (the partitions the group has committed offsets for). With --from-file the file names the partitions (a scope, if given, narrows it).
A group with active members is refused (exit 7), naming them: the broker would refuse too. A group that does not exist yet can be given offsets: that is how a new consumer is pre-positioned.
--export prints the plan as the CSV kafka-consumer-groups --export writes (topic,partition,offset); --from-file reads that CSV (also with a group column) or kafkit's --json plan.
Piped: the plan rows tab-separated without a header. --json: {group, target, executed, partitions: [{topic, partition, currentOffset, requestedOffset, newOffset, logStartOffset, logEndOffset, note?}]}.`

  static examples = [
    {description: 'See what resetting to the beginning would do (changes nothing)', command: '<%= config.bin %> groups reset-offsets orders-service --topic orders --to-earliest'},
    {description: 'Do it', command: '<%= config.bin %> groups reset-offsets orders-service --topic orders --to-earliest --execute'},
    {description: 'Skip one bad record on partition 3', command: '<%= config.bin %> groups reset-offsets orders-service --topic orders:3 --shift-by 1 --execute'},
    {description: 'Replay the last two hours of every topic the group reads', command: '<%= config.bin %> groups reset-offsets orders-service --all-topics --by-duration 2h --execute'},
    {description: 'Rewind to a point in time (Apache format, local time)', command: '<%= config.bin %> groups reset-offsets orders-service --topic orders --to-datetime 2024-05-01T08:00:00.000'},
    {description: 'Save a plan to review', command: '<%= config.bin %> groups reset-offsets orders-service --all-topics --to-latest --export > plan.csv'},
    {description: 'Apply the reviewed plan later', command: '<%= config.bin %> groups reset-offsets orders-service --from-file plan.csv --execute'},
    {description: 'Pre-position a group that does not exist yet', command: '<%= config.bin %> groups reset-offsets new-service --topic orders --to-offset 1000 --execute'},
  ]

  static args = {
    group: Args.string({description: 'The group id.', required: true}),
  }

  static flags = {
    topic: Flags.string({summary: 'Topic to reset, with optional partitions: T, T:0,1, T:0-3 (3 included), T:5- (repeatable).', multiple: true, multipleNonGreedy: true, helpGroup: 'SCOPE'}),
    'all-topics': Flags.boolean({summary: 'Every partition the group has a committed offset for.', helpGroup: 'SCOPE'}),
    'to-earliest': Flags.boolean({summary: 'The earliest offset still in the log.', helpGroup: 'TARGET'}),
    'to-latest': Flags.boolean({summary: 'The log-end offset (skip everything not consumed yet).', helpGroup: 'TARGET'}),
    'to-current': Flags.boolean({summary: 'The committed offset (latest where there is none).', helpGroup: 'TARGET'}),
    'to-offset': Flags.string({summary: 'This offset on every partition in scope (clamped into the log).', helpGroup: 'TARGET'}),
    'shift-by': Flags.string({summary: 'Move the committed offset by +N or -N (clamped into the log).', helpGroup: 'TARGET'}),
    'to-datetime': Flags.string({summary: 'First record at or after this time: ISO 8601, or YYYY-MM-DDTHH:mm:SS.sss in local time.', helpGroup: 'TARGET'}),
    'by-duration': Flags.string({summary: 'First record at or after this long ago: PnDTnHnMnS or 1h, 30m, 2d.', helpGroup: 'TARGET'}),
    'from-file': Flags.string({summary: "A plan: Apache's --export CSV or kafkit's --json plan ('-' for stdin).", helpGroup: 'TARGET'}),
    execute: Flags.boolean({summary: 'Apply the plan (without it, a dry run).'}),
    'dry-run': Flags.boolean({summary: 'Only show the plan (the default; accepted for familiarity).', exclusive: ['execute']}),
    export: Flags.boolean({summary: 'Print the plan as CSV (topic,partition,offset), as the Apache tool exports it.'}),
  }

  async run(): Promise<ResetPlan> {
    const {args, flags} = await this.parse(GroupsResetOffsets)
    const chosen = TARGET_FLAGS.filter((name) => flags[name] !== undefined && flags[name] !== false)
    if (chosen.length !== 1) {
      throw usageError(
        chosen.length === 0 ? 'say where to reset to' : `choose one target, not ${chosen.map((c) => `--${c}`).join(' and ')}`,
        `targets: ${TARGET_FLAGS.map((t) => `--${t}`).join(', ')}`,
      )
    }
    const topics = (flags.topic ?? []).map(parseTopicPartitionSpec)
    if (topics.length > 0 && flags['all-topics']) throw usageError('pass --topic or --all-topics, not both')
    if (topics.length === 0 && !flags['all-topics'] && !flags['from-file']) throw usageError('say which partitions to reset: --topic T[:P,...] or --all-topics')
    const target = this.target(flags, args.group)

    const session = this.connect(flags)
    let plan = await planGroupReset(session, args.group, {topics, allTopics: flags['all-topics']}, target)
    if (flags.execute) {
      const {plan: executed, failed} = await executeGroupReset(session, plan)
      plan = executed
      if (failed.length > 0) {
        this.render(plan, flags.export)
        throw new KafkitError('partial', `group '${plan.group}': ${failed.length} of ${plan.partitions.length} offsets were not committed: ${failed.map((f) => `${f.topic}:${f.partition} (${f.error})`).join('; ')}`)
      }
    }
    if (!this.jsonEnabled()) this.render(plan, flags.export)
    if (!this.jsonEnabled()) {
      this.out.notice(plan.executed
        ? `committed ${plan.partitions.length} offset${plan.partitions.length === 1 ? '' : 's'} for group '${plan.group}'`
        : 'dry run: nothing changed (add --execute to apply this plan)')
    }
    return plan
  }

  private target(flags: Record<string, unknown>, group: string): ResetTarget {
    if (flags['to-earliest']) return {kind: 'earliest'}
    if (flags['to-latest']) return {kind: 'latest'}
    if (flags['to-current']) return {kind: 'current'}
    if (flags['to-offset'] !== undefined) return {kind: 'offset', offset: parseOffset(flags['to-offset'] as string)}
    if (flags['shift-by'] !== undefined) return {kind: 'shift', by: parseShift(flags['shift-by'] as string)}
    if (flags['to-datetime'] !== undefined) return parseDatetimeTarget(flags['to-datetime'] as string)
    if (flags['by-duration'] !== undefined) return parseDurationTarget(flags['by-duration'] as string)
    const source = flags['from-file'] as string
    const {text, name} = readTextInput(source, 'plan file')
    return {kind: 'file', entries: parsePlanFile(text, group, name), source}
  }

  private render(plan: ResetPlan, asCsv: boolean): void {
    if (asCsv) {
      this.out.write(planToCsv(plan))
      return
    }
    this.out.table(plan.partitions, [
      {header: 'TOPIC', value: (r) => r.topic},
      {header: 'PARTITION', value: (r) => r.partition, align: 'right'},
      {header: 'CURRENT-OFFSET', value: (r) => r.currentOffset ?? '-', align: 'right'},
      {header: 'NEW-OFFSET', value: (r) => r.newOffset, align: 'right', style: (t, r, c) => (r.newOffset === r.currentOffset ? t : c.bold(t))},
      {header: 'NOTE', value: (r) => (r.note === undefined ? '' : this.out.isTTY ? NOTE_TEXT[r.note] : r.note), style: (t, _r, c) => c.yellow(t)},
    ])
  }
}
