import {Args, Flags} from '@oclif/core'

import {batchFailure, itemError} from '../../lib/batch-failure.js'
import {KafkitError, usageError} from '../../lib/errors.js'
import {KafkaCommand} from '../../lib/kafka-command.js'
import {compactAssignment, describeGroupDetails, type GroupDetail, listGroupIds, requireGroups} from '../../lib/kafka/groups/groups.js'
import {lagPartitionColumns} from '../../lib/output/lag-table.js'

const dash = (value: number | string | null | undefined) => (value === null || value === undefined || value === '' ? '-' : value)

export default class GroupsDescribe extends KafkaCommand {
  static summary = 'Show consumer groups: offsets and lag per partition, members, or state.'
  static description = `The default view is kafka-consumer-groups --describe: one row per partition the group is assigned or has a committed offset for, with GROUP, TOPIC, PARTITION, CURRENT-OFFSET, LOG-END-OFFSET, LAG, CONSUMER-ID, HOST, CLIENT-ID ("-" where there is none: no committed offset, or no member has the partition).
--members: one row per member (GROUP, CONSUMER-ID, HOST, CLIENT-ID, #PARTITIONS, ASSIGNMENT).
--state: one row per group (GROUP, COORDINATOR, ASSIGNMENT-STRATEGY, STATE, #MEMBERS).
Piped: the same columns tab-separated without a header. --json: an array of {group, state, type, protocolType, assignor, coordinator, members: [{memberId, clientId, host, assignment}], partitions: [{topic, partition, currentOffset, logEndOffset, logEndOffsetError?, lag, memberId, host, clientId}]} whatever the view (logEndOffsetError: why the log-end offset is null, e.g. its leader broker does not answer; also warned on stderr).
Exit code 5 when a named group does not exist.`

  static examples = [
    {description: 'Offsets and lag of one group', command: '<%= config.bin %> groups describe orders-service'},
    {description: 'Every group', command: '<%= config.bin %> groups describe --all-groups'},
    {description: 'Who is in the group and what they have', command: '<%= config.bin %> groups describe orders-service --members'},
    {description: 'Coordinator, assignor and state', command: '<%= config.bin %> groups describe orders-service --state'},
    {description: 'Total lag of a group with jq', command: "<%= config.bin %> groups describe orders-service --json | jq '[.[0].partitions[].lag // 0] | add'"},
  ]

  static strict = false
  static args = {
    group: Args.string({description: 'Group id(s) to describe.'}),
  }

  static flags = {
    'all-groups': Flags.boolean({summary: 'Describe every group of the cluster.'}),
    members: Flags.boolean({summary: 'One row per member: client id, host and assigned partitions.', exclusive: ['state']}),
    state: Flags.boolean({summary: 'One row per group: coordinator, assignor, state and member count.', exclusive: ['members']}),
  }

  async run(): Promise<GroupDetail[]> {
    const {argv, flags} = await this.parse(GroupsDescribe)
    const named = argv as string[]
    if (named.length === 0 && !flags['all-groups']) throw usageError('name at least one group, or pass --all-groups', 'list groups with: kafkit groups list')
    if (named.length > 0 && flags['all-groups']) throw usageError('name groups or pass --all-groups, not both')
    const session = this.connect(flags)
    await session.ensureReachable()
    const groups = flags['all-groups'] ? await listGroupIds(session) : [...new Set(named)]
    const details = await describeGroupDetails(session, groups)
    if (!flags['all-groups']) requireGroups(details)
    // Groups whose coordinator answered are shown; the others fail the command at the end, as a batch.
    const answered = details.filter((d) => !d.error)
    const failure = batchFailure(details.map((d) => (d.error ? {error: itemError(d.error)} : {})), 'groups')
    if (this.jsonEnabled()) {
      if (failure) throw new KafkitError(failure.kind, failure.message, {hint: failure.hint, kafkaCode: failure.kafkaCode, exitCode: failure.exitCode, data: answered})
      return details
    }
    this.warnUnreadOffsets(answered)
    if (answered.length > 0) {
      if (flags.members) this.renderMembers(answered)
      else if (flags.state) this.renderState(answered)
      else this.renderOffsets(answered)
    }
    if (failure) throw failure
    return details
  }

  /** One warning per reason (e.g. a leader broker that does not answer), naming the partitions. */
  private warnUnreadOffsets(details: GroupDetail[]): void {
    const byReason = new Map<string, Set<string>>()
    for (const p of details.flatMap((d) => d.partitions)) {
      if (p.logEndOffsetError !== undefined) byReason.set(p.logEndOffsetError, (byReason.get(p.logEndOffsetError) ?? new Set()).add(`${p.topic}:${p.partition}`))
    }
    for (const [reason, partitions] of byReason) this.out.warn(`log-end offsets of ${[...partitions].join(', ')} not read: ${reason}`)
  }

  private renderOffsets(details: GroupDetail[]): void {
    const rows = details.flatMap((d) => d.partitions.map((p) => ({group: d.group, ...p})))
    // The columns of `lag --by-partition`, then where each member runs.
    this.out.table(rows, [
      ...lagPartitionColumns<(typeof rows)[number]>(),
      {header: 'HOST', value: (r) => dash(r.host)},
      {header: 'CLIENT-ID', value: (r) => dash(r.clientId)},
    ])
    for (const d of details) {
      if (d.members.length === 0 && this.out.isTTY) this.out.notice(`group '${d.group}' has no active members`)
      if (d.partitions.length === 0 && this.out.isTTY) this.out.notice(`group '${d.group}' has no assigned partitions and no committed offsets`)
    }
  }

  private renderMembers(details: GroupDetail[]): void {
    const rows = details.flatMap((d) => d.members.map((m) => ({group: d.group, ...m})))
    this.out.table(rows, [
      {header: 'GROUP', value: (r) => r.group},
      {header: 'CONSUMER-ID', value: (r) => r.memberId},
      {header: 'HOST', value: (r) => dash(r.host)},
      {header: 'CLIENT-ID', value: (r) => dash(r.clientId)},
      {header: '#PARTITIONS', value: (r) => r.assignment.length, align: 'right'},
      {header: 'ASSIGNMENT', value: (r) => dash(compactAssignment(r.assignment))},
    ])
    for (const d of details) if (d.members.length === 0 && this.out.isTTY) this.out.notice(`group '${d.group}' has no active members`)
  }

  private renderState(details: GroupDetail[]): void {
    this.out.table(details, [
      {header: 'GROUP', value: (d) => d.group},
      {header: 'COORDINATOR', value: (d) => (d.coordinator ? `${d.coordinator.host}:${d.coordinator.port} (${d.coordinator.id})` : '-')},
      {header: 'ASSIGNMENT-STRATEGY', value: (d) => dash(d.assignor)},
      {header: 'STATE', value: (d) => d.state},
      {header: '#MEMBERS', value: (d) => d.members.length, align: 'right'},
    ])
  }
}
