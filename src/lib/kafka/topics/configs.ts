import {KafkitError, usageError} from '../../errors.js'
import {kafkaError} from '../kafka-errors.js'
import type {AlterConfigOp, AlterConfigOpType, ConfigEntry} from '../native-admin.js'
import type {KafkaSession} from '../session.js'
import {compareNames} from '../../compare.js'

// Topic configs: reading them (with where each value comes from), parsing key=value flags, and
// planning incremental changes so a dry run can show "current -> new". Returns data; never prints.

/** Where a config value comes from, as Kafka names it (what ConfigCommand prints in synonyms). */
export type ConfigSource =
  | 'DYNAMIC_TOPIC_CONFIG'
  | 'DYNAMIC_BROKER_LOGGER_CONFIG'
  | 'DYNAMIC_BROKER_CONFIG'
  | 'DYNAMIC_DEFAULT_BROKER_CONFIG'
  | 'STATIC_BROKER_CONFIG'
  | 'DEFAULT_CONFIG'
  | string

/** A short label people read: "topic" is a topic override, "broker"/"cluster" a broker-level setting, "default" Kafka's default. */
export function sourceLabel(source: ConfigSource): string {
  switch (source) {
    case 'DYNAMIC_TOPIC_CONFIG':
      return 'topic'
    case 'DYNAMIC_BROKER_CONFIG':
      return 'broker'
    case 'DYNAMIC_DEFAULT_BROKER_CONFIG':
      return 'cluster'
    case 'STATIC_BROKER_CONFIG':
      return 'broker-static'
    case 'DEFAULT_CONFIG':
      return 'default'
    default:
      return source.toLowerCase()
  }
}

export interface TopicConfig {
  name: string
  /** null for a sensitive value (the broker never returns it) or a config without a value. */
  value: string | null
  /** Kafka's source name, e.g. DYNAMIC_TOPIC_CONFIG. */
  source: ConfigSource
  /** topic, broker, broker-static, cluster or default. */
  sourceLabel: string
  sensitive: boolean
  readOnly: boolean
  /** The value comes from Kafka's built-in default (ConfigEntry.isDefault in the Java client). */
  isDefault: boolean
}

/** What a sensitive value looks like wherever it is shown to a person. */
export const MASKED_VALUE = '[hidden]'

export const isTopicOverride = (config: Pick<TopicConfig, 'source'>) => config.source === 'DYNAMIC_TOPIC_CONFIG'

/**
 * The configs `kafka-topics --describe` lists after "Configs:": every value not taken from Kafka's
 * built-in default, i.e. topic overrides plus values a broker sets (server.properties or dynamic).
 */
export const isNonDefault = (config: Pick<TopicConfig, 'source' | 'isDefault'>) => !config.isDefault && config.source !== 'DEFAULT_CONFIG'

export function toTopicConfig(entry: ConfigEntry): TopicConfig {
  return {
    name: entry.name,
    value: entry.isSensitive ? null : entry.value,
    source: entry.source,
    sourceLabel: sourceLabel(entry.source),
    sensitive: entry.isSensitive,
    readOnly: entry.isReadOnly,
    isDefault: entry.isDefault,
  }
}

export interface TopicConfigsResult {
  configs: TopicConfig[]
  /** Only with synonyms: each config's value at every level, most specific first. */
  synonyms: Map<string, Array<{value: string | null; source: string}>>
}

/** Every config of each topic (sorted by name), from one DescribeConfigs request. Missing topics fail with not_found. */
export async function describeTopicConfigs(
  session: KafkaSession,
  topics: string[],
  options: {includeSynonyms?: boolean; brokerId?: number} = {},
): Promise<Map<string, TopicConfigsResult>> {
  const byTopic = new Map<string, TopicConfigsResult>()
  if (topics.length === 0) return byTopic
  const native = await session.nativeAdmin()
  const described = await session.guard(
    'describe configs',
    native.describeConfigs(
      topics.map((name) => ({type: 'topic', name})),
      {timeoutMs: session.timeoutMs, includeSynonyms: options.includeSynonyms, brokerId: options.brokerId},
    ),
  )
  for (const resource of described) {
    if (resource.error) throw kafkaError(resource.error, `topic ${resource.name}`)
    const synonyms = new Map<string, Array<{value: string | null; source: string}>>()
    for (const entry of resource.configs) {
      if (entry.synonyms) synonyms.set(entry.name, entry.synonyms.map((s) => ({value: s.value, source: s.source})))
    }
    const configs = resource.configs.map(toTopicConfig).sort((a, b) => compareNames(a.name, b.name))
    byTopic.set(resource.name, {configs, synonyms})
  }
  return byTopic
}

// ---------------------------------------------------------------------------------------------
// key=value flags

export interface ConfigAssignment {
  name: string
  value: string
}

/** `retention.ms=1000` -> {name, value}. The value may contain '=' and ',' (cleanup.policy=compact,delete). */
export function parseConfigAssignment(text: string, flag = '--config'): ConfigAssignment {
  const at = text.indexOf('=')
  const name = at < 0 ? '' : text.slice(0, at).trim()
  if (at < 0 || name === '') {
    throw usageError(`${flag} expects key=value, got '${text}'`, `for example: ${flag} retention.ms=86400000`)
  }
  return {name, value: text.slice(at + 1)}
}

/** Several --config flags as a record; the same key twice is a usage error (which one would win?). */
export function parseConfigAssignments(texts: readonly string[] | undefined, flag = '--config'): Record<string, string> {
  const configs: Record<string, string> = {}
  for (const text of texts ?? []) {
    const {name, value} = parseConfigAssignment(text, flag)
    if (name in configs) throw usageError(`${flag} ${name} is given twice`)
    configs[name] = value
  }
  return configs
}

export interface ConfigFlagValues {
  set?: readonly string[]
  delete?: readonly string[]
  append?: readonly string[]
  subtract?: readonly string[]
}

/** The flags of `topics alter` as IncrementalAlterConfigs operations; each config at most once. */
export function configOpsFromFlags(flags: ConfigFlagValues): AlterConfigOp[] {
  const ops: AlterConfigOp[] = []
  const seen = new Map<string, string>()
  const add = (op: AlterConfigOpType, flag: string, name: string, value?: string) => {
    const earlier = seen.get(name)
    if (earlier) throw usageError(`config ${name} is changed twice (${earlier} and ${flag})`, 'give each config one change per command')
    seen.set(name, flag)
    ops.push(value === undefined ? {name, op} : {name, op, value})
  }
  for (const text of flags.set ?? []) {
    const {name, value} = parseConfigAssignment(text, '--config')
    add('set', '--config', name, value)
  }
  for (const name of flags.delete ?? []) {
    if (name.trim() === '' || name.includes('=')) throw usageError(`--delete-config expects a config name, got '${name}'`, 'for example: --delete-config retention.ms')
    add('delete', '--delete-config', name.trim())
  }
  for (const text of flags.append ?? []) {
    const {name, value} = parseConfigAssignment(text, '--append-config')
    add('append', '--append-config', name, value)
  }
  for (const text of flags.subtract ?? []) {
    const {name, value} = parseConfigAssignment(text, '--subtract-config')
    add('subtract', '--subtract-config', name, value)
  }
  return ops
}

// ---------------------------------------------------------------------------------------------
// Planning a change: current -> new

export interface PlannedConfigChange {
  name: string
  op: AlterConfigOpType
  /** The effective value now (null when sensitive or unset). */
  current: string | null
  currentSource: string | null
  /**
   * The effective value after the change. For delete: the broker's or default value the topic falls
   * back to, or null when the broker does not report it (then Kafka's built-in default applies).
   */
  new: string | null
  newSource: string | null
  /** The change leaves the effective value and its source as they are. */
  unchanged: boolean
}

const listItems = (value: string | null) =>
  value === null || value.trim() === '' ? [] : value.split(',').map((item) => item.trim()).filter((item) => item !== '')

/**
 * What each operation would do to the topic's configs, computed from the current configs and their
 * synonyms (the broker's and default values behind a topic override). Unknown config names are
 * left to the broker to reject (a dry run validates with the broker too).
 */
export function planConfigChanges(current: TopicConfigsResult, ops: readonly AlterConfigOp[]): PlannedConfigChange[] {
  const byName = new Map(current.configs.map((c) => [c.name, c]))
  return ops.map((op) => {
    const config = byName.get(op.name)
    const currentValue = config?.value ?? null
    const currentSource = config?.source ?? null
    let newValue: string | null
    let newSource: string | null = 'DYNAMIC_TOPIC_CONFIG'
    switch (op.op) {
      case 'set':
        newValue = op.value ?? null
        break
      case 'delete': {
        if (config && !isTopicOverride(config)) {
          newValue = currentValue
          newSource = currentSource
          break
        }
        // Without the topic override the value comes from the next level down (broker or default).
        const fallback = (current.synonyms.get(op.name) ?? []).find((s) => s.source !== 'DYNAMIC_TOPIC_CONFIG')
        newValue = fallback?.value ?? null
        newSource = fallback?.source ?? 'DEFAULT_CONFIG'
        break
      }
      case 'append': {
        const items = listItems(currentValue)
        for (const item of listItems(op.value ?? '')) if (!items.includes(item)) items.push(item)
        newValue = items.join(',')
        break
      }
      case 'subtract': {
        const remove = new Set(listItems(op.value ?? ''))
        newValue = listItems(currentValue)
          .filter((item) => !remove.has(item))
          .join(',')
        break
      }
    }
    return {
      name: op.name,
      op: op.op,
      current: currentValue,
      currentSource,
      new: newValue,
      newSource,
      unchanged: newValue === currentValue && newSource === currentSource,
    }
  })
}

/** Turns a per-topic IncrementalAlterConfigs/CreateTopics error into the one-line KafkitError. */
export function topicRequestError(topic: string, error: {code: string; message: string}): KafkitError {
  return kafkaError(error, `topic ${topic}`)
}
