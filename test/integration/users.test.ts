import {spawn} from 'node:child_process'
import {randomBytes} from 'node:crypto'

import {describe, expect, it} from 'vitest'

import {runApache} from './apache.js'
import {baseEnv, kafkitBin, repoRoot, runKafkit, stripAnsi, uniqueName} from './cli.js'
import {ALICE, expectNoSecrets, listener, saslFlags, secureBroker} from './secure-broker.js'

// kafkit users (SASL/SCRAM credentials) against the secured test node: what it creates Apache's
// ConfigCommand sees, a created user can connect over the SASL listener and a deleted one cannot,
// and the password never shows.

const admin = () => saslFlags('SCRAM-SHA-512')

/** ConfigCommand --entity-type users --describe: "SCRAM credential configs for user-principal 'U' are SCRAM-SHA-256=iterations=4096, ...". */
async function apacheCredentials(user: string): Promise<string> {
  const result = await runApache('kafka.admin.ConfigCommand', [
    '--bootstrap-server', listener('sasl'), '--command-config', secureBroker().security.clientProperties.sasl,
    '--entity-type', 'users', '--entity-name', user, '--describe',
  ])
  expect(result.exitCode, result.stderr).toBe(0)
  const listed = /SCRAM credential configs for user-principal '[^']*' are (.*)/.exec(result.stdout)?.[1]?.trim() ?? ''
  return listed.split(', ').sort().join(', ')
}

/**
 * Runs kafkit under a pseudo-terminal and types each answer once its prompt shows (typed ahead,
 * the terminal would echo it before the prompt turns echo off).
 */
function runWithPrompts(args: string[], answers: Array<[prompt: string, answer: string]>): Promise<{output: string; exitCode: number | null}> {
  const command = [process.execPath, kafkitBin, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ')
  const child = spawn('script', ['-qefc', command, '/dev/null'], {env: {...baseEnv(), COLUMNS: '160', TERM: 'xterm'}, cwd: repoRoot})
  let output = ''
  let searchFrom = 0
  const pending = [...answers]
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString('utf8')
    const next = pending[0]
    const plain = stripAnsi(output)
    const at = next ? plain.indexOf(next[0], searchFrom) : -1
    if (next && at >= 0) {
      pending.shift()
      searchFrom = at + next[0].length
      child.stdin.write(`${next[1]}\r`)
    }
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), 45_000)
  return new Promise((resolve) =>
    child.on('close', (exitCode) => {
      clearTimeout(timer)
      resolve({output, exitCode})
    }),
  )
}

const connectAs = (user: string, password: string, mechanism: string) => runKafkit(['topics', 'list', ...saslFlags(mechanism, {user, password}), '--timeout', '8s'])

describe('users', () => {
  it('a user created with --password-stdin can connect; Apache sees its mechanisms; deleted, it cannot', async () => {
    const user = uniqueName('scram-user')
    const password = randomBytes(12).toString('hex')

    const created = await runKafkit(['users', 'create', user, '--mechanism', 'SCRAM-SHA-256', '--iterations', '8192', '--password-stdin', ...admin()], {input: `${password}\n`})
    expectNoSecrets(created, [password])
    expect(created.exitCode, created.stderr).toBe(0)
    expect(created.stdout.trim()).toBe(`${user}\tSCRAM-SHA-256\t8192\tcreated`)
    const second = await runKafkit(['users', 'create', user, '-m', 'sha-512', '--password-stdin', '--json', ...admin()], {input: password})
    expectNoSecrets(second, [password])
    expect(JSON.parse(second.stdout)).toEqual({user, mechanism: 'SCRAM-SHA-512', iterations: 4096, status: 'created'})

    const listed = await runKafkit(['users', 'list', user, ...admin()])
    expect(listed.exitCode, listed.stderr).toBe(0)
    expect(listed.stdout.trim().split('\n')).toEqual([`${user}\tSCRAM-SHA-256\t8192`, `${user}\tSCRAM-SHA-512\t4096`])
    expect(await apacheCredentials(user)).toBe('SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=4096')
    const all = JSON.parse((await runKafkit(['users', 'list', '--json', ...admin()])).stdout) as Array<{user: string}>
    expect(all.map((u) => u.user)).toEqual(expect.arrayContaining(['admin', ALICE, user]))

    for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512']) {
      const connected = await connectAs(user, password, mechanism)
      expectNoSecrets(connected, [password])
      expect(connected.exitCode, `${mechanism}: ${connected.stderr}`).toBe(0)
    }
    const wrong = await connectAs(user, `${password}x`, 'SCRAM-SHA-256')
    expect(wrong.exitCode).toBe(4)

    const onlyOne = await runKafkit(['users', 'delete', user, '--mechanism', 'SCRAM-SHA-512', ...admin()])
    expect(onlyOne.exitCode, onlyOne.stderr).toBe(0)
    expect(onlyOne.stdout.trim()).toBe(`${user}\tSCRAM-SHA-512\tdeleted`)
    expect(await apacheCredentials(user)).toBe('SCRAM-SHA-256=iterations=8192')
    expect((await connectAs(user, password, 'SCRAM-SHA-512')).exitCode).toBe(4)

    const deleted = await runKafkit(['users', 'delete', user, ...admin()])
    expect(deleted.exitCode, deleted.stderr).toBe(0)
    expect(deleted.stdout.trim()).toBe(`${user}\tSCRAM-SHA-256\tdeleted`)
    const refused = await connectAs(user, password, 'SCRAM-SHA-256')
    expectNoSecrets(refused, [password])
    expect(refused.exitCode).toBe(4)
    expect(refused.stderr.split('\n')[0]).toMatch(/authentication/i)
    const gone = await runKafkit(['users', 'list', user, ...admin()])
    expect(gone.exitCode).toBe(5)
    expect(gone.stderr).toContain(`user '${user}' has no SCRAM credentials`)
    expect((await runKafkit(['users', 'delete', user, ...admin()])).exitCode).toBe(5)
  })

  it('asks for the password twice on a terminal, echoing nothing', async () => {
    const user = uniqueName('scram-tty')
    const password = randomBytes(12).toString('hex')
    const created = await runWithPrompts(['users', 'create', user, '--mechanism', 'SCRAM-SHA-512', ...admin()], [
      ['Password for', password],
      ['Again:', password],
    ])
    expect(created.exitCode, created.output).toBe(0)
    expect(stripAnsi(created.output)).toContain(`${user}  SCRAM-SHA-512`)
    expectNoSecrets({stdout: created.output, stderr: ''}, [password])
    expect((await connectAs(user, password, 'SCRAM-SHA-512')).exitCode).toBe(0)
    expect((await runKafkit(['users', 'delete', user, ...admin()])).exitCode).toBe(0)
  })

  it('never takes the password from an argument; without a terminal it needs --password-stdin', async () => {
    const noTerminal = await runKafkit(['users', 'create', 'x', '--mechanism', 'SCRAM-SHA-256', '-b', '127.0.0.1:1'])
    expect(noTerminal.exitCode).toBe(2)
    expect(noTerminal.stderr).toContain('--password-stdin')
    const asArgument = await runKafkit(['users', 'create', 'x', '--mechanism', 'SCRAM-SHA-256', '--password', 'secret', '-b', '127.0.0.1:1'])
    expect(asArgument.exitCode).toBe(2)
    const badMechanism = await runKafkit(['users', 'create', 'x', '--mechanism', 'SCRAM-MD5', '--password-stdin', '-b', '127.0.0.1:1'], {input: 'pw'})
    expect(badMechanism.exitCode).toBe(2)
    expect(badMechanism.stderr).toContain("unknown SCRAM mechanism 'SCRAM-MD5'")
    const badIterations = await runKafkit(['users', 'create', 'x', '-m', 'SCRAM-SHA-256', '--iterations', '100', '--password-stdin', '-b', '127.0.0.1:1'], {input: 'pw'})
    expect(badIterations.exitCode).toBe(2)
    const empty = await runKafkit(['users', 'create', 'x', '-m', 'SCRAM-SHA-256', '--password-stdin', '-b', '127.0.0.1:1'], {input: '\n'})
    expect(empty.exitCode).toBe(2)
  })

  it('a principal without cluster ACLs is denied with one line (exit 4)', async () => {
    const asAlice = saslFlags('SCRAM-SHA-512', {user: ALICE})
    const listed = await runKafkit(['users', 'list', ...asAlice])
    expectNoSecrets(listed)
    expect(listed.exitCode, listed.stderr).toBe(4)
    expect(listed.stderr.split('\n')[0]).toContain(`not authorized: User:${ALICE} may not DESCRIBE the cluster (needed to list users)`)
    const created = await runKafkit(['users', 'create', uniqueName('nope'), '-m', 'SCRAM-SHA-256', '--password-stdin', ...asAlice], {input: 'some-password'})
    expect(created.exitCode, created.stderr).toBe(4)
    expect(created.stderr.split('\n')[0]).toContain(`not authorized: User:${ALICE} may not ALTER the cluster (needed to create user)`)
  })
})
