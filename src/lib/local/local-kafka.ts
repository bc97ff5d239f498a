import {existsSync, realpathSync} from 'node:fs'
import {chmod, mkdir, writeFile} from 'node:fs/promises'
import {join, resolve} from 'node:path'

import {KafkitError} from '../errors.js'
import {type LocalSecurityInfo, writeClientProperties} from './client-settings.js'
import {type ClusterSize, describeCluster, type LocalKafkaInfo, type LocalKafkaNodeInfo, newClusterState, nodePorts} from './cluster-layout.js'
import {log4jProperties, serverProperties} from './config.js'
import {findJava, type JavaRuntime} from './java.js'
import {kafkaAnswers} from './kafka-probe.js'
import {type KafkaLibs, resolveKafkaLibs} from './kafka-libs.js'
import {formatStorage, type Launch, spawnBroker, waitUntilReady} from './launch.js'
import {DEFAULT_PORT, defaultStateDir} from './paths.js'
import {busyPorts} from './ports.js'
import {findBrokerProcesses, killBrokers, killJavaProcessesUnderSync, terminateBrokers} from './processes.js'
import {ADMIN_USER, createSecurityFiles, readPasswords, scramFormatArgs, secureServerProperties} from './security.js'
import {
  type LocalKafkaState,
  type LocalNodeState,
  log4jConfigFile,
  nodeDataDir,
  nodeDir,
  nodePropertiesFile,
  readState,
  type SecurityMode,
  STATE_FILE,
  withStartLock,
  writeState,
} from './state.js'

// `kafkit local`: a real Apache Kafka in KRaft mode (every node is broker and controller) as
// detached JVMs that outlive the command that started them. This file is the cluster logic:
// start, stop and status of a state folder's nodes (checks, configs, pids in state.json);
// cluster-layout.ts says what a cluster looks like, launch.ts runs the JVMs and processes.ts finds
// and signals them. Never prints: progress goes to onProgress, failures are KafkitErrors.

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
  /** A secured node's listeners, users and client files. */
  security?: LocalSecurityInfo
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
  /**
   * A secured single node (security.ts): the listener to report. A new state folder is created
   * secured; an existing secured one switches to this mode; a plaintext one cannot become secured.
   */
  security?: SecurityMode
  /** Users besides admin on a new secured node (SCRAM, PLAIN and a client certificate each). */
  users?: readonly string[]
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
  if (options.security !== undefined && !state.security) {
    throw new KafkitError('conflict', `the state folder ${stateDir} holds a plaintext Kafka; it cannot become secured`, {
      hint: 'use another --state-dir for a secured one, or stop it and delete the folder to start over',
    })
  }
  if (options.users !== undefined && options.users.some((user) => !state.security?.users.includes(user))) {
    throw new KafkitError('conflict', `users are made when a secured state folder is created; ${stateDir} exists already`, {
      hint: 'create more users with Kafka\'s tools as admin (see docs/security.md), or start over in a new --state-dir',
    })
  }
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
  const wanted = nodes.flatMap((node) => nodePorts(state, node))
  const busy = await busyPorts(wanted, state.host)
  if (busy.length === 0) return
  throw new KafkitError('conflict', `port ${busy.join(', ')} on ${state.host} is in use by another program; Kafka needs ports ${wanted.join(', ')}`, {
    hint: 'stop that program, or choose other ports with --port (on a new --state-dir)',
  })
}

async function writeNodeConfigs(stateDir: string, state: LocalKafkaState): Promise<void> {
  await writeFile(log4jConfigFile(stateDir), log4jProperties())
  const passwords = state.security ? await readPasswords(stateDir, state.security) : undefined
  if (passwords) await writeClientProperties(describeCluster(stateDir, state).security!, passwords.get(ADMIN_USER)!)
  for (const node of state.nodes) {
    await mkdir(nodeDir(stateDir, node.nodeId), {recursive: true})
    const file = nodePropertiesFile(stateDir, node.nodeId)
    const overrides = passwords ? secureServerProperties(stateDir, state, node.controllerPort, passwords) : {}
    // A secured node's properties hold the passwords of its JAAS entries.
    await writeFile(file, serverProperties(state, node, nodeDataDir(stateDir, node.nodeId), overrides), {mode: passwords ? 0o600 : 0o644})
    if (passwords) await chmod(file, 0o600)
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
  await killBrokers(nodes.flatMap((node) => brokerPids(stateDir, node)))
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
  const security = options.security === undefined ? undefined : {mode: options.security, users: options.users ?? []}
  const state = saved ?? newClusterState(options.nodes ?? 1, options.port ?? DEFAULT_PORT, security)
  if (saved?.security && options.security !== undefined && saved.security.mode !== options.security) {
    // Every listener runs in every mode: a new mode only changes what is reported.
    saved.security.mode = options.security
    await writeState(stateDir, saved)
  }
  const stopped = state.nodes.filter((node) => !refreshPid(stateDir, node))
  const result = (alreadyRunning: boolean) => ({
    ...describeCluster(stateDir, state),
    alreadyRunning,
    startedNodeIds: stopped.map((node) => node.nodeId),
    elapsedMs: Date.now() - began,
  })
  if (stopped.length === 0) return result(true)

  await assertPortsFree(state, stopped)
  const libs = await resolveKafkaLibs({onProgress: progress})
  if (!saved) {
    if (state.security) {
      progress('making a CA, certificates and passwords for the secured node')
      await createSecurityFiles(stateDir, state.security)
    }
    await writeNodeConfigs(stateDir, state)
    const scram = state.security ? scramFormatArgs(await readPasswords(stateDir, state.security)) : []
    await formatStorage(java, libs, stateDir, state, progress, scram)
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
    return describeCluster(dir, state).nodes.find((info) => info.nodeId === nodeId)!
  })
}

/** Stops these nodes' brokers (processes.ts: SIGTERM, then SIGKILL after the timeout) and clears their pids. */
async function stopNodes(stateDir: string, nodes: readonly LocalNodeState[], options: StopOptions): Promise<StoppedNode[]> {
  const targets = nodes.flatMap((node) => brokerPids(stateDir, node).map((pid) => ({node, pid, propertiesFile: nodePropertiesFile(stateDir, node.nodeId)})))
  if (targets.length === 0) return []
  options.onProgress?.(`stopping Kafka node${targets.length > 1 ? 's' : ''} ${targets.map((t) => `${t.node.nodeId} (pid ${t.pid})`).join(', ')}`)
  const forced = await terminateBrokers(targets, options.timeoutMs ?? DEFAULT_STOP_TIMEOUT_MS)
  for (const node of nodes) node.pid = null
  await savePids(stateDir, nodes)
  return targets.map(({node, pid}) => ({nodeId: node.nodeId, pid, forced: forced.includes(pid)}))
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
  const info = describeCluster(dir, state)
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
    ...(info.security ? {security: info.security} : {}),
  }
}

/**
 * Last resort for exit and signal handlers, which cannot wait: SIGKILLs every Java process kafkit
 * runs for a state folder in `dir` (a state folder, or a folder holding several), whether or not
 * state.json knows it yet. Returns the pids signalled (see waitUntilGone).
 */
export function killLocalKafkaSync(dir: string): number[] {
  return killJavaProcessesUnderSync(canonicalStateDir(dir))
}
