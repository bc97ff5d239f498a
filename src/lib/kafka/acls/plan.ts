import {usageError} from '../../errors.js'
import {
  type AclBinding,
  type AclFilter,
  bindingKey,
  CLUSTER_RESOURCE_NAME,
  type Operation,
  OPERATIONS,
  OPERATIONS_BY_RESOURCE,
  type PatternType,
  type Permission,
  type ResourceType,
} from './model.js'

// The flags of `kafkit acls` as bindings to create and filters to list or delete, expanded the
// way Kafka's AclCommand (kafka-acls) expands them: every resource x principal x host x
// operation, --producer and --consumer as its fixed operation sets. Pure; never prints.

export interface AclFlagValues {
  allowPrincipal?: readonly string[]
  denyPrincipal?: readonly string[]
  allowHost?: readonly string[]
  denyHost?: readonly string[]
  /** list and delete: principals to match, whatever the permission. */
  principal?: readonly string[]
  operation?: readonly string[]
  topic?: readonly string[]
  group?: readonly string[]
  cluster?: boolean
  transactionalId?: readonly string[]
  resourcePatternType?: string
  producer?: boolean
  consumer?: boolean
  idempotent?: boolean
}

/** `alice` -> `User:alice`; `User:alice` and `Group:ops` as given. */
export function normalizePrincipal(text: string): string {
  const trimmed = text.trim()
  const colon = trimmed.indexOf(':')
  const principal = colon < 0 ? `User:${trimmed}` : trimmed
  const at = principal.indexOf(':')
  if (principal.slice(0, at).trim() === '' || principal.slice(at + 1).trim() === '' || /\s/.test(principal)) {
    throw usageError(`invalid principal '${text}': expected TYPE:NAME, e.g. User:alice`)
  }
  return principal
}

const OPERATION_NAMES = Object.keys(OPERATIONS).filter((o) => o !== 'ANY' && o !== 'UNKNOWN') as Operation[]

/** `Read`, `read`, `DescribeConfigs`, `describe-configs`, `DESCRIBE_CONFIGS` -> the operation. */
export function parseOperation(text: string, options: {allowAny?: boolean} = {}): Operation {
  const name = text
    .trim()
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .replaceAll('-', '_')
    .toUpperCase()
  if ((OPERATION_NAMES as string[]).includes(name) || (options.allowAny && name === 'ANY')) return name as Operation
  throw usageError(
    `unknown operation '${text}'`,
    `operations: ${OPERATION_NAMES.map((o) => o.toLowerCase().replaceAll('_', '-')).join(', ')}${options.allowAny ? ', any' : ''}`,
  )
}

function parsePatternType(text: string | undefined, options: {forCreate: boolean}): PatternType {
  const name = (text ?? 'literal').trim().toUpperCase()
  const allowed: PatternType[] = options.forCreate ? ['LITERAL', 'PREFIXED'] : ['LITERAL', 'PREFIXED', 'MATCH', 'ANY']
  if ((allowed as string[]).includes(name)) return name as PatternType
  if (['MATCH', 'ANY'].includes(name)) throw usageError(`--resource-pattern-type ${text} is a filter: a new ACL is literal or prefixed`)
  throw usageError(`unknown --resource-pattern-type '${text}'`, `use one of: ${allowed.map((p) => p.toLowerCase()).join(', ')}`)
}

interface ResourceRef {
  type: ResourceType
  name: string
  patternType: PatternType
}

/** The resources named by --topic, --group, --transactional-id and --cluster (as AclCommand: the cluster only for literal patterns). */
function resourcesFrom(flags: AclFlagValues, patternType: PatternType): ResourceRef[] {
  const refs: ResourceRef[] = []
  const add = (type: ResourceType, names: readonly string[] | undefined) => {
    for (const name of names ?? []) {
      if (name.trim() === '') throw usageError(`an empty --${type === 'TRANSACTIONAL_ID' ? 'transactional-id' : type.toLowerCase()} name`)
      refs.push({type, name: name.trim(), patternType})
    }
  }
  add('TOPIC', flags.topic)
  add('GROUP', flags.group)
  add('TRANSACTIONAL_ID', flags.transactionalId)
  if (flags.cluster) {
    if (patternType === 'PREFIXED') throw usageError('--cluster has one literal resource; --resource-pattern-type prefixed does not apply to it')
    refs.push({type: 'CLUSTER', name: CLUSTER_RESOURCE_NAME, patternType: patternType === 'MATCH' || patternType === 'ANY' ? patternType : 'LITERAL'})
  }
  return refs
}

interface Entry {
  principal: string
  host: string
  permission: Permission
}

function entries(flags: AclFlagValues): Entry[] {
  const out: Entry[] = []
  const expand = (principals: readonly string[] | undefined, hosts: readonly string[] | undefined, permission: Permission) => {
    const hostList = hosts && hosts.length > 0 ? hosts.map((h) => h.trim()) : ['*']
    for (const p of principals ?? []) for (const host of hostList) out.push({principal: normalizePrincipal(p), host, permission})
  }
  if (flags.allowHost?.length && !flags.allowPrincipal?.length) throw usageError('--allow-host needs --allow-principal')
  if (flags.denyHost?.length && !flags.denyPrincipal?.length) throw usageError('--deny-host needs --deny-principal')
  expand(flags.allowPrincipal, flags.allowHost, 'ALLOW')
  expand(flags.denyPrincipal, flags.denyHost, 'DENY')
  return out
}

function checkSupported(type: ResourceType, operations: readonly Operation[]): void {
  const supported = OPERATIONS_BY_RESOURCE[type as keyof typeof OPERATIONS_BY_RESOURCE]
  const bad = operations.filter((o) => !supported.includes(o))
  if (bad.length > 0) {
    throw usageError(
      `a ${type.toLowerCase().replaceAll('_', ' ')} ACL cannot have operation ${bad.map((o) => o.toLowerCase().replaceAll('_', '-')).join(', ')}`,
      `${type.toLowerCase().replaceAll('_', ' ')} operations: ${supported.map((o) => o.toLowerCase().replaceAll('_', '-')).join(', ')}`,
    )
  }
}

/** The bindings `acls create` adds, each once, in AclCommand's expansion. */
export function planCreate(flags: AclFlagValues): AclBinding[] {
  const patternType = parsePatternType(flags.resourcePatternType, {forCreate: true})
  const shortcut = Boolean(flags.producer || flags.consumer)
  if (shortcut && flags.operation?.length) throw usageError('--producer and --consumer choose the operations themselves: leave out --operation')
  if (shortcut && flags.denyPrincipal?.length) throw usageError('--producer and --consumer grant access: use --allow-principal')
  if (flags.idempotent && !flags.producer) throw usageError('--idempotent goes with --producer')
  if (flags.consumer && !flags.group?.length) throw usageError('--consumer needs --group (the consumer group that may read)')
  if (shortcut && !flags.topic?.length) throw usageError(`${flags.producer ? '--producer' : '--consumer'} needs --topic`)
  const who = entries(flags)
  if (who.length === 0) throw usageError('who? give --allow-principal or --deny-principal', 'for example: --allow-principal alice')

  const perResource = new Map<string, {ref: ResourceRef; operations: Set<Operation>}>()
  const grant = (ref: ResourceRef, operations: readonly Operation[]) => {
    const key = `${ref.type}\u0000${ref.name}`
    const slot = perResource.get(key) ?? {ref, operations: new Set<Operation>()}
    for (const o of operations) slot.operations.add(o)
    perResource.set(key, slot)
  }
  const refs = resourcesFrom(flags, patternType)
  if (!shortcut) {
    if (refs.length === 0) throw usageError('which resource? give --topic, --group, --transactional-id or --cluster')
    const operations = (flags.operation?.length ? flags.operation : ['all']).map((o) => parseOperation(o))
    for (const ref of refs) grant(ref, operations)
  }
  if (flags.producer) {
    for (const ref of refs) {
      if (ref.type === 'TOPIC') grant(ref, ['WRITE', 'DESCRIBE', 'CREATE'])
      if (ref.type === 'TRANSACTIONAL_ID') grant(ref, ['WRITE', 'DESCRIBE'])
    }
    if (flags.idempotent) grant({type: 'CLUSTER', name: CLUSTER_RESOURCE_NAME, patternType: 'LITERAL'}, ['IDEMPOTENT_WRITE'])
  }
  if (flags.consumer) {
    for (const ref of refs) {
      if (ref.type === 'TOPIC') grant(ref, ['READ', 'DESCRIBE'])
      if (ref.type === 'GROUP') grant(ref, ['READ'])
    }
  }

  const bindings = new Map<string, AclBinding>()
  for (const {ref, operations} of perResource.values()) {
    checkSupported(ref.type, [...operations])
    for (const e of who) {
      for (const operation of operations) {
        const b: AclBinding = {...e, resourceType: ref.type, resourceName: ref.name, patternType: ref.patternType, operation}
        bindings.set(bindingKey(b), b)
      }
    }
  }
  return [...bindings.values()]
}

/**
 * The filters `acls list` asks with: one per resource named (pattern type literal by default, as
 * kafka-acls), or every resource; narrowed by --principal and --operation.
 */
export function planListFilters(flags: AclFlagValues): AclFilter[] {
  const named = Boolean(flags.topic?.length || flags.group?.length || flags.transactionalId?.length || flags.cluster)
  const patternType = parsePatternType(flags.resourcePatternType ?? (named ? 'literal' : 'any'), {forCreate: false})
  const refs = resourcesFrom(flags, patternType)
  const principals = (flags.principal ?? []).map(normalizePrincipal)
  const operations = (flags.operation ?? []).map((o) => parseOperation(o, {allowAny: true}))
  const resources: AclFilter[] = refs.length > 0 ? refs.map((r) => ({resourceType: r.type, resourceName: r.name, patternType: r.patternType})) : [{patternType}]
  return crossFilters(resources, principals.map((principal) => ({principal})), operations)
}

/**
 * The filters `acls delete` deletes with: a resource is required (as kafka-acls --remove); the
 * principals, hosts and operations given narrow it (each one left out matches any).
 */
export function planDeleteFilters(flags: AclFlagValues): AclFilter[] {
  if (flags.producer || flags.consumer) throw usageError('--producer and --consumer are for create; delete with --operation')
  const patternType = parsePatternType(flags.resourcePatternType, {forCreate: false})
  const refs = resourcesFrom(flags, patternType)
  if (refs.length === 0) throw usageError('which resource? give --topic, --group, --transactional-id or --cluster')
  if (flags.allowHost?.length && !flags.allowPrincipal?.length) throw usageError('--allow-host needs --allow-principal')
  if (flags.denyHost?.length && !flags.denyPrincipal?.length) throw usageError('--deny-host needs --deny-principal')
  const who: AclFilter[] = []
  const add = (principals: readonly string[] | undefined, hosts: readonly string[] | undefined, permission: Permission | undefined) => {
    for (const p of principals ?? []) {
      const principal = normalizePrincipal(p)
      if (hosts?.length) for (const host of hosts) who.push({principal, host: host.trim(), permission})
      else who.push({principal, permission})
    }
  }
  add(flags.allowPrincipal, flags.allowHost, 'ALLOW')
  add(flags.denyPrincipal, flags.denyHost, 'DENY')
  add(flags.principal, undefined, undefined)
  const operations = (flags.operation ?? []).map((o) => parseOperation(o, {allowAny: true}))
  return crossFilters(
    refs.map((r) => ({resourceType: r.type, resourceName: r.name, patternType: r.patternType})),
    who,
    operations,
  )
}

function crossFilters(resources: AclFilter[], who: AclFilter[], operations: Operation[]): AclFilter[] {
  const out: AclFilter[] = []
  for (const r of resources) {
    for (const w of who.length > 0 ? who : [{}]) {
      for (const operation of operations.length > 0 ? operations : [undefined]) {
        out.push({...r, ...w, ...(operation && operation !== 'ANY' ? {operation} : {})})
      }
    }
  }
  return out
}
