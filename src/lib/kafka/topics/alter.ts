import {KafkitError, usageError} from '../../errors.js'
import type {AlterConfigOp} from '../native-admin.js'
import type {KafkaSession} from '../session.js'
import {describeTopicConfigs, planConfigChanges, topicRequestError} from './configs.js'
import {describeTopicMetadata} from './metadata.js'

// topics alter: grow partitions and change configs incrementally, with a dry run. Returns data; never prints.

export interface AlterTopicOptions {
  partitions?: number
  configOps: AlterConfigOp[]
  dryRun?: boolean
}

export interface AlterChange {
  kind: 'partitions' | 'config'
  /** "partitions" or the config name. */
  name: string
  op: 'set' | 'delete' | 'append' | 'subtract'
  current: string | number | null
  currentSource: string | null
  new: string | number | null
  newSource: string | null
  unchanged: boolean
}

export interface AlterTopicResult {
  topic: string
  dryRun: boolean
  changes: AlterChange[]
}

/**
 * Grows partitions and changes configs incrementally (other overrides stay). A dry run reads the
 * current state, asks the broker to validate the config changes, and reports current -> new.
 */
export async function alterTopic(session: KafkaSession, topic: string, options: AlterTopicOptions): Promise<AlterTopicResult> {
  await session.ensureReachable()
  if (options.partitions === undefined && options.configOps.length === 0) {
    throw usageError('nothing to alter', 'give --partitions N, --config key=value, --delete-config key, --append-config or --subtract-config')
  }
  const [described] = await describeTopicMetadata(session, [topic])
  const currentPartitions = described!.partitions.length
  const changes: AlterChange[] = []

  if (options.partitions !== undefined) {
    if (options.partitions <= currentPartitions) {
      throw new KafkitError(
        'invalid',
        `topic ${topic} has ${currentPartitions} partition${currentPartitions === 1 ? '' : 's'}; partitions can only grow (asked for ${options.partitions})`,
        {hint: `give --partitions greater than ${currentPartitions}, or recreate the topic to have fewer`, kafkaCode: 'INVALID_PARTITIONS'},
      )
    }
    changes.push({kind: 'partitions', name: 'partitions', op: 'set', current: currentPartitions, currentSource: null, new: options.partitions, newSource: null, unchanged: false})
  }

  if (options.configOps.length > 0) {
    const current = (await describeTopicConfigs(session, [topic], {includeSynonyms: true})).get(topic)!
    for (const planned of planConfigChanges(current, options.configOps)) changes.push({kind: 'config', ...planned})
    // The broker validates names and values (also in a dry run) before anything changes.
    await applyConfigOps(session, topic, options.configOps, true)
  }

  if (options.dryRun) return {topic, dryRun: true, changes}

  if (options.partitions !== undefined) {
    const admin = session.admin()
    await session.call<void>(`topic ${topic}`, (done) => admin.createPartitions(topic, options.partitions!, session.timeoutMs, done))
  }
  if (options.configOps.length > 0) await applyConfigOps(session, topic, options.configOps, false)
  return {topic, dryRun: false, changes}
}

async function applyConfigOps(session: KafkaSession, topic: string, ops: AlterConfigOp[], validateOnly: boolean): Promise<void> {
  const native = await session.nativeAdmin()
  const [result] = await session.guard(
    `topic ${topic}`,
    native.incrementalAlterConfigs([{type: 'topic', name: topic, ops}], {timeoutMs: session.timeoutMs, validateOnly}),
  )
  if (result?.error) throw topicRequestError(topic, result.error)
}

