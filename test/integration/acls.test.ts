import {afterAll, describe, expect, inject, it} from 'vitest'

import {runApache} from './apache.js'
import {runKafkit, stripAnsi, uniqueName} from './cli.js'
import {ALICE, expectNoSecrets, listener, saslFlags, secureBroker} from './secure-broker.js'

// kafkit acls against the secured test node (StandardAuthorizer, admin a super user), checked
// binding for binding against Apache's AclCommand (kafka-acls) from the same jars. Every test
// uses its own principals and resource names, and removes its ACLs at the end.

interface Binding {
  principal: string
  host: string
  operation: string
  permission: string
  resourceType: string
  resourceName: string
  patternType: string
}

const admin = () => saslFlags('SCRAM-SHA-512')
const key = (b: Binding) => [b.principal, b.host, b.operation, b.permission, b.resourceType, b.resourceName, b.patternType].join(' ')
const keys = (bindings: Binding[]) => bindings.map(key).sort()

/** kafka-acls (AclCommand) over the sasl listener as admin. */
function aclCommand(args: string[]) {
  return runApache('org.apache.kafka.tools.AclCommand', ['--bootstrap-server', listener('sasl'), '--command-config', secureBroker().security.clientProperties.sasl, ...args])
}

/** The bindings kafka-acls --list prints: "Current ACLs for resource `ResourcePattern(...)`:" then one "(principal=..., ...)" line each. */
function parseAclCommandList(stdout: string): Binding[] {
  const out: Binding[] = []
  let resource: {resourceType: string; resourceName: string; patternType: string} | undefined
  for (const line of stdout.split('\n')) {
    const r = /ResourcePattern\(resourceType=(\w+), name=(.*), patternType=(\w+)\)/.exec(line)
    if (r) {
      resource = {resourceType: r[1]!, resourceName: r[2]!, patternType: r[3]!}
      continue
    }
    const a = /\(principal=(.*), host=(.*), operation=(\w+), permissionType=(\w+)\)/.exec(line)
    if (a && resource) out.push({principal: a[1]!, host: a[2]!, operation: a[3]!, permission: a[4]!, ...resource})
  }
  return out
}

async function kafkitJson(args: string[]): Promise<Binding[]> {
  const result = await runKafkit([...args, '--json', ...admin()])
  expectNoSecrets(result)
  expect(result.exitCode, result.stderr).toBe(0)
  return JSON.parse(result.stdout) as Binding[]
}

const cleanup: string[][] = []
afterAll(async () => {
  for (const resource of cleanup) await runKafkit(['acls', 'delete', ...resource, '--resource-pattern-type', 'any', '--yes', ...admin()])
})

describe('acls', () => {
  it('create shows the bindings it adds, and list agrees with kafka-acls --list binding for binding', async () => {
    const topic = uniqueName('acl-topic')
    const group = uniqueName('acl-group')
    cleanup.push(['--topic', topic], ['--topic', `${topic}.`], ['--group', group])
    const user = uniqueName('acl-user')
    const created = await runKafkit(['acls', 'create', '--allow-principal', user, '--operation', 'read', '--operation', 'Describe', '--topic', topic, '--group', group, ...admin()])
    expectNoSecrets(created)
    expect(created.exitCode, created.stderr).toBe(0)
    // Piped: the binding columns, then STATUS (and an empty ERROR).
    const rows = created.stdout.trim().split('\n').map((line) => line.split('\t'))
    expect(rows.map((r) => r.slice(0, 8).join(' ')).sort()).toEqual(
      [
        `User:${user} * READ ALLOW TOPIC ${topic} LITERAL created`,
        `User:${user} * DESCRIBE ALLOW TOPIC ${topic} LITERAL created`,
        `User:${user} * READ ALLOW GROUP ${group} LITERAL created`,
        `User:${user} * DESCRIBE ALLOW GROUP ${group} LITERAL created`,
      ].sort(),
    )
    const denied = await runKafkit(['acls', 'create', '--deny-principal', `User:${user}`, '--deny-host', '10.1.2.3', '--operation', 'write', '--topic', `${topic}.`, '--resource-pattern-type', 'prefixed', ...admin()])
    expect(denied.exitCode, denied.stderr).toBe(0)

    for (const filter of [['--topic', topic], ['--topic', `${topic}.x`, '--resource-pattern-type', 'match'], ['--group', group], ['--principal', `User:${user}`]]) {
      const ours = await kafkitJson(['acls', 'list', ...filter])
      const apache = await aclCommand(['--list', ...filter])
      expect(apache.exitCode, apache.stderr).toBe(0)
      expect(keys(ours), `acls list ${filter.join(' ')}`).toEqual(keys(parseAclCommandList(apache.stdout)))
      expect(ours.length).toBeGreaterThan(0)
    }
    // match finds the prefixed deny for a name under the prefix; literal does not.
    const deny = `User:${user} 10.1.2.3 WRITE DENY TOPIC ${topic}. PREFIXED`
    expect(keys(await kafkitJson(['acls', 'list', '--topic', `${topic}.x`, '--resource-pattern-type', 'match']))).toContain(deny)
    expect(keys(await kafkitJson(['acls', 'list', '--topic', `${topic}.x`]))).not.toContain(deny)
  })

  it('lists what kafka-acls --add created, and the unfiltered list holds every binding kafka-acls lists', async () => {
    const topic = uniqueName('acl-apache')
    cleanup.push(['--topic', topic])
    const added = await aclCommand(['--add', '--allow-principal', 'User:apache-made', '--allow-host', '127.0.0.1', '--operation', 'Alter', '--operation', 'DescribeConfigs', '--topic', topic])
    expect(added.exitCode, added.stderr).toBe(0)
    expect(keys(await kafkitJson(['acls', 'list', '--topic', topic]))).toEqual(
      [`User:apache-made 127.0.0.1 ALTER ALLOW TOPIC ${topic} LITERAL`, `User:apache-made 127.0.0.1 DESCRIBE_CONFIGS ALLOW TOPIC ${topic} LITERAL`].sort(),
    )
    // Unfiltered: other tests may add ACLs meanwhile, so compare what both saw of this topic.
    const all = await kafkitJson(['acls', 'list'])
    const apache = parseAclCommandList((await aclCommand(['--list'])).stdout)
    const mine = (list: Binding[]) => keys(list.filter((b) => b.resourceName === topic))
    expect(mine(all)).toEqual(mine(apache))
  })

  it('--producer and --consumer expand to what kafka-acls --producer / --consumer make', async () => {
    const topic = uniqueName('acl-short')
    const group = uniqueName('acl-short-g')
    const txn = uniqueName('acl-short-tx')
    cleanup.push(['--topic', topic], ['--group', group], ['--transactional-id', txn])
    const ours = await runKafkit(['acls', 'create', '--allow-principal', 'kafkit-app', '--producer', '--idempotent', '--transactional-id', txn, '--consumer', '--topic', topic, '--group', group, ...admin()])
    expect(ours.exitCode, ours.stderr).toBe(0)
    const theirs = await aclCommand(['--add', '--allow-principal', 'User:apache-app', '--producer', '--idempotent', '--transactional-id', txn, '--consumer', '--topic', topic, '--group', group])
    expect(theirs.exitCode, theirs.stderr).toBe(0)
    const listed = parseAclCommandList((await aclCommand(['--list'])).stdout)
    const of = (principal: string) =>
      listed
        .filter((b) => b.principal === principal)
        .filter((b) => [topic, group, txn, 'kafka-cluster'].includes(b.resourceName))
        .map((b) => key({...b, principal: 'P'}))
        .sort()
    expect(of('User:kafkit-app')).toEqual(of('User:apache-app'))
    expect(of('User:kafkit-app')).toEqual(
      [
        `P * WRITE ALLOW TOPIC ${topic} LITERAL`,
        `P * DESCRIBE ALLOW TOPIC ${topic} LITERAL`,
        `P * CREATE ALLOW TOPIC ${topic} LITERAL`,
        `P * READ ALLOW TOPIC ${topic} LITERAL`,
        `P * WRITE ALLOW TRANSACTIONAL_ID ${txn} LITERAL`,
        `P * DESCRIBE ALLOW TRANSACTIONAL_ID ${txn} LITERAL`,
        `P * IDEMPOTENT_WRITE ALLOW CLUSTER kafka-cluster LITERAL`,
        `P * READ ALLOW GROUP ${group} LITERAL`,
      ].sort(),
    )
    await aclCommand(['--remove', '--force', '--allow-principal', 'User:kafkit-app', '--allow-principal', 'User:apache-app', '--operation', 'IdempotentWrite', '--cluster'])
  })

  it('delete needs --yes in a script, shows and deletes exactly what matches, and asks on a terminal', async () => {
    const topic = uniqueName('acl-del')
    cleanup.push(['--topic', topic])
    const make = (user: string, op: string) => runKafkit(['acls', 'create', '--allow-principal', user, '--operation', op, '--topic', topic, ...admin()])
    for (const [user, op] of [['del-a', 'read'], ['del-a', 'write'], ['del-b', 'read']] as const) expect((await make(user, op)).exitCode).toBe(0)

    const unasked = await runKafkit(['acls', 'delete', '--principal', 'del-a', '--topic', topic, ...admin()])
    expect(unasked.exitCode).toBe(2)
    expect(unasked.stderr).toContain('--yes')
    expect(await kafkitJson(['acls', 'list', '--topic', topic])).toHaveLength(3)

    // On a terminal: the bindings, then the question; "n" keeps them.
    const declined = await runKafkit(['acls', 'delete', '--principal', 'del-a', '--topic', topic, ...admin()], {tty: true, input: 'n\n'})
    expect(declined.exitCode).toBe(0)
    expect(stripAnsi(declined.stdout)).toContain(`ALLOW User:del-a from *: WRITE on TOPIC ${topic} (LITERAL)`)
    expect(stripAnsi(declined.stdout)).toContain('nothing deleted')
    expect(await kafkitJson(['acls', 'list', '--topic', topic])).toHaveLength(3)

    const deleted = await runKafkit(['acls', 'delete', '--principal', 'del-a', '--topic', topic, '--yes', ...admin()])
    expectNoSecrets(deleted)
    expect(deleted.exitCode, deleted.stderr).toBe(0)
    expect(deleted.stdout.trim().split('\n').sort()).toEqual(
      [`User:del-a\t*\tREAD\tALLOW\tTOPIC\t${topic}\tLITERAL`, `User:del-a\t*\tWRITE\tALLOW\tTOPIC\t${topic}\tLITERAL`].sort(),
    )
    const left = parseAclCommandList((await aclCommand(['--list', '--topic', topic])).stdout)
    expect(keys(left)).toEqual([`User:del-b * READ ALLOW TOPIC ${topic} LITERAL`])
  })

  it('on a terminal list is a table with a header', async () => {
    const topic = uniqueName('acl-tty')
    cleanup.push(['--topic', topic])
    expect((await runKafkit(['acls', 'create', '--allow-principal', 'tty-user', '--operation', 'read', '--topic', topic, ...admin()])).exitCode).toBe(0)
    const shown = await runKafkit(['acls', 'list', '--topic', topic, ...admin()], {tty: true})
    expect(shown.exitCode).toBe(0)
    const lines = stripAnsi(shown.stdout).trim().split('\n')
    expect(lines[0]).toMatch(/^PRINCIPAL\s+HOST\s+OPERATION\s+PERMISSION\s+RESOURCE-TYPE\s+RESOURCE-NAME\s+PATTERN/)
    expect(lines[1]).toMatch(new RegExp(`^User:tty-user\\s+\\*\\s+READ\\s+ALLOW\\s+TOPIC\\s+${topic}\\s+LITERAL`))
  })

  it('a principal without cluster ACLs is denied with one line naming the operation and the resource (exit 4)', async () => {
    for (const [args, operation] of [
      [['acls', 'list'], 'DESCRIBE'],
      [['acls', 'create', '--allow-principal', 'x', '--operation', 'read', '--topic', 't'], 'ALTER'],
      [['acls', 'delete', '--topic', 't', '--yes'], 'DESCRIBE'],
    ] as const) {
      const result = await runKafkit([...args, ...saslFlags('SCRAM-SHA-256', {user: ALICE})])
      expectNoSecrets(result)
      expect(result.exitCode, result.stderr).toBe(4)
      const first = result.stderr.split('\n')[0]!
      expect(first).toContain(`not authorized: User:${ALICE} may not ${operation} the cluster`)
    }
  })

  it('bad input is a usage error (exit 2) before anything is sent', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['acls', 'create', '--allow-principal', 'a', '--operation', 'frobnicate', '--topic', 't'], /unknown operation 'frobnicate'/],
      [['acls', 'create', '--allow-principal', 'User:', '--topic', 't'], /invalid principal 'User:'/],
      [['acls', 'create', '--allow-principal', 'a', '--operation', 'idempotent-write', '--topic', 't'], /topic ACL cannot have operation idempotent-write/],
      [['acls', 'create', '--allow-principal', 'a', '--topic', 't', '--resource-pattern-type', 'match'], /is a filter/],
      [['acls', 'create', '--topic', 't'], /--allow-principal or --deny-principal/],
      [['acls', 'create', '--allow-principal', 'a', '--consumer', '--topic', 't'], /--consumer needs --group/],
      [['acls', 'delete', '--principal', 'a', '--yes'], /which resource/],
    ]
    for (const [args, message] of cases) {
      const result = await runKafkit([...args, '-b', '127.0.0.1:1'])
      expect(result.exitCode, args.join(' ')).toBe(2)
      expect(result.stderr.split('\n')[0]).toMatch(message)
    }
  })

  it('a cluster without an authorizer says so (exit 7), not "no ACLs"', async () => {
    for (const args of [['acls', 'list'], ['acls', 'create', '--allow-principal', 'a', '--topic', 't']]) {
      const result = await runKafkit([...args, '-b', inject('bootstrap')])
      expect(result.exitCode, args.join(' ')).toBe(7)
      expect(result.stderr.split('\n')[0]).toContain('the cluster has no authorizer')
    }
  })
})
