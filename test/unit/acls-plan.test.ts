import {describe, expect, it} from 'vitest'

import {KafkitError} from '../../src/lib/errors.js'
import {normalizePrincipal, parseOperation, planCreate, planDeleteFilters, planListFilters} from '../../src/lib/kafka/acls/plan.js'
import type {AclBinding} from '../../src/lib/kafka/acls/model.js'

// The acls flags as bindings and filters, expanded the way kafka-acls (AclCommand) expands them.

const short = (b: AclBinding) => `${b.permission} ${b.principal}@${b.host} ${b.operation} ${b.resourceType}:${b.resourceName}:${b.patternType}`
const usage = (fn: () => unknown) => {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(KafkitError)
    expect((error as KafkitError).exitCode).toBe(2)
    return (error as KafkitError).message
  }
  throw new Error('no usage error')
}

describe('acls plan', () => {
  it('adds User: to a bare principal and refuses a malformed one', () => {
    expect(normalizePrincipal('alice')).toBe('User:alice')
    expect(normalizePrincipal(' User:bob ')).toBe('User:bob')
    expect(normalizePrincipal('Group:ops')).toBe('Group:ops')
    expect(normalizePrincipal('User:*')).toBe('User:*')
    expect(usage(() => normalizePrincipal('User:'))).toContain("invalid principal 'User:'")
    expect(usage(() => normalizePrincipal(':x'))).toContain('invalid principal')
  })

  it('reads operations in every spelling kafka-acls and rpk users write', () => {
    expect(parseOperation('Read')).toBe('READ')
    expect(parseOperation('DescribeConfigs')).toBe('DESCRIBE_CONFIGS')
    expect(parseOperation('describe-configs')).toBe('DESCRIBE_CONFIGS')
    expect(parseOperation('IDEMPOTENT_WRITE')).toBe('IDEMPOTENT_WRITE')
    expect(parseOperation('any', {allowAny: true})).toBe('ANY')
    expect(usage(() => parseOperation('any'))).toContain("unknown operation 'any'")
    expect(usage(() => parseOperation('fly'))).toContain("unknown operation 'fly'")
  })

  it('expands resource x principal x host x operation, hosts defaulting to *, operation to all', () => {
    expect(planCreate({allowPrincipal: ['a', 'b'], allowHost: ['h1', 'h2'], operation: ['read'], topic: ['t']}).map(short).sort()).toEqual(
      ['ALLOW User:a@h1 READ TOPIC:t:LITERAL', 'ALLOW User:a@h2 READ TOPIC:t:LITERAL', 'ALLOW User:b@h1 READ TOPIC:t:LITERAL', 'ALLOW User:b@h2 READ TOPIC:t:LITERAL'],
    )
    expect(planCreate({denyPrincipal: ['x'], cluster: true}).map(short)).toEqual(['DENY User:x@* ALL CLUSTER:kafka-cluster:LITERAL'])
    expect(planCreate({allowPrincipal: ['a'], denyPrincipal: ['b'], operation: ['read'], group: ['g'], resourcePatternType: 'prefixed'}).map(short).sort()).toEqual(
      ['ALLOW User:a@* READ GROUP:g:PREFIXED', 'DENY User:b@* READ GROUP:g:PREFIXED'],
    )
  })

  it('--producer and --consumer grant what AclCommand grants', () => {
    expect(planCreate({allowPrincipal: ['app'], producer: true, idempotent: true, topic: ['t'], transactionalId: ['tx']}).map(short).sort()).toEqual(
      [
        'ALLOW User:app@* WRITE TOPIC:t:LITERAL',
        'ALLOW User:app@* DESCRIBE TOPIC:t:LITERAL',
        'ALLOW User:app@* CREATE TOPIC:t:LITERAL',
        'ALLOW User:app@* WRITE TRANSACTIONAL_ID:tx:LITERAL',
        'ALLOW User:app@* DESCRIBE TRANSACTIONAL_ID:tx:LITERAL',
        'ALLOW User:app@* IDEMPOTENT_WRITE CLUSTER:kafka-cluster:LITERAL',
      ].sort(),
    )
    expect(planCreate({allowPrincipal: ['c'], consumer: true, topic: ['t'], group: ['g']}).map(short).sort()).toEqual(
      ['ALLOW User:c@* READ TOPIC:t:LITERAL', 'ALLOW User:c@* DESCRIBE TOPIC:t:LITERAL', 'ALLOW User:c@* READ GROUP:g:LITERAL'].sort(),
    )
    // Both at once: DESCRIBE on the topic once (write, describe, create, read; read on the group).
    expect(planCreate({allowPrincipal: ['pc'], producer: true, consumer: true, topic: ['t'], group: ['g']})).toHaveLength(5)
  })

  it('refuses what kafka-acls refuses', () => {
    expect(usage(() => planCreate({allowPrincipal: ['a'], operation: ['idempotent-write'], topic: ['t']}))).toContain('cannot have operation idempotent-write')
    expect(usage(() => planCreate({allowPrincipal: ['a'], topic: ['t'], resourcePatternType: 'match'}))).toContain('is a filter')
    expect(usage(() => planCreate({topic: ['t']}))).toContain('--allow-principal or --deny-principal')
    expect(usage(() => planCreate({allowPrincipal: ['a']}))).toContain('which resource')
    expect(usage(() => planCreate({allowPrincipal: ['a'], consumer: true, topic: ['t']}))).toContain('--consumer needs --group')
    expect(usage(() => planCreate({allowPrincipal: ['a'], producer: true, operation: ['read'], topic: ['t']}))).toContain('leave out --operation')
    expect(usage(() => planCreate({allowPrincipal: ['a'], idempotent: true, topic: ['t']}))).toContain('--idempotent goes with --producer')
    expect(usage(() => planCreate({allowPrincipal: ['a'], allowHost: ['h'], denyHost: ['h2'], topic: ['t']}))).toContain('--deny-host needs --deny-principal')
    expect(usage(() => planCreate({allowPrincipal: ['a'], topic: ['t'], resourcePatternType: 'glob'}))).toContain("unknown --resource-pattern-type 'glob'")
  })

  it('lists literally by default for a named resource (as kafka-acls), everything otherwise', () => {
    expect(planListFilters({})).toEqual([{patternType: 'ANY'}])
    expect(planListFilters({topic: ['t']})).toEqual([{resourceType: 'TOPIC', resourceName: 't', patternType: 'LITERAL'}])
    expect(planListFilters({topic: ['t'], resourcePatternType: 'match', principal: ['a'], operation: ['read']})).toEqual([
      {resourceType: 'TOPIC', resourceName: 't', patternType: 'MATCH', principal: 'User:a', operation: 'READ'},
    ])
    expect(planListFilters({principal: ['a', 'b']})).toEqual([{patternType: 'ANY', principal: 'User:a'}, {patternType: 'ANY', principal: 'User:b'}])
  })

  it('deletes by resource; principals, hosts and operations left out match any', () => {
    expect(planDeleteFilters({topic: ['t']})).toEqual([{resourceType: 'TOPIC', resourceName: 't', patternType: 'LITERAL'}])
    expect(planDeleteFilters({group: ['g'], allowPrincipal: ['a'], allowHost: ['h'], operation: ['read']})).toEqual([
      {resourceType: 'GROUP', resourceName: 'g', patternType: 'LITERAL', principal: 'User:a', host: 'h', permission: 'ALLOW', operation: 'READ'},
    ])
    expect(planDeleteFilters({cluster: true, principal: ['x'], resourcePatternType: 'any'})).toEqual([
      {resourceType: 'CLUSTER', resourceName: 'kafka-cluster', patternType: 'ANY', principal: 'User:x'},
    ])
    expect(usage(() => planDeleteFilters({principal: ['a']}))).toContain('which resource')
  })
})
