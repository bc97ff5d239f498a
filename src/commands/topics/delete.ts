import {Args, Flags} from '@oclif/core'

import {KafkitError, usageError} from '../../lib/errors.js'
import {KafkaCommand} from '../../lib/kafka-command.js'
import {canPrompt, confirmOnTerminal} from '../../lib/output/confirm.js'
import {batchFailure} from '../../lib/batch-failure.js'
import {deleteTopics, planTopicDeletion, resolveTopics, type DeleteTopicResult} from '../../lib/kafka/topics/index.js'

export default class TopicsDelete extends KafkaCommand {
  static summary = 'Delete topics.'
  static description = `Give names, or --pattern with a regular expression over the whole name.
On a terminal kafkit lists what will go and asks first, unless --yes. It never asks when stdin or stderr is not a terminal; there a --pattern delete needs --yes.
Internal topics (__consumer_offsets, ...) are refused.
One result row per topic; piped: NAME<TAB>STATUS<TAB>ERROR, STATUS being deleted, absent (with --if-exists), refused or failed.
With --json: an array of {name, status, error?}. Exit codes: 5 for a topic that does not exist (without --if-exists), 6 when some were deleted and others failed.`

  static examples = [
    {description: 'Delete one topic (asks on a terminal)', command: '<%= config.bin %> topics delete orders'},
    {description: 'In a script: no prompt, missing topics are fine', command: '<%= config.bin %> topics delete tmp.a tmp.b --if-exists --yes'},
    {description: 'Every topic matching a pattern', command: "<%= config.bin %> topics delete --pattern 'test\\..*' --yes"},
  ]

  static strict = false

  static args = {
    name: Args.string({description: 'Topic name (give several to delete several).'}),
  }

  static flags = {
    pattern: Flags.string({summary: 'Delete every topic whose whole name matches this regular expression (needs --yes without a terminal).'}),
    'if-exists': Flags.boolean({summary: 'A topic that does not exist is not an error.'}),
    yes: Flags.boolean({char: 'y', summary: 'Do not ask for confirmation.'}),
  }

  async run(): Promise<DeleteTopicResult[]> {
    const {argv, flags} = await this.parse(TopicsDelete)
    const names = argv as string[]
    if (names.length > 0 && flags.pattern !== undefined) throw usageError('give topic names or --pattern, not both')
    if (names.length === 0 && flags.pattern === undefined) throw usageError('which topics? give names or --pattern', 'for example: kafkit topics delete orders')
    const interactive = canPrompt()
    if (flags.pattern !== undefined && !flags.yes && !interactive) {
      throw usageError('a --pattern delete needs --yes when kafkit cannot ask (stdin or stderr is not a terminal)', 'check the matches first with: kafkit topics list PATTERN')
    }

    const session = this.connect(flags)
    const targets = flags.pattern === undefined ? names : await resolveTopics(session, {pattern: flags.pattern})
    if (targets.length === 0) {
      if (flags['if-exists']) return []
      throw new KafkitError('not_found', `no topic matches '${flags.pattern}'`, {hint: 'list topics with: kafkit topics list', kafkaCode: 'UNKNOWN_TOPIC_OR_PART'})
    }
    const plan = await planTopicDeletion(session, targets, {ifExists: flags['if-exists']})
    const doomed = plan.filter((p) => p.status === 'would-delete').map((p) => p.name)
    if (doomed.length > 0 && interactive && !flags.yes && !(await this.confirm(doomed))) {
      // Declining is an answer, not a failure: say so quietly and exit 0.
      this.out.notice('nothing deleted')
      return []
    }
    const results = await deleteTopics(session, plan)
    const failure = batchFailure(results, 'topics')
    if (failure && results.length === 1) throw failure
    this.renderBatch(results, [
      {header: 'TOPIC', value: (r) => r.name},
      {header: 'STATUS', value: (r) => r.status, style: (t, r, c) => (r.error ? c.red(t) : c.green(t))},
      ...this.errorColumn<(typeof results)[number]>((r) => r.error?.message, failure !== undefined),
    ], failure !== undefined)
    if (failure) throw failure
    return results
  }

  /** Lists the topics on stderr and asks there (stdout stays data only). */
  private async confirm(topics: string[]): Promise<boolean> {
    const shown = topics.length > 20 ? [...topics.slice(0, 20), `... and ${topics.length - 20} more`] : topics
    this.out.notice(`${topics.length === 1 ? 'This topic and all its records' : `These ${topics.length} topics and all their records`} will be deleted:`)
    for (const name of shown) this.out.notice(`  ${name}`)
    return confirmOnTerminal(`Delete ${topics.length === 1 ? 'it' : 'them'}?`)
  }
}
