import {GROUP_STATES} from '../kafka/groups/groups.js'
import {FORMAT_NAMES} from '../records/serializers.js'
import {LIBRDKAFKA_PROPERTIES} from './librdkafka-properties.js'
import type {CommandSpec, LineContext} from './line.js'

// What to offer for the word under the cursor: command and flag names, enum values, and the
// values only the cluster or the config file knows (topics, groups, config keys, partitions,
// profiles), asked of `sources`, which may come back empty (unreachable broker, time is up).

export interface Candidate {
  value: string
  description?: string
}

export interface CompletionSources {
  topics(): Promise<string[]>
  /** How many partitions the topic has (0: unknown). */
  partitionCount(topic: string): Promise<number>
  groups(): Promise<string[]>
  /** Topic config keys the broker describes (for `topic`, or any topic when it does not exist yet). */
  topicConfigKeys(topic: string | undefined): Promise<string[]>
  profiles(): string[]
}

export type Completion = {kind: 'values'; candidates: Candidate[]} | {kind: 'files'}

/** The offset keywords of -o (lib/offset-spec.ts accepts more spellings; these are the usual ones). */
const OFFSET_KEYWORDS = ['beginning', 'end', 'stored', 'earliest', 'latest']

/** Kafka's topic configs, offered for --config when no broker answers. */
const TOPIC_CONFIG_KEYS = [
  'cleanup.policy', 'compression.type', 'delete.retention.ms', 'file.delete.delay.ms', 'flush.messages', 'flush.ms',
  'index.interval.bytes', 'max.compaction.lag.ms', 'max.message.bytes', 'message.timestamp.after.max.ms',
  'message.timestamp.before.max.ms', 'message.timestamp.type', 'min.cleanable.dirty.ratio', 'min.compaction.lag.ms',
  'min.insync.replicas', 'preallocate', 'retention.bytes', 'retention.ms', 'segment.bytes', 'segment.index.bytes',
  'segment.jitter.ms', 'segment.ms', 'unclean.leader.election.enable',
]

const FILE_FLAGS = new Set(['file', 'command-config', 'dead-letter', 'from-file', 'state-dir'])
const CONFIG_FLAGS = new Set(['config', 'append-config', 'subtract-config', 'delete-config'])
/** Positional arguments that name an existing topic (topics create names a new one). */
const TOPIC_ARGS = new Set(['topic', 'topics:alter name', 'topics:delete name', 'topics:describe name', 'topics:trim name'])

type Kind = 'topic' | 'partition' | 'group' | 'profile' | 'property' | 'config' | 'offset' | 'format' | 'group-state' | 'files' | 'none'

function flagKind(command: CommandSpec, flag: string): Kind {
  if (flag === 'topic') return 'topic'
  if (flag === 'partition') return 'partition'
  if (flag === 'group') return 'group'
  if (flag === 'profile') return 'profile'
  if (flag === 'property') return 'property'
  if (flag === 'offset') return 'offset'
  if (flag === 'key-format' || flag === 'value-format') return 'format'
  if (flag === 'state' && command.id === 'groups:list') return 'group-state'
  if (CONFIG_FLAGS.has(flag)) return 'config'
  if (FILE_FLAGS.has(flag)) return 'files'
  return 'none'
}

function argKind(command: CommandSpec, arg: string): Kind {
  if (TOPIC_ARGS.has(arg) || TOPIC_ARGS.has(`${command.id} ${arg}`)) return 'topic'
  if (arg === 'group') return 'group'
  return 'none'
}

const startsWith = (prefix: string) => (c: Candidate) => c.value.startsWith(prefix)
const plain = (values: readonly string[]): Candidate[] => values.map((value) => ({value}))

export async function complete(context: LineContext, commands: readonly CommandSpec[], sources: CompletionSources): Promise<Completion> {
  const {position} = context
  const values = (candidates: Candidate[], lead = ''): Completion => ({
    kind: 'values',
    candidates: candidates.filter(startsWith(context.prefix)).map((c) => ({...c, value: lead + c.value})),
  })

  switch (position.kind) {
    case 'command': {
      const depth = position.path.length
      const seen = new Map<string, string | undefined>()
      for (const c of commands) {
        const parts = c.id.split(':')
        if (parts.length <= depth || parts.slice(0, depth).join(':') !== position.path.join(':')) continue
        const name = parts[depth]!
        // A topic (a word with commands under it) has no summary of its own here.
        if (!seen.has(name) || parts.length === depth + 1) seen.set(name, parts.length === depth + 1 ? c.summary : seen.get(name))
      }
      return values([...seen].map(([value, description]) => ({value, description})))
    }
    case 'flag-name': {
      const names: Candidate[] = []
      for (const f of position.command.flags) names.push({value: `--${f.name}`, description: f.summary})
      // oclif's own, which is not among the command's flags.
      names.push({value: '--help', description: 'Show help for the command.'})
      if (context.word.startsWith('--')) return values(names)
      // A lone `-` offers the short forms, and the long ones for flags that have none.
      return values([...position.command.flags.filter((f) => f.char).map((f) => ({value: `-${f.char}`, description: f.summary})), ...names])
    }
    case 'flag-value': {
      const {flag, command, lead} = position
      if (flag.options) return values(plain(flag.options), lead)
      return valuesOf(flagKind(command, flag.name), context, sources, lead, values)
    }
    case 'argument': {
      const {arg, command} = position
      if (!arg) return {kind: 'values', candidates: []}
      if (arg.options) return values(plain(arg.options))
      return valuesOf(argKind(command, arg.name), context, sources, '', values)
    }
  }
}

async function valuesOf(
  kind: Kind,
  context: LineContext,
  sources: CompletionSources,
  lead: string,
  values: (candidates: Candidate[], lead?: string) => Completion,
): Promise<Completion> {
  const prefix = context.prefix
  switch (kind) {
    case 'files':
      return {kind: 'files'}
    case 'profile':
      return values(plain(sources.profiles()), lead)
    case 'offset':
      return values(plain(OFFSET_KEYWORDS), lead)
    case 'format':
      return values(plain(FORMAT_NAMES), lead)
    case 'group-state':
      return values(plain(GROUP_STATES), lead)
    case 'group':
      return values(plain(await sources.groups()), lead)
    case 'partition': {
      // The partitions of the topic on the line (a comma-separated list goes on after its last comma).
      const topic = context.args[0] ?? context.flagValues.get('topic')?.[0]
      if (topic === undefined) return {kind: 'values', candidates: []}
      const count = await sources.partitionCount(topic)
      const before = prefix.slice(0, prefix.lastIndexOf(',') + 1)
      return values(plain(Array.from({length: count}, (_, p) => `${before}${p}`)), lead)
    }
    case 'topic': {
      // `--topic orders:` goes on with the topic's partitions (orders:0, orders:1 ...).
      const colon = prefix.lastIndexOf(':')
      if (colon > 0) {
        const topic = prefix.slice(0, colon)
        const count = await sources.partitionCount(topic)
        // A list (orders:0,1) goes on after its last comma.
        const before = prefix.slice(0, Math.max(colon, prefix.lastIndexOf(',')) + 1)
        return values(plain(Array.from({length: count}, (_, p) => `${before}${p}`)), lead)
      }
      const topics = await sources.topics()
      // Internal topics only when asked for by their leading underscores.
      return values(plain(topics.filter((t) => !t.startsWith('__') || prefix.startsWith('_'))), lead)
    }
    case 'property': {
      const eq = prefix.indexOf('=')
      if (eq > 0) {
        const key = prefix.slice(0, eq)
        return values(plain((LIBRDKAFKA_PROPERTIES[key] ?? []).map((v) => `${key}=${v}`)), lead)
      }
      return values(plain(Object.keys(LIBRDKAFKA_PROPERTIES).map((k) => `${k}=`)), lead)
    }
    case 'config': {
      const topic = context.args[0] ?? context.flagValues.get('topic')?.[0]
      const described = await sources.topicConfigKeys(topic)
      const keys = described.length > 0 ? described : TOPIC_CONFIG_KEYS
      const assign = context.position.kind === 'flag-value' && context.position.flag.name !== 'delete-config'
      return values(plain(keys.map((k) => (assign ? `${k}=` : k))), lead)
    }
    case 'none':
      return {kind: 'values', candidates: []}
  }
}
