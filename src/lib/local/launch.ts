import {execFile, spawn} from 'node:child_process'
import {closeSync, existsSync, openSync, readSync, renameSync, statSync} from 'node:fs'
import {rm} from 'node:fs/promises'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {KafkitError} from '../errors.js'
import {jvmOptions} from './config.js'
import type {JavaRuntime} from './java.js'
import {kafkaAnswers} from './kafka-probe.js'
import type {KafkaLibs} from './kafka-libs.js'
import {BROKER_MAIN_CLASS, tailLines} from './processes.js'
import {type LocalKafkaState, type LocalNodeState, log4jConfigFile, nodeDataDir, nodeDir, nodeLogFile, nodePropertiesFile} from './state.js'

// Running Kafka's JVMs for a local cluster: the java command lines, the storage format tool,
// spawning a broker detached with its output in the node's log, and waiting until the launched
// brokers are ready (the log's started line, then a Kafka answer on the port).

const STARTED_LOG_LINE = 'Kafka Server started'
const LOG_TAIL_LINES = 30

type Progress = (message: string) => void

function javaArgs(libs: KafkaLibs, stateDir: string, state: LocalKafkaState, mainClass: string, args: string[]): string[] {
  return [...jvmOptions(state.nodes.length, log4jConfigFile(stateDir)), '-cp', join(libs.dir, '*'), mainClass, ...args]
}

function runJava(java: JavaRuntime, args: string[]): Promise<{code: number; output: string}> {
  return new Promise((resolvePromise) => {
    execFile(java.command, args, {timeout: 120_000, maxBuffer: 16 * 1024 * 1024}, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
      resolvePromise({code, output: `${stdout}${stderr}`})
    })
  })
}

/** Formats every node's storage (kafka.tools.StorageTool): needed once, before the first start. */
/** `extraArgs`: a secured node's `--add-scram` users (they hold passwords, so no output of the tool is shown as is). */
export async function formatStorage(
  java: JavaRuntime,
  libs: KafkaLibs,
  stateDir: string,
  state: LocalKafkaState,
  progress: Progress,
  extraArgs: readonly string[] = [],
): Promise<void> {
  progress(`formatting storage for a ${state.nodes.length}-node cluster (cluster id ${state.clusterId})`)
  const initialControllers = state.nodes.map((node) => `${node.nodeId}@${state.host}:${node.controllerPort}:${node.directoryId}`).join(',')
  await Promise.all(
    state.nodes.map(async (node) => {
      // Leftovers of an earlier start that failed before state.json was written.
      await rm(nodeDataDir(stateDir, node.nodeId), {recursive: true, force: true})
      const quorum = state.nodes.length === 1 ? ['--standalone'] : ['--initial-controllers', initialControllers]
      const args = ['format', '--cluster-id', state.clusterId, ...quorum, '--config', nodePropertiesFile(stateDir, node.nodeId), ...extraArgs]
      const result = await runJava(java, javaArgs(libs, stateDir, state, 'kafka.tools.StorageTool', args))
      if (result.code !== 0) {
        const tail = redactArgs(result.output.trim().split('\n').slice(-LOG_TAIL_LINES).join('\n'), extraArgs)
        throw new KafkitError('failure', `formatting the storage of node ${node.nodeId} failed (exit code ${result.code}):\n${tail}`)
      }
    }),
  )
}

/** The tool may echo its arguments; SCRAM passwords in them never reach an error message. */
function redactArgs(text: string, args: readonly string[]): string {
  let out = text
  for (const password of args.flatMap((arg) => /password=([^\],]+)/.exec(arg)?.[1] ?? [])) out = out.split(password).join('********')
  return out
}

/** Keeps the previous run's log as kafka.log.1, so a fresh log shows only this start. */
function rotateLog(logFile: string): void {
  if (existsSync(logFile)) renameSync(logFile, `${logFile}.1`)
}

export interface Launch {
  node: LocalNodeState
  logFile: string
  /** Why the JVM is gone, once it ended (or could not be run at all). */
  exit?: string
  logOffset: number
  /** The end of the log text already read, to find the marker across two reads. */
  logCarry: string
  sawStarted: boolean
  answered: boolean
}

export function spawnBroker(java: JavaRuntime, libs: KafkaLibs, stateDir: string, state: LocalKafkaState, node: LocalNodeState): Launch {
  const logFile = nodeLogFile(stateDir, node.nodeId)
  rotateLog(logFile)
  const logFd = openSync(logFile, 'a')
  try {
    // detached: its own process group and session, so it outlives this process and Ctrl-C here;
    // the whole group can be signalled as one. stdout/stderr (and log4j) go to the node's log.
    const child = spawn(java.command, javaArgs(libs, stateDir, state, BROKER_MAIN_CLASS, [nodePropertiesFile(stateDir, node.nodeId)]), {
      cwd: nodeDir(stateDir, node.nodeId),
      detached: true,
      stdio: ['ignore', logFd, logFd],
    })
    const launch: Launch = {node, logFile, logOffset: 0, logCarry: '', sawStarted: false, answered: false}
    child.on('error', (error) => {
      launch.exit = `could not be run: ${error.message}`
    })
    child.on('exit', (code, signal) => {
      launch.exit = signal ? `was killed by ${signal}` : `exited with code ${code}`
    })
    child.unref()
    node.pid = child.pid ?? null
    return launch
  } finally {
    closeSync(logFd)
  }
}

/** Reads what the broker appended to its log since the last call, and looks for the started line. */
function checkLogForStarted(launch: Launch): void {
  let fd: number
  try {
    fd = openSync(launch.logFile, 'r')
  } catch {
    return
  }
  try {
    const size = statSync(launch.logFile).size
    if (size <= launch.logOffset) return
    const buffer = Buffer.alloc(size - launch.logOffset)
    readSync(fd, buffer, 0, buffer.length, launch.logOffset)
    launch.logOffset = size
    const text = launch.logCarry + buffer.toString('utf8')
    if (text.includes(STARTED_LOG_LINE)) launch.sawStarted = true
    launch.logCarry = text.slice(-STARTED_LOG_LINE.length)
  } finally {
    closeSync(fd)
  }
}

function startFailure(launch: Launch, why: string, others: readonly Launch[]): KafkitError {
  const tail = tailLines(launch.logFile, LOG_TAIL_LINES)
  const otherLogs = others.filter((other) => other !== launch).map((other) => other.logFile)
  return new KafkitError('failure', `Kafka node ${launch.node.nodeId} ${why}. Last lines of ${launch.logFile}:\n${tail || '(empty)'}`, {
    hint: `full log: ${[launch.logFile, ...otherLogs].join(', ')}`,
  })
}

/** Ready = the log says started and the port answers a Kafka request; fails fast if a JVM exits. */
export async function waitUntilReady(state: LocalKafkaState, launches: readonly Launch[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    for (const launch of launches) {
      if (launch.exit !== undefined) throw startFailure(launch, `${launch.exit} during start-up`, launches)
      if (!launch.sawStarted) checkLogForStarted(launch)
    }
    const probes = launches.filter((launch) => launch.sawStarted && !launch.answered)
    await Promise.all(
      probes.map(async (launch) => {
        launch.answered = await kafkaAnswers(state.host, launch.node.port, 1000)
      }),
    )
    if (launches.every((launch) => launch.answered)) return
    if (Date.now() > deadline) {
      const late = launches.find((launch) => !launch.answered)!
      throw startFailure(late, `was not ready after ${Math.round(timeoutMs / 1000)} s`, launches)
    }
    await sleep(200)
  }
}
