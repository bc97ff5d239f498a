import {KafkitError, usageError} from '../errors.js'
import {compareNames} from '../compare.js'
import {kafkaError} from './kafka-errors.js'
import type {AlterConfigOp, ConfigEntry} from './native-admin.js'
import type {KafkaSession} from './session.js'
import {clusterAdminCall, deniedOnCluster, isAuthorizationFailure} from './admin-denials.js'
import {alterDefaultBrokerConfigs} from './default-broker-configs.js'
import {sourceLabel} from './topics/configs.js'
import type {ReadKeyFile} from './wire-connection.js'

// Broker configs, the rest of kafka-configs: one broker's configs (every value, with where it
// comes from) or the cluster-wide defaults (the "default" broker entity), and incremental
// changes to either with a dry run. Returns plain data; never prints.

export interface BrokerConfig {
  name: string
  /** null when sensitive (the broker never returns those) or unset. */
  value: string | null
  /** Kafka's source name: DYNAMIC_BROKER_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG, STATIC_BROKER_CONFIG, DEFAULT_CONFIG ... */
  source: string
  /** broker, cluster, broker-static or default. */
  sourceLabel: string
  sensitive: boolean
  readOnly: boolean
  /** The value at every level, most specific first (per broker only). */
  synonyms: Array<{value: string | null; source: string}>
}

export interface BrokerConfigsResult {
  /** 'broker': one broker's configs; 'cluster': the cluster-wide defaults every broker inherits. */
  entity: 'broker' | 'cluster'
  brokerId: number | null
  configs: BrokerConfig[]
}

const CLUSTER_DEFAULT = 'DYNAMIC_DEFAULT_BROKER_CONFIG'

/** A config whose value is a secret by its name (passwords, keys, JAAS lines), whatever the broker says. */
export const isSecretConfigName = (name: string) => /password|secret|jaas|credential|\.key$|token/i.test(name)
const PER_BROKER = 'DYNAMIC_BROKER_CONFIG'

function toBrokerConfig(entry: ConfigEntry): BrokerConfig {
  const sensitive = entry.isSensitive
  return {
    name: entry.name,
    value: sensitive ? null : entry.value,
    source: entry.source,
    sourceLabel: sourceLabel(entry.source),
    sensitive,
    readOnly: entry.isReadOnly,
    synonyms: (entry.synonyms ?? []).map((s) => ({value: sensitive ? null : s.value, source: s.source})),
  }
}

async function brokerToAsk(session: KafkaSession, brokerId: number | undefined): Promise<number> {
  const {brokers} = await session.metadata()
  if (brokerId !== undefined) {
    if (!brokers.some((b) => b.id === brokerId)) {
      throw new KafkitError('not_found', `broker ${brokerId} is not in the cluster (brokers: ${brokers.map((b) => b.id).sort((a, b) => a - b).join(', ')})`, {
        hint: 'list brokers with: kafkit cluster describe',
      })
    }
    return brokerId
  }
  const target = await session.brokers.reachableId(brokers)
  if (target === undefined) throw new KafkitError('connection', 'no broker of the cluster accepts a connection')
  return target
}

async function describeBroker(session: KafkaSession, brokerId: number): Promise<ConfigEntry[]> {
  const native = await session.nativeAdmin()
  const described = await clusterAdminCall(
    session,
    'describe broker configs',
    'DESCRIBE_CONFIGS',
    native.describeConfigs([{type: 'broker', name: String(brokerId)}], {timeoutMs: session.timeoutMs, includeSynonyms: true}),
    `broker ${brokerId}`,
  )
  const [resource] = described
  if (resource?.error) {
    if (isAuthorizationFailure(resource.error.code)) throw deniedOnCluster(session, 'DESCRIBE_CONFIGS', 'describe broker configs', resource.error.code)
    throw kafkaError(resource.error, `broker ${brokerId}`)
  }
  return resource?.configs ?? []
}

/**
 * One broker's every config (like `kafka-configs --entity-type brokers --entity-name N
 * --describe --all`), or, without a broker, the cluster-wide defaults (`--entity-default
 * --describe`). librdkafka cannot address the default entity itself, so its values are read
 * from a broker's synonyms, where every cluster-wide default shows as DYNAMIC_DEFAULT_BROKER_CONFIG.
 */
export async function describeBrokerConfigs(session: KafkaSession, options: {brokerId?: number} = {}): Promise<BrokerConfigsResult> {
  const asked = await brokerToAsk(session, options.brokerId)
  const entries = await describeBroker(session, asked)
  if (options.brokerId !== undefined) {
    return {entity: 'broker', brokerId: asked, configs: entries.map(toBrokerConfig).sort((a, b) => compareNames(a.name, b.name))}
  }
  const configs: BrokerConfig[] = []
  for (const entry of entries) {
    const synonym = entry.synonyms?.find((s) => s.source === CLUSTER_DEFAULT)
    if (!synonym) continue
    configs.push({
      name: entry.name,
      value: entry.isSensitive ? null : synonym.value,
      source: CLUSTER_DEFAULT,
      sourceLabel: sourceLabel(CLUSTER_DEFAULT),
      sensitive: entry.isSensitive,
      readOnly: entry.isReadOnly,
      synonyms: [],
    })
  }
  return {entity: 'cluster', brokerId: null, configs: configs.sort((a, b) => compareNames(a.name, b.name))}
}

export interface BrokerConfigChange {
  name: string
  op: 'set' | 'delete'
  /** The value at this entity now (null: unset or sensitive). */
  current: string | null
  currentSource: string | null
  /** After the change (for a delete: the value the entity falls back to, when known). */
  new: string | null
  newSource: string | null
  sensitive: boolean
  unchanged: boolean
}

export interface AlterBrokerConfigsResult {
  entity: 'broker' | 'cluster'
  brokerId: number | null
  dryRun: boolean
  changes: BrokerConfigChange[]
}

function planChanges(entity: 'broker' | 'cluster', entries: ConfigEntry[], ops: AlterConfigOp[]): BrokerConfigChange[] {
  const byName = new Map(entries.map((e) => [e.name, e]))
  const own = entity === 'broker' ? PER_BROKER : CLUSTER_DEFAULT
  return ops.map((op) => {
    const entry = byName.get(op.name)
    // A name the broker does not list (listener-prefixed, custom) it keeps as a secret too.
    const sensitive = entry?.isSensitive ?? true
    const hide = (v: string | null) => (sensitive ? null : v)
    // At the cluster entity "current" is the cluster-wide value; per broker it is the effective one.
    const atEntity = entity === 'broker' ? entry : entry?.synonyms?.find((s) => s.source === CLUSTER_DEFAULT)
    const current = atEntity ? hide(atEntity.value) : null
    const currentSource = atEntity ? atEntity.source : null
    let newValue: string | null
    let newSource: string | null
    if (op.op === 'set') {
      newValue = hide(op.value ?? null)
      newSource = own
    } else {
      // Without this level's value the next level down applies.
      const below = (entry?.synonyms ?? []).find((s) => s.source !== own && (entity === 'broker' || s.source !== PER_BROKER))
      newValue = entity === 'broker' ? hide(below?.value ?? null) : null
      newSource = entity === 'broker' ? (below?.source ?? null) : null
    }
    const unchanged = op.op === 'delete' ? currentSource !== own : !sensitive && current === newValue && currentSource === own
    return {name: op.name, op: op.op as 'set' | 'delete', current, currentSource, new: newValue, newSource, sensitive, unchanged}
  })
}

/** `--set k=v` / `--delete k` as operations; each config once. */
export function brokerConfigOps(set: readonly string[] = [], remove: readonly string[] = []): AlterConfigOp[] {
  const ops: AlterConfigOp[] = []
  const seen = new Set<string>()
  const add = (op: AlterConfigOp) => {
    if (seen.has(op.name)) throw usageError(`config ${op.name} is changed twice`, 'give each config one change per command')
    seen.add(op.name)
    ops.push(op)
  }
  for (const text of set) {
    const at = text.indexOf('=')
    const name = at < 0 ? '' : text.slice(0, at).trim()
    if (name === '') throw usageError('--set expects key=value', 'for example: --set log.cleaner.threads=2')
    add({name, op: 'set', value: text.slice(at + 1)})
  }
  for (const name of remove) {
    if (name.trim() === '' || name.includes('=')) throw usageError(`--delete expects a config name, got '${name}'`, 'for example: --delete log.cleaner.threads')
    add({name: name.trim(), op: 'delete'})
  }
  return ops
}

/**
 * Changes configs of one broker (`brokerId`) or cluster-wide (the default entity), incrementally:
 * other dynamic configs stay. The broker validates first; a dry run stops there.
 */
export async function alterBrokerConfigs(
  session: KafkaSession,
  options: {brokerId?: number; ops: AlterConfigOp[]; dryRun?: boolean; readKeyFile: ReadKeyFile},
): Promise<AlterBrokerConfigsResult> {
  if (options.ops.length === 0) throw usageError('nothing to change', 'give --set key=value or --delete key')
  const entity = options.brokerId === undefined ? 'cluster' : 'broker'
  const asked = await brokerToAsk(session, options.brokerId)
  const changes = planChanges(entity, await describeBroker(session, asked), options.ops)
  const apply = async (validateOnly: boolean) => {
    if (entity === 'cluster') return alterClusterDefaults(session, asked, options.ops, validateOnly, options.readKeyFile)
    const native = await session.nativeAdmin()
    const alter = native.incrementalAlterConfigs([{type: 'broker', name: String(asked), ops: options.ops}], {timeoutMs: session.timeoutMs, validateOnly})
    const results = await clusterAdminCall(session, 'alter broker configs', 'ALTER_CONFIGS', alter, `broker ${asked}`)
    const error = results[0]?.error
    if (error) throw alterError(session, error, `broker ${asked}`)
  }
  await apply(true)
  if (!options.dryRun) await apply(false)
  return {entity, brokerId: entity === 'broker' ? asked : null, dryRun: Boolean(options.dryRun), changes}
}

function alterError(session: KafkaSession, error: {code: string; message: string}, subject: string): KafkitError {
  if (isAuthorizationFailure(error.code)) return deniedOnCluster(session, 'ALTER_CONFIGS', 'alter broker configs', error.code)
  return kafkaError(error, subject)
}

async function alterClusterDefaults(session: KafkaSession, brokerId: number, ops: AlterConfigOp[], validateOnly: boolean, readKeyFile: ReadKeyFile): Promise<void> {
  const error = await alterDefaultBrokerConfigs(session, brokerId, ops, validateOnly, readKeyFile)
  if (error) throw alterError(session, error, 'cluster-wide broker configs')
}
