import {Args, Flags} from '@oclif/core'

import {batchFailure, itemError} from '../../lib/batch-failure.js'
import {usageError} from '../../lib/errors.js'
import {KafkaCommand} from '../../lib/kafka-command.js'
import {canPrompt, confirmOnTerminal} from '../../lib/output/confirm.js'
import {deleteGroups, type GroupDeleteResult} from '../../lib/kafka/groups/groups.js'
import {kafkaError} from '../../lib/kafka/kafka-errors.js'

export default class GroupsDelete extends KafkaCommand {
  static summary = 'Delete consumer groups (only groups without active members).'
  static description = `Deletes the groups and their committed offsets. The broker refuses a group with active members (NON_EMPTY_GROUP); stop its consumers first.
On a terminal kafkit asks for confirmation unless --yes; off a terminal --yes is required (scripts never wait for a prompt).
One result row per group, as topics delete gives them: GROUP, STATUS (deleted or failed), ERROR (the reason; on a terminal only when something failed). Piped: tab-separated, all three. --json: an array of {group, deleted, error?, errorCode?}.
Exit code 0 when every group was deleted, 6 when some failed; when all failed, the code of the first failure (5: the group does not exist, 7: it has active members).`

  static examples = [
    {description: 'Delete a group (asks first)', command: '<%= config.bin %> groups delete old-service'},
    {description: 'Delete every empty group in a script', command: '<%= config.bin %> groups list --state empty | xargs -r <%= config.bin %> groups delete --yes'},
  ]

  static strict = false
  static args = {
    group: Args.string({description: 'Group id(s) to delete.', required: true}),
  }

  static flags = {
    yes: Flags.boolean({char: 'y', summary: 'Do not ask for confirmation.'}),
  }

  async run(): Promise<GroupDeleteResult[]> {
    const {argv, flags} = await this.parse(GroupsDelete)
    const groups = [...new Set(argv as string[])]
    // Declining is an answer, not a failure: say so quietly and exit 0.
    if (!flags.yes && !(await this.confirm(groups))) {
      this.out.notice('nothing deleted')
      return []
    }
    const session = this.connect(flags)
    const results = await deleteGroups(session, groups)
    const failed = results.filter((r) => !r.deleted)
    this.renderBatch(results, [
      {header: 'GROUP', value: (r) => r.group},
      {header: 'STATUS', value: (r) => (r.deleted ? 'deleted' : 'failed'), style: (t, r, c) => (r.deleted ? c.green(t) : c.red(t))},
      ...this.errorColumn<GroupDeleteResult>((r) => r.error, failed.length > 0),
    ], failed.length > 0)
    const failure = batchFailure(
      results.map((r) => (r.deleted ? {} : {error: itemError(kafkaError({code: r.errorCode ?? '_FAIL', message: r.error}, `group '${r.group}'`))})),
      'groups',
      {hint: failed.some((f) => f.errorCode === 'NON_EMPTY_GROUP') ? 'stop the consumers of a group before deleting it' : undefined},
    )
    if (failure) throw failure
    return results
  }

  private async confirm(groups: string[]): Promise<boolean> {
    if (!canPrompt()) {
      throw usageError('deleting groups needs --yes when kafkit cannot ask (no terminal)', `kafkit groups delete ${groups.join(' ')} --yes`)
    }
    const what = groups.length === 1 ? `group '${groups[0]}' and its` : `${groups.length} groups (${groups.join(', ')}) and their`
    return confirmOnTerminal(`Delete ${what} committed offsets?`)
  }
}
