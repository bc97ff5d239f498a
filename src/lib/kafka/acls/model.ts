import type {NativeAclBinding} from '../native-admin.js'

// ACL bindings as kafkit shows them: Kafka's own enum names (TOPIC, LITERAL, READ, ALLOW, as
// kafka-acls prints them), mapped to and from librdkafka's numbers. Pure data; never prints.

// UNKNOWN: what librdkafka reports for a type it does not know (DELEGATION_TOKEN, USER).
const RESOURCE_TYPES = {UNKNOWN: 0, ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5} as const
const PATTERN_TYPES = {UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4} as const
export const OPERATIONS = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
} as const
const PERMISSIONS = {UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3} as const

export type ResourceType = keyof typeof RESOURCE_TYPES
export type PatternType = keyof typeof PATTERN_TYPES
export type Operation = keyof typeof OPERATIONS
export type Permission = keyof typeof PERMISSIONS

/** The one name of the cluster resource (Kafka's CLUSTER_NAME). */
export const CLUSTER_RESOURCE_NAME = 'kafka-cluster'

/** One ACL binding: who (principal, host) may or may not (permission) do what (operation) to which resources (pattern). */
export interface AclBinding {
  principal: string
  host: string
  resourceType: ResourceType
  resourceName: string
  patternType: PatternType
  operation: Operation
  permission: Permission
}

/** A filter over bindings: undefined fields match anything. */
export interface AclFilter {
  principal?: string
  host?: string
  resourceType?: ResourceType
  resourceName?: string
  /** MATCH: the literal and prefixed patterns (and wildcards) that apply to resourceName. */
  patternType?: PatternType
  operation?: Operation
  permission?: Permission
}

/** Operations each resource type supports (as Kafka's AclCommand checks them). */
export const OPERATIONS_BY_RESOURCE: Readonly<Record<'TOPIC' | 'GROUP' | 'CLUSTER' | 'TRANSACTIONAL_ID', readonly Operation[]>> = {
  TOPIC: ['READ', 'WRITE', 'CREATE', 'DESCRIBE', 'DELETE', 'ALTER', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS', 'ALL'],
  GROUP: ['READ', 'DESCRIBE', 'DELETE', 'ALL'],
  CLUSTER: ['CREATE', 'CLUSTER_ACTION', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS', 'IDEMPOTENT_WRITE', 'ALTER', 'DESCRIBE', 'ALL'],
  TRANSACTIONAL_ID: ['DESCRIBE', 'WRITE', 'ALL'],
}

function nameOf<T extends Record<string, number>>(table: T, value: number): keyof T & string {
  for (const [name, n] of Object.entries(table)) if (n === value) return name
  return 'UNKNOWN' as keyof T & string
}

export function fromNative(b: NativeAclBinding): AclBinding {
  return {
    principal: b.principal ?? '',
    host: b.host ?? '',
    resourceType: nameOf(RESOURCE_TYPES, b.resourceType),
    resourceName: b.name ?? '',
    patternType: nameOf(PATTERN_TYPES, b.patternType),
    operation: nameOf(OPERATIONS, b.operation),
    permission: nameOf(PERMISSIONS, b.permission),
  }
}

export function bindingToNative(b: AclBinding): NativeAclBinding {
  return {
    resourceType: RESOURCE_TYPES[b.resourceType],
    name: b.resourceName,
    patternType: PATTERN_TYPES[b.patternType],
    principal: b.principal,
    host: b.host,
    operation: OPERATIONS[b.operation],
    permission: PERMISSIONS[b.permission],
  }
}

export function filterToNative(f: AclFilter): NativeAclBinding {
  return {
    resourceType: RESOURCE_TYPES[f.resourceType ?? 'ANY'],
    name: f.resourceName ?? null,
    patternType: PATTERN_TYPES[f.patternType ?? 'ANY'],
    principal: f.principal ?? null,
    host: f.host ?? null,
    operation: OPERATIONS[f.operation ?? 'ANY'],
    permission: PERMISSIONS[f.permission ?? 'ANY'],
  }
}

/** A stable identity for a binding (to drop duplicates and compare). */
export const bindingKey = (b: AclBinding) =>
  [b.principal, b.host, b.resourceType, b.resourceName, b.patternType, b.operation, b.permission].join('\u0000')

/** Sorted as people scan them: by resource, then principal, then operation. */
export function compareBindings(a: AclBinding, b: AclBinding): number {
  const fields = (x: AclBinding) => [x.resourceType, x.resourceName, x.patternType, x.principal, x.host, x.permission, x.operation]
  const fa = fields(a)
  const fb = fields(b)
  for (let i = 0; i < fa.length; i++) {
    if (fa[i]! < fb[i]!) return -1
    if (fa[i]! > fb[i]!) return 1
  }
  return 0
}
