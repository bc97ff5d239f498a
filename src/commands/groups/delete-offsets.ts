import {Args, Flags} from '@oclif/core'

import {KafkitError, usageError} from '../../lib/errors.js'
import {KafkaCommand} from '../../lib/kafka-command.js'
import {type DeletedOffset, deleteGroupOffsets} from '../../lib/kafka/groups/groups.js'
import {resolvePartitionSpecs} from '../../lib/kafka/offsets.js'
import {parseTopicPartitionSpec} from '../../lib/partition-spec.js'

export default class GroupsDeleteOffsets extends KafkaCommand {
  static summary = "Delete a group's committed offsets for some topics or partitions."
  static description = `Like kafka-consumer-groups --delete-offsets (DeleteConsumerGroupOffsets). The broker refuses partitions of topics the group is subscribed to while it has active members (GROUP_SUBSCRIBED_TO_TOPIC).
One result row per partition: TOPIC, PARTITION, RESULT. Piped: tab-separated. --json: an array of {topic, partition, deleted, error?, errorCode?}.
Exit code 6 when some partitions failed, 7 when all did.`

  static examples = [
    {description: 'Forget where a group was in a topic', command: '<%= config.bin %> groups delete-offsets old-service --topic orders'},
    {description: 'Only two partitions', command: '<%= config.bin %> groups delete-offsets old-service --topic orders:0,1'},
  ]

  static args = {
    group: Args.string({description: 'The group id.', required: true}),
  }

  static flags = {
    topic: Flags.string({summary: 'Topic, with optional partitions: T, T:0,1, T:0-3 (3 included), T:5- (repeatable).', multiple: true, multipleNonGreedy: true, required: true}),
  }

  async run(): Promise<DeletedOffset[]> {
    const {args, flags} = await this.parse(GroupsDeleteOffsets)
    const specs = flags.topic.map(parseTopicPartitionSpec)
    if (specs.length === 0) throw usageError('name a topic with --topic')
    const session = this.connect(flags)
    await session.ensureReachable()
    const partitions = await resolvePartitionSpecs(session, specs)
    const results = await deleteGroupOffsets(session, args.group, partitions)
    const failed = results.filter((r) => !r.deleted)
    this.renderBatch(results, [
      {header: 'TOPIC', value: (r) => r.topic},
      {header: 'PARTITION', value: (r) => r.partition, align: 'right'},
      {header: 'RESULT', value: (r) => (r.deleted ? 'deleted' : r.error), style: (t, r, c) => (r.deleted ? c.green(t) : c.red(t))},
    ], failed.length > 0)
    if (failed.length > 0) {
      throw new KafkitError(failed.length < results.length ? 'partial' : 'conflict', `group '${args.group}': ${failed.length} of ${results.length} offsets not deleted: ${failed[0]!.error}`)
    }
    return results
  }
}
