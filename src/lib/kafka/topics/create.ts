import {itemError, type ItemError} from '../../batch-failure.js'
import {kafkaError} from '../kafka-errors.js'
import type {KafkaSession} from '../session.js'
import {settleMetadata} from './settle.js'

// topics create: one CreateTopics request (validate-only for a dry run). Returns data; never prints.

export interface CreateTopicsOptions {
  /** undefined: the broker's num.partitions. */
  partitions?: number
  /** undefined: the broker's default.replication.factor. */
  replicationFactor?: number
  configs?: Record<string, string>
  ifNotExists?: boolean
  /** Ask the controller to validate only (CreateTopics validate_only). */
  dryRun?: boolean
}

export type CreateStatus = 'created' | 'would-create' | 'exists' | 'failed'

export interface CreateTopicResult {
  name: string
  status: CreateStatus
  /** null: the broker's default. */
  partitions: number | null
  replicationFactor: number | null
  configs: Record<string, string>
  error?: ItemError
}

export async function createTopics(session: KafkaSession, names: string[], options: CreateTopicsOptions): Promise<CreateTopicResult[]> {
  await session.ensureReachable()
  const configs = options.configs ?? {}
  const native = await session.nativeAdmin()
  const results = await session.guard(
    'create topics',
    native.createTopics(
      names.map((name) => ({name, partitions: options.partitions ?? -1, replicationFactor: options.replicationFactor ?? -1, configs})),
      {timeoutMs: session.timeoutMs, validateOnly: options.dryRun},
    ),
  )
  const created = results.filter((r) => !r.error).map((r) => r.name)
  if (!options.dryRun) await settleMetadata(session, created, 'present')
  return results.map((r) => {
    const base = {name: r.name, partitions: options.partitions ?? null, replicationFactor: options.replicationFactor ?? null, configs}
    if (!r.error) return {...base, status: options.dryRun ? 'would-create' : 'created'}
    if (r.error.code === 'TOPIC_ALREADY_EXISTS' && options.ifNotExists) return {...base, status: 'exists'}
    return {...base, status: 'failed', error: itemError(kafkaError(r.error, `topic ${r.name}`))}
  })
}

