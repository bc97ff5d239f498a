import {spawn} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {findFreePortRange} from '../../src/lib/local/index.js'

// Runs the built CLI as a child process, the way users and scripts run it. `tty: true` runs it
// under a real pseudo-terminal (util-linux `script`), so terminal rendering is tested for real.

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const kafkitBin = join(repoRoot, 'bin', 'run.cjs')

export interface RunResult {
  stdout: string
  stderr: string
  exitCode: number | null
  signal: NodeJS.Signals | null
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv
  input?: string | Buffer
  tty?: boolean
  timeoutMs?: number
  cwd?: string
}

/** The environment every test run starts from: no colour forcing, no user profile file. */
export function baseEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {...process.env, KAFKIT_CONFIG: '/nonexistent/kafkit-test-config.yaml', ...extra}
  for (const key of ['FORCE_COLOR', 'NO_COLOR', 'KAFKA_BOOTSTRAP_SERVERS', 'KAFKIT_PROFILE', 'KAFKIT_SCHEMA_REGISTRY_URL']) {
    if (!(key in extra)) delete env[key]
  }
  return env
}

export function runKafkit(args: string[], options: RunOptions = {}): Promise<RunResult> {
  const env = baseEnv(options.env)
  const [command, commandArgs] = options.tty
    ? ['script', ['-qefc', [process.execPath, kafkitBin, ...args].map(shellQuote).join(' '), '/dev/null']]
    : [process.execPath, [kafkitBin, ...args]]
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, {env: options.tty ? {...env, COLUMNS: '160', TERM: 'xterm'} : env, cwd: options.cwd ?? repoRoot})
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.on('data', (d: Buffer) => err.push(d))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 45_000)
    child.on('error', reject)
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer)
      // Under a pty stdout and stderr arrive merged on stdout, with CRLF line ends.
      const clean = (b: Buffer[]) => Buffer.concat(b).toString('utf8').replaceAll('\r\n', '\n')
      resolve({stdout: clean(out), stderr: clean(err), exitCode, signal})
    })
    if (options.input !== undefined) child.stdin.end(options.input)
    else child.stdin.end()
  })
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`
}

/** A topic name no other test (or earlier run) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`
}

// eslint-disable-next-line no-control-regex
export const stripAnsi = (text: string) => text.replace(/\u001B\[[0-9;]*[A-Za-z]/g, '')

/** A loopback address nothing listens on: connecting to it is refused. */
export async function closedAddress(): Promise<string> {
  return `127.0.0.1:${await findFreePortRange(1)}`
}

export interface ProgramRun {
  stdout: Buffer
  stderr: string
  exitCode: number | null
}

/** Runs any program, with stdin, and keeps stdout as bytes. */
export function runProgram(command: string, args: string[], input?: string | Buffer, env: NodeJS.ProcessEnv = baseEnv()): Promise<ProgramRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {env})
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.on('data', (d: Buffer) => err.push(d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('error', reject)
    child.on('close', (exitCode) => {
      clearTimeout(timer)
      resolve({stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), exitCode})
    })
    child.stdin.end(input ?? '')
  })
}
