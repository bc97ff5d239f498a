import {randomBytes, randomUUID} from 'node:crypto'
import {readFile, rename, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {KafkitError} from '../errors.js'
import {isProcessAlive} from './processes.js'

// What a state folder holds:
//   state.json              the cluster (id, nodes, ports, pids), written by kafkit
//   start.lock              the pid of a kafkit starting nodes right now
//   log4j2.properties       logging config shared by the nodes
//   node-<id>/server.properties, node-<id>/data/ (Kafka's log.dirs), node-<id>/kafka.log
//   security/               a secured node's CA, certificates, password files and client.properties

export const STATE_FILE = 'state.json'

export interface LocalNodeState {
  nodeId: number
  /** PLAINTEXT listener, the one clients use. */
  port: number
  /** The KRaft controller listener of this node. */
  controllerPort: number
  /** The metadata log directory id given to `format --initial-controllers` (3-node clusters). */
  directoryId: string
  /** The broker JVM's pid while kafkit believes it runs; verified against /proc before use. */
  pid: number | null
}

/** How clients reach a secured local Kafka (`local start --security`); see security.ts. */
export type SecurityMode = 'sasl' | 'sasl-tls' | 'tls' | 'mtls'
export const SECURITY_MODES: readonly SecurityMode[] = ['sasl', 'sasl-tls', 'tls', 'mtls']

export interface LocalSecurityState {
  /** The listener `local start` prints and writes the profile for; every listener runs in every mode. */
  mode: SecurityMode
  /** Client port of each listener (the SASL_PLAINTEXT one is also the node's `port`). */
  ports: Record<SecurityMode, number>
  /** Users besides admin, made at creation: SCRAM and PLAIN credentials and a client certificate each. */
  users: string[]
}

export interface LocalKafkaState {
  version: 1
  kafkaVersion: string
  clusterId: string
  host: string
  nodes: LocalNodeState[]
  /** Present for a secured single node (`local start --security`). */
  security?: LocalSecurityState
}

export const nodeDir = (stateDir: string, nodeId: number) => join(stateDir, `node-${nodeId}`)
export const nodePropertiesFile = (stateDir: string, nodeId: number) => join(nodeDir(stateDir, nodeId), 'server.properties')
export const nodeDataDir = (stateDir: string, nodeId: number) => join(nodeDir(stateDir, nodeId), 'data')
export const nodeLogFile = (stateDir: string, nodeId: number) => join(nodeDir(stateDir, nodeId), 'kafka.log')
export const log4jConfigFile = (stateDir: string) => join(stateDir, 'log4j2.properties')
export const securityDir = (stateDir: string) => join(stateDir, 'security')

/** A Kafka Uuid (cluster ids, directory ids): 16 random bytes, base64url without padding, never starting with '-'. */
export function newKafkaUuid(): string {
  for (;;) {
    const text = Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url')
    if (!text.startsWith('-')) return text
  }
}

function parseState(text: string, file: string): LocalKafkaState {
  try {
    const state = JSON.parse(text) as LocalKafkaState
    if (state.version !== 1 || !Array.isArray(state.nodes) || typeof state.clusterId !== 'string') throw new Error('unknown layout')
    return state
  } catch (error) {
    throw new KafkitError('failure', `cannot read ${file}: ${(error as Error).message}`, {
      hint: 'stop any broker of that folder and delete the folder to start over',
    })
  }
}

/** The saved cluster of a state folder, or undefined when none was created there yet. */
export async function readState(stateDir: string): Promise<LocalKafkaState | undefined> {
  const file = join(stateDir, STATE_FILE)
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined
    throw error
  })
  return text === undefined ? undefined : parseState(text, file)
}

/** Writes state.json through a temporary file and a rename, so a reader never sees half of it. */
export async function writeState(stateDir: string, state: LocalKafkaState): Promise<void> {
  const file = join(stateDir, STATE_FILE)
  const temporary = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`
  await writeFile(temporary, JSON.stringify(state, null, 2) + '\n')
  await rename(temporary, file)
}

/**
 * Runs `fn` holding start.lock in the state folder, so that two starts of one folder (two
 * terminals, two test files) cannot both format it or spawn the same node. A second start waits
 * for the first, then usually finds the nodes running. A lock whose process died is taken over.
 */
export async function withStartLock<T>(stateDir: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const lockFile = join(stateDir, 'start.lock')
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      await writeFile(lockFile, `${process.pid}\n`, {flag: 'wx'})
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const holder = Number((await readFile(lockFile, 'utf8').catch(() => '')).trim())
    if (!(holder > 0 && isProcessAlive(holder))) {
      await rm(lockFile, {force: true})
      continue
    }
    if (Date.now() > deadline) {
      throw new KafkitError('conflict', `another kafkit (pid ${holder}) is still starting the Kafka in ${stateDir}`, {
        hint: `wait for it; if no kafkit runs, delete ${lockFile}`,
      })
    }
    await sleep(200)
  }
  try {
    return await fn()
  } finally {
    await rm(lockFile, {force: true})
  }
}
