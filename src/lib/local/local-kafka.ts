import {execFile, spawn} from 'node:child_process'
import {closeSync, existsSync, openSync, readSync, realpathSync, renameSync, statSync} from 'node:fs'
import {mkdir, rm, writeFile} from 'node:fs/promises'
import {join, resolve} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {KafkitError} from '../errors.js'
import {jvmOptions, log4jProperties, serverProperties} from './config.js'
import {findJava, type JavaRuntime} from './java.js'
import {kafkaAnswers} from './kafka-probe.js'
import {type KafkaLibs, resolveKafkaLibs} from './kafka-libs.js'
import {DEFAULT_PORT, defaultStateDir, KAFKA_VERSION, LOCAL_HOST} from './paths.js'
import {busyPorts} from './ports.js'
import {BROKER_MAIN_CLASS, findBrokerProcesses, findJavaProcessesUnder, isBrokerProcess, signalBroker, tailLines, waitUntilGone} from './processes.js'
import {
  type LocalKafkaState,
  type LocalNodeState,
  log4jConfigFile,
  newKafkaUuid,
  nodeDataDir,
  nodeDir,
  nodeLogFile,
  nodePropertiesFile,
  readState,
  STATE_FILE,
  withStartLock,
  writeState,
} from './state.js'

// `kafkit local`: a real Apache Kafka in KRaft mode (every node is broker and controller) as
// detached JVMs that outlive the command that started them. Never prints: progress goes to
// onProgress, failures are KafkitErrors.

export type ClusterSize = 1 | 3

export interface LocalKafkaNodeInfo {
  nodeId: number
  host: string
  port: number
  controllerPort: number
  /** The broker JVM, or null when this node is not running. */
  pid: number | null
  logFile: string
}

export interface LocalKafkaInfo {
  bootstrapServers: string
  clusterId: string
  stateDir: string
  kafkaVersion: string
  nodes: LocalKafkaNodeInfo[]
}

export interface LocalKafkaStartResult extends LocalKafkaInfo {
  /** Every node was running already; nothing was started. */
  alreadyRunning: boolean
  startedNodeIds: number[]
  elapsedMs: number
}

export interface LocalKafkaNodeStatus extends LocalKafkaNodeInfo {
  alive: boolean
  /** The broker answered a Kafka request on its port just now. */
  answering: boolean
}

export interface LocalKafkaStatus {
  stateDir: string
  /** At least one node runs. */
  running: boolean
  bootstrapServers: string | null
  clusterId: string | null
  kafkaVersion: string | null
  nodes: LocalKafkaNodeStatus[]
}

export interface StoppedNode {
  nodeId: number
  pid: number
  /** It ignored SIGTERM for the whole timeout and was killed with SIGKILL. */
  forced: boolean
}

export interface LocalKafkaStopResult {
  stateDir: string
  stopped: StoppedNode[]
}

type Progress = (message: string) => void

export interface StartLocalKafkaOptions {
  /** Only for a new state folder; an existing one keeps its size (default 1). */
  nodes?: ClusterSize
  /** First broker port, only for a new state folder (default 9092). */
  port?: number
  stateDir?: string
  /** How long to wait for the brokers to be ready (default 90 s). */
  timeoutMs?: number
  onProgress?: Progress
}

export interface StopOptions {
  /** How long to wait after SIGTERM before SIGKILL (default 30 s). */
  timeoutMs?: number
  onProgress?: Progress
}

const DEFAULT_START_TIMEOUT_MS = 90_000
const DEFAULT_STOP_TIMEOUT_MS = 30_000
const STARTED_LOG_LINE = 'Kafka Server started'
const LOG_TAIL_LINES = 30

/**
 * Ports: brokers use port..port+n-1 and controllers the n ports after them, so one node takes
 * 9092 (clients) and 9093 (controller), like Kafka's own quick start.
 */
export function clusterPorts(size: number, firstPort: number): Array<{nodeId: number; port: number; controllerPort: number}> {
  return Array.from({length: size}, (_, index) => ({nodeId: index + 1, port: firstPort + index, controllerPort: firstPort + size + index}))
}

function newClusterState(size: ClusterSize, firstPort: number): LocalKafkaState {
  if (firstPort < 1 || firstPort + 2 * size - 1 > 65_535) {
    throw new KafkitError('usage', `port ${firstPort} leaves no room for ${2 * size} consecutive ports (brokers and controllers)`)
  }
  return {
    version: 1,
    kafkaVersion: KAFKA_VERSION,
    clusterId: newKafkaUuid(),
    host: LOCAL_HOST,
    nodes: clusterPorts(size, firstPort).map((ports) => ({...ports, directoryId: newKafkaUuid(), pid: null})),
  }
}

const bootstrapOf = (state: LocalKafkaState) => state.nodes.map((node) => `${state.host}:${node.port}`).join(',')

function describe(stateDir: string, state: LocalKafkaState): LocalKafkaInfo {
  return {
    bootstrapServers: bootstrapOf(state),
    clusterId: state.clusterId,
    stateDir,
    kafkaVersion: state.kafkaVersion,
    nodes: state.nodes.map((node) => ({
      nodeId: node.nodeId,
      host: state.host,
      port: node.port,
      controllerPort: node.controllerPort,
      pid: node.pid,
      logFile: nodeLogFile(stateDir, node.nodeId),
    })),
  }
}

/** The canonical path of a state folder, so it matches the paths in a running broker's command line. */
function canonicalStateDir(stateDir: string | undefined): string {
  const dir = resolve(stateDir ?? defaultStateDir())
  try {
    return realpathSync(dir)
  } catch {
    return dir
  }
}

/**
 * This node's broker JVMs, found by their command line in /proc rather than trusted from the
 * saved pid, which may belong to another process by now.
 */
function brokerPids(stateDir: string, node: LocalNodeState): number[] {
  return findBrokerProcesses(nodePropertiesFile(stateDir, node.nodeId))
}

/** Refreshes node.pid from the running processes; returns whether the node runs. */
function refreshPid(stateDir: string, node: LocalNodeState): boolean {
  node.pid = brokerPids(stateDir, node)[0] ?? null
  return node.pid !== null
}

function assertSameCluster(state: LocalKafkaState, options: StartLocalKafkaOptions, stateDir: string): void {
  const firstPort = state.nodes[0]!.port
  const wrongSize = options.nodes !== undefined && options.nodes !== state.nodes.length
  const wrongPort = options.port !== undefined && options.port !== firstPort
  if (!wrongSize && !wrongPort) return
  throw new KafkitError(
    'conflict',
    `the state folder ${stateDir} holds a ${state.nodes.length}-node cluster on port ${firstPort}; it cannot change to ${
      options.nodes ?? state.nodes.length
    } node(s) on port ${options.port ?? firstPort}`,
    {hint: `use another --state-dir, or stop it and delete ${stateDir} to start over`},
  )
}

async function assertPortsFree(state: LocalKafkaState, nodes: readonly LocalNodeState[]): Promise<void> {
  const wanted = nodes.flatMap((node) => [node.port, node.controllerPort])
  const busy = await busyPorts(wanted, state.host)
  if (busy.length === 0) return
  throw new KafkitError('conflict', `port ${busy.join(', ')} on ${state.host} is in use by another program; Kafka needs ports ${wanted.join(', ')}`, {
    hint: 'stop that program, or choose other ports with --port (on a new --state-dir)',
  })
}

async function writeNodeConfigs(stateDir: string, state: LocalKafkaState): Promise<void> {
  await writeFile(log4jConfigFile(stateDir), log4jProperties())
  for (const node of state.nodes) {
    await mkdir(nodeDir(stateDir, node.nodeId), {recursive: true})
    await writeFile(nodePropertiesFile(stateDir, node.nodeId), serverProperties(state, node, nodeDataDir(stateDir, node.nodeId)))
  }
}

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
async function formatStorage(java: JavaRuntime, libs: KafkaLibs, stateDir: string, state: LocalKafkaState, progress: Progress): Promise<void> {
  progress(`formatting storage for a ${state.nodes.length}-node cluster (cluster id ${state.clusterId})`)
  const initialControllers = state.nodes.map((node) => `${node.nodeId}@${state.host}:${node.controllerPort}:${node.directoryId}`).join(',')
  await Promise.all(
    state.nodes.map(async (node) => {
      // Leftovers of an earlier start that failed before state.json was written.
      await rm(nodeDataDir(stateDir, node.nodeId), {recursive: true, force: true})
      const quorum = state.nodes.length === 1 ? ['--standalone'] : ['--initial-controllers', initialControllers]
      const args = ['format', '--cluster-id', state.clusterId, ...quorum, '--config', nodePropertiesFile(stateDir, node.nodeId)]
      const result = await runJava(java, javaArgs(libs, stateDir, state, 'kafka.tools.StorageTool', args))
      if (result.code !== 0) {
        const tail = result.output.trim().split('\n').slice(-LOG_TAIL_LINES).join('\n')
        throw new KafkitError('failure', `formatting the storage of node ${node.nodeId} failed (exit code ${result.code}):\n${tail}`)
      }
    }),
  )
}

/** Keeps the previous run's log as kafka.log.1, so a fresh log shows only this start. */
function rotateLog(logFile: string): void {
  if (existsSync(logFile)) renameSync(logFile, `${logFile}.1`)
}

interface Launch {
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

function spawnBroker(java: JavaRuntime, libs: KafkaLibs, stateDir: string, state: LocalKafkaState, node: LocalNodeState): Launch {
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
async function waitUntilReady(state: LocalKafkaState, launches: readonly Launch[], timeoutMs: number): Promise<void> {
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

/** Re-reads state.json and sets the pids of these nodes, so concurrent node operations do not undo each other. */
async function savePids(stateDir: string, nodes: readonly LocalNodeState[]): Promise<void> {
  const current = await readState(stateDir)
  if (!current) return
  for (const node of nodes) {
    const saved = current.nodes.find((candidate) => candidate.nodeId === node.nodeId)
    if (saved) saved.pid = node.pid
  }
  await writeState(stateDir, current)
}

async function killNow(stateDir: string, nodes: readonly LocalNodeState[]): Promise<void> {
  const pids = nodes.flatMap((node) => brokerPids(stateDir, node))
  for (const pid of pids) signalBroker(pid, 'SIGKILL')
  await waitUntilGone(pids, 10_000)
  for (const node of nodes) node.pid = null
}

async function startNodes(
  java: JavaRuntime,
  libs: KafkaLibs,
  stateDir: string,
  state: LocalKafkaState,
  nodes: readonly LocalNodeState[],
  timeoutMs: number,
  progress: Progress,
): Promise<void> {
  // The folder may have been deleted while this start ran (a test run's clean-up): start nothing then.
  if (!existsSync(join(stateDir, STATE_FILE))) {
    throw new KafkitError('failure', `the state folder ${stateDir} was removed while Kafka was starting`)
  }
  await writeNodeConfigs(stateDir, state)
  const names = nodes.map((node) => `${node.nodeId} on ${state.host}:${node.port}`).join(', ')
  progress(`starting Kafka ${state.kafkaVersion} node${nodes.length > 1 ? 's' : ''} ${names}`)
  const launches: Launch[] = []
  try {
    for (const node of nodes) launches.push(spawnBroker(java, libs, stateDir, state, node))
    await savePids(stateDir, nodes)
    await waitUntilReady(state, launches, timeoutMs)
  } catch (error) {
    // Leave nothing half-started behind.
    await killNow(stateDir, nodes)
    await savePids(stateDir, nodes)
    throw error
  }
}

/**
 * Starts a local Kafka in `stateDir` (creating and formatting it the first time, reusing its
 * data later) and waits until every broker answers. Nodes already running are left alone.
 */
export async function startLocalKafka(options: StartLocalKafkaOptions = {}): Promise<LocalKafkaStartResult> {
  const began = Date.now()
  const java = await findJava()
  await mkdir(resolve(options.stateDir ?? defaultStateDir()), {recursive: true})
  const stateDir = canonicalStateDir(options.stateDir)
  const timeoutMs = options.timeoutMs ?? DEFAULT_START_TIMEOUT_MS
  return withStartLock(stateDir, timeoutMs, () => startLocked(java, stateDir, options, timeoutMs, began))
}

async function startLocked(
  java: JavaRuntime,
  stateDir: string,
  options: StartLocalKafkaOptions,
  timeoutMs: number,
  began: number,
): Promise<LocalKafkaStartResult> {
  const progress = options.onProgress ?? (() => {})
  const saved = await readState(stateDir)
  if (saved) assertSameCluster(saved, options, stateDir)
  const state = saved ?? newClusterState(options.nodes ?? 1, options.port ?? DEFAULT_PORT)
  const stopped = state.nodes.filter((node) => !refreshPid(stateDir, node))
  const result = (alreadyRunning: boolean) => ({
    ...describe(stateDir, state),
    alreadyRunning,
    startedNodeIds: stopped.map((node) => node.nodeId),
    elapsedMs: Date.now() - began,
  })
  if (stopped.length === 0) return result(true)

  await assertPortsFree(state, stopped)
  const libs = await resolveKafkaLibs({onProgress: progress})
  if (!saved) {
    await writeNodeConfigs(stateDir, state)
    await formatStorage(java, libs, stateDir, state, progress)
    // state.json exists only for formatted storage: a failed format is redone by the next start.
    await writeState(stateDir, state)
  }
  await startNodes(java, libs, stateDir, state, stopped, timeoutMs, progress)
  return result(false)
}

async function requireState(stateDir: string): Promise<LocalKafkaState> {
  const state = await readState(stateDir)
  if (!state) {
    throw new KafkitError('not_found', `no local Kafka was created in ${stateDir}`, {hint: 'start one with: kafkit local start'})
  }
  return state
}

function requireNode(state: LocalKafkaState, nodeId: number, stateDir: string): LocalNodeState {
  const node = state.nodes.find((candidate) => candidate.nodeId === nodeId)
  if (!node) {
    throw new KafkitError('not_found', `the local Kafka in ${stateDir} has no node ${nodeId} (nodes: ${state.nodes.map((n) => n.nodeId).join(', ')})`)
  }
  return node
}

/** Starts one node of an existing local cluster (after stopLocalNode) and waits until it answers. */
export async function startLocalNode(
  stateDir: string,
  nodeId: number,
  options: {timeoutMs?: number; onProgress?: Progress} = {},
): Promise<LocalKafkaNodeInfo> {
  const java = await findJava()
  const dir = canonicalStateDir(stateDir)
  const timeoutMs = options.timeoutMs ?? DEFAULT_START_TIMEOUT_MS
  await requireState(dir) // before the lock, whose file needs the folder
  return withStartLock(dir, timeoutMs, async () => {
    const state = await requireState(dir)
    const node = requireNode(state, nodeId, dir)
    for (const each of state.nodes) refreshPid(dir, each)
    if (node.pid === null) {
      await assertPortsFree(state, [node])
      const libs = await resolveKafkaLibs({onProgress: options.onProgress})
      await startNodes(java, libs, dir, state, [node], timeoutMs, options.onProgress ?? (() => {}))
    }
    return describe(dir, state).nodes.find((info) => info.nodeId === nodeId)!
  })
}

/** SIGTERM (Kafka's controlled shutdown), then SIGKILL for what is left after the timeout. */
async function stopNodes(stateDir: string, nodes: readonly LocalNodeState[], options: StopOptions): Promise<StoppedNode[]> {
  const targets = nodes.flatMap((node) => brokerPids(stateDir, node).map((pid) => ({node, pid})))
  if (targets.length === 0) return []
  options.onProgress?.(`stopping Kafka node${targets.length > 1 ? 's' : ''} ${targets.map((t) => `${t.node.nodeId} (pid ${t.pid})`).join(', ')}`)
  for (const {pid} of targets) signalBroker(pid, 'SIGTERM')
  const stubborn = await waitUntilGone(
    targets.map((target) => target.pid),
    options.timeoutMs ?? DEFAULT_STOP_TIMEOUT_MS,
  )
  for (const target of targets) {
    if (!stubborn.includes(target.pid)) continue
    // Checked again: in the seconds since SIGTERM the pid may have ended and been reused.
    if (isBrokerProcess(target.pid, nodePropertiesFile(stateDir, target.node.nodeId))) signalBroker(target.pid, 'SIGKILL')
  }
  const survivors = await waitUntilGone(stubborn, 10_000)
  if (survivors.length > 0) {
    throw new KafkitError('failure', `Kafka process ${survivors.join(', ')} is still alive after SIGKILL`, {hint: 'check it with: ps -o pid,stat,cmd -p ' + survivors.join(',')})
  }
  for (const node of nodes) node.pid = null
  await savePids(stateDir, nodes)
  return targets.map(({node, pid}) => ({nodeId: node.nodeId, pid, forced: stubborn.includes(pid)}))
}

/** Stops every node of the local Kafka in `stateDir`; stopping one that does not run is not an error. */
export async function stopLocalKafka(stateDir?: string, options: StopOptions = {}): Promise<LocalKafkaStopResult> {
  const dir = canonicalStateDir(stateDir)
  const state = await readState(dir)
  return {stateDir: dir, stopped: state ? await stopNodes(dir, state.nodes, options) : []}
}

/** Stops one node of a local cluster (to test what clients do when a broker goes away). */
export async function stopLocalNode(stateDir: string, nodeId: number, options: StopOptions = {}): Promise<StoppedNode | undefined> {
  const dir = canonicalStateDir(stateDir)
  const state = await requireState(dir)
  const [stopped] = await stopNodes(dir, [requireNode(state, nodeId, dir)], options)
  return stopped
}

/** Which nodes of the local Kafka in `stateDir` run, and whether they answer. */
export async function localKafkaStatus(stateDir?: string): Promise<LocalKafkaStatus> {
  const dir = canonicalStateDir(stateDir)
  const state = await readState(dir)
  if (!state) return {stateDir: dir, running: false, bootstrapServers: null, clusterId: null, kafkaVersion: null, nodes: []}
  const info = describe(dir, state)
  const nodes = await Promise.all(
    state.nodes.map(async (node, index): Promise<LocalKafkaNodeStatus> => {
      const alive = refreshPid(dir, node)
      const answering = alive && (await kafkaAnswers(state.host, node.port, 2000))
      return {...info.nodes[index]!, pid: node.pid, alive, answering}
    }),
  )
  return {
    stateDir: dir,
    running: nodes.some((node) => node.alive),
    bootstrapServers: info.bootstrapServers,
    clusterId: state.clusterId,
    kafkaVersion: state.kafkaVersion,
    nodes,
  }
}

/**
 * Last resort for exit and signal handlers, which cannot wait: SIGKILLs every Java process kafkit
 * runs for a state folder in `dir` (a state folder, or a folder holding several), whether or not
 * state.json knows it yet. Returns the pids signalled (see waitUntilGone).
 */
export function killLocalKafkaSync(dir: string): number[] {
  const pids = findJavaProcessesUnder(canonicalStateDir(dir))
  for (const pid of pids) {
    try {
      signalBroker(pid, 'SIGKILL')
    } catch {
      // Exit handlers must not throw; the process may be gone already.
    }
  }
  return pids
}
