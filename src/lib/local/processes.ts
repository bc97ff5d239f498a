import {closeSync, openSync, readdirSync, readFileSync, readSync, statSync} from 'node:fs'
import {basename} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {KafkitError} from '../errors.js'

// Finding, checking and signalling the broker JVMs. Pids get recycled, so a pid from state.json is
// only trusted after /proc/<pid>/cmdline shows it is `java ... kafka.Kafka <that node's properties>`.

export const BROKER_MAIN_CLASS = 'kafka.Kafka'

/** The argument vector of a live process, or undefined when it is gone (or not ours to read). */
function readCommandLine(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    // A zombie has an empty cmdline: it no longer runs anything.
    if (raw === '') return undefined
    return raw.replace(/\0$/, '').split('\0')
  } catch {
    return undefined
  }
}

/** True when `pid` is a running Kafka broker JVM started with exactly this properties file. */
function isBrokerProcess(pid: number, propertiesFile: string): boolean {
  const argv = readCommandLine(pid)
  if (!argv || argv.length === 0) return false
  return basename(argv[0]!) === 'java' && argv.includes(BROKER_MAIN_CLASS) && argv.at(-1) === propertiesFile
}

function allPids(): number[] {
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return []
  }
  return entries.filter((name) => /^\d+$/.test(name)).map(Number).filter((pid) => pid !== process.pid)
}

/** Every running broker JVM started with this properties file (normally none or one). */
export function findBrokerProcesses(propertiesFile: string): number[] {
  return allPids().filter((pid) => isBrokerProcess(pid, propertiesFile))
}

/**
 * Every running Java process that kafkit started for a state folder inside `dir` (at any depth):
 * brokers and the storage formatting tool, recognised by a path under `dir` in their arguments.
 */
function findJavaProcessesUnder(dir: string): number[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`
  return allPids().filter((pid) => {
    const argv = readCommandLine(pid)
    return argv !== undefined && basename(argv[0] ?? '') === 'java' && argv.some((arg) => arg.includes(prefix))
  })
}

/** Every running Java process given exactly this argument (a marker kafkit puts on its command line). */
export function findJavaProcessesWithArgument(argument: string): number[] {
  return allPids().filter((pid) => {
    const argv = readCommandLine(pid)
    return argv !== undefined && basename(argv[0] ?? '') === 'java' && argv.includes(argument)
  })
}

/** Alive and not a zombie (a zombie is dead, only not yet reaped by its parent). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Field 3, after the parenthesised command name, is the state letter.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

/**
 * Signals the process group the broker leads (it was spawned detached, so its pid is the group
 * id), falling back to the single process if the group is gone.
 */
function signalBroker(pid: number, signal: NodeJS.Signals): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, signal)
      return
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
    }
  }
}

/** Waits until every pid is gone; returns the ones still alive when the time is up. */
export async function waitUntilGone(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs
  let alive = pids.filter(isProcessAlive)
  while (alive.length > 0 && Date.now() < deadline) {
    await sleep(100)
    alive = alive.filter(isProcessAlive)
  }
  return alive
}

/**
 * SIGTERM to each process group, then SIGKILL to those still alive after `timeoutMs` (and still
 * `isStillOurs`: in the seconds since SIGTERM a pid may have ended and been reused). Returns the
 * pids that needed SIGKILL; throws if one survives even that.
 */
export async function terminateProcesses(pids: readonly number[], timeoutMs: number, isStillOurs: (pid: number) => boolean = () => true): Promise<number[]> {
  for (const pid of pids) signalBroker(pid, 'SIGTERM')
  const stubborn = await waitUntilGone(pids, timeoutMs)
  for (const pid of stubborn) if (isStillOurs(pid)) signalBroker(pid, 'SIGKILL')
  const survivors = await waitUntilGone(stubborn, 10_000)
  if (survivors.length > 0) {
    throw new KafkitError('failure', `process ${survivors.join(', ')} is still alive after SIGKILL`, {hint: 'check it with: ps -o pid,stat,cmd -p ' + survivors.join(',')})
  }
  return stubborn
}

/** SIGTERM (Kafka's controlled shutdown) to each broker, then SIGKILL after `timeoutMs` (terminateProcesses). */
export async function terminateBrokers(targets: ReadonlyArray<{pid: number; propertiesFile: string}>, timeoutMs: number): Promise<number[]> {
  const fileOf = new Map(targets.map((target) => [target.pid, target.propertiesFile]))
  return terminateProcesses([...fileOf.keys()], timeoutMs, (pid) => isBrokerProcess(pid, fileOf.get(pid)!))
}

/** SIGKILLs these brokers and waits (up to 10 s) until they are gone. */
export async function killBrokers(pids: readonly number[]): Promise<void> {
  for (const pid of pids) signalBroker(pid, 'SIGKILL')
  await waitUntilGone(pids, 10_000)
}

/** For exit handlers, which cannot wait or throw: SIGKILLs every Java process running under `dir`. */
export function killJavaProcessesUnderSync(dir: string): number[] {
  const pids = findJavaProcessesUnder(dir)
  for (const pid of pids) {
    try {
      signalBroker(pid, 'SIGKILL')
    } catch {
      // The process may be gone already.
    }
  }
  return pids
}

/** The last `lineCount` lines of a text file ('' when it does not exist). Reads only the end of big files. */
export function tailLines(file: string, lineCount: number): string {
  let fd: number
  try {
    fd = openSync(file, 'r')
  } catch {
    return ''
  }
  try {
    const size = statSync(file).size
    const length = Math.min(size, 256 * 1024)
    const buffer = Buffer.alloc(length)
    readSync(fd, buffer, 0, length, size - length)
    return buffer.toString('utf8').replace(/\n$/, '').split('\n').slice(-lineCount).join('\n')
  } finally {
    closeSync(fd)
  }
}
