import {Flags} from '@oclif/core'

import {KafkaCommand} from '../../lib/kafka-command.js'
import {GROUP_STATES, type GroupSummary, listGroups, parseGroupState} from '../../lib/kafka/groups/groups.js'

export default class GroupsList extends KafkaCommand {
  static summary = 'List consumer groups with their state, type and member count.'
  static description = `Sorted by group id. On a terminal: a table (GROUP, STATE, TYPE, PROTOCOL, MEMBERS). Piped: one group id per line (for xargs). With --json: an array of {group, state, type, protocolType, members}.
States are Kafka's: ${GROUP_STATES.join(', ')}. A group that only holds committed offsets (no consumer has joined it since) is Empty.`

  static examples = [
    {description: 'All groups', command: '<%= config.bin %> groups list'},
    {description: 'Only groups nobody consumes with (safe to reset or delete)', command: '<%= config.bin %> groups list --state empty'},
    {description: 'Describe every stable group in a script', command: '<%= config.bin %> groups list --state stable | xargs -r <%= config.bin %> groups describe'},
  ]

  static flags = {
    state: Flags.string({
      summary: 'Only groups in this state (repeatable): stable, empty, preparing-rebalance, completing-rebalance, dead.',
      multiple: true,
      multipleNonGreedy: true,
    }),
  }

  async run(): Promise<GroupSummary[]> {
    const {flags} = await this.parse(GroupsList)
    const states = (flags.state ?? []).map(parseGroupState)
    const session = this.connect(flags)
    const groups = await listGroups(session, {states})
    if (this.jsonEnabled()) return groups
    if (this.out.isTTY) {
      this.out.table(groups, [
        {header: 'GROUP', value: (g) => g.group},
        {header: 'STATE', value: (g) => g.state, style: (t, g, c) => (g.state === 'Stable' ? c.green(t) : g.state === 'Empty' ? c.dim(t) : c.yellow(t))},
        {header: 'TYPE', value: (g) => g.type},
        {header: 'PROTOCOL', value: (g) => g.protocolType},
        {header: 'MEMBERS', value: (g) => g.members, align: 'right'},
      ])
      if (groups.length === 0) this.out.notice('no consumer groups')
    } else {
      for (const g of groups) this.out.line(g.group)
    }
    return groups
  }
}
