import {Flags} from '@oclif/core'

import {KafkaCommand} from './kafka-command.js'
import type {AclBinding, AclFlagValues} from './kafka/acls/index.js'
import type {Column} from './output/table.js'

// The base of the `kafkit acls` commands: the resource, principal and operation flags they share
// (named as kafka-acls names them) and the one way a binding is shown.

const many = {multiple: true, multipleNonGreedy: true} as const

export const aclResourceFlags = {
  topic: Flags.string({summary: 'A topic (repeatable); "*" is every topic.', ...many, helpGroup: 'RESOURCE'}),
  group: Flags.string({summary: 'A consumer group (repeatable); "*" is every group.', ...many, helpGroup: 'RESOURCE'}),
  'transactional-id': Flags.string({summary: 'A transactional id (repeatable); "*" is every one.', ...many, helpGroup: 'RESOURCE'}),
  cluster: Flags.boolean({summary: 'The cluster itself (the resource kafka-cluster).', helpGroup: 'RESOURCE'}),
  'resource-pattern-type': Flags.string({
    summary: 'literal (default) or prefixed; to list or delete also match (every pattern that applies to the name) or any.',
    helpGroup: 'RESOURCE',
  }),
  operation: Flags.string({
    summary: 'read, write, create, delete, alter, describe, cluster-action, describe-configs, alter-configs, idempotent-write, all (repeatable).',
    ...many,
  }),
}

export const aclPrincipalFlags = {
  'allow-principal': Flags.string({summary: 'Principal to allow, TYPE:NAME (User: is added when missing; repeatable).', ...many}),
  'deny-principal': Flags.string({summary: 'Principal to deny, TYPE:NAME (repeatable).', ...many}),
  'allow-host': Flags.string({summary: 'Host the allowed principals may connect from (repeatable; default *).', ...many}),
  'deny-host': Flags.string({summary: 'Host the denied principals are denied from (repeatable; default *).', ...many}),
}

export const aclBindingColumns: Column<AclBinding>[] = [
  {header: 'PRINCIPAL', value: (b) => b.principal},
  {header: 'HOST', value: (b) => b.host},
  {header: 'OPERATION', value: (b) => b.operation},
  {header: 'PERMISSION', value: (b) => b.permission, style: (t, b, c) => (b.permission === 'DENY' ? c.red(t) : c.green(t))},
  {header: 'RESOURCE-TYPE', value: (b) => b.resourceType},
  {header: 'RESOURCE-NAME', value: (b) => b.resourceName},
  {header: 'PATTERN', value: (b) => b.patternType},
]

interface ParsedAclFlags {
  topic?: string[]
  group?: string[]
  'transactional-id'?: string[]
  cluster?: boolean
  'resource-pattern-type'?: string
  operation?: string[]
  'allow-principal'?: string[]
  'deny-principal'?: string[]
  'allow-host'?: string[]
  'deny-host'?: string[]
  principal?: string[]
  producer?: boolean
  consumer?: boolean
  idempotent?: boolean
}

export abstract class AclCommand extends KafkaCommand {
  protected aclFlags(flags: ParsedAclFlags): AclFlagValues {
    return {
      topic: flags.topic,
      group: flags.group,
      transactionalId: flags['transactional-id'],
      cluster: flags.cluster,
      resourcePatternType: flags['resource-pattern-type'],
      operation: flags.operation,
      allowPrincipal: flags['allow-principal'],
      denyPrincipal: flags['deny-principal'],
      allowHost: flags['allow-host'],
      denyHost: flags['deny-host'],
      principal: flags.principal,
      producer: flags.producer,
      consumer: flags.consumer,
      idempotent: flags.idempotent,
    }
  }

  /** The bindings on stderr, for a prompt (stdout stays data only). */
  protected noticeBindings(bindings: readonly AclBinding[]): void {
    for (const b of bindings) this.out.notice(`  ${b.permission} ${b.principal} from ${b.host}: ${b.operation} on ${b.resourceType} ${b.resourceName} (${b.patternType})`)
  }
}
