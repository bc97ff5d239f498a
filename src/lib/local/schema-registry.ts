import {spawn} from 'node:child_process'
import {createHash, randomBytes} from 'node:crypto'
import {closeSync, existsSync, openSync} from 'node:fs'
import {mkdir, readFile, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {KafkitError} from '../errors.js'
import type {JavaRuntime} from './java.js'
import {moveIntoPlace, runMaven} from './maven.js'
import {LOCAL_HOST, registryCacheDir, registryProjectDir, SCHEMA_REGISTRY_VERSION} from './paths.js'
import {busyPorts, findFreePortRange} from './ports.js'
import {findJavaProcessesWithArgument, isProcessAlive, tailLines, terminateProcesses} from './processes.js'

// The local Schema Registry of `kafkit local start --schema-registry`: Apicurio Registry, a
// Confluent-compatible server (its /apis/ccompat/v7 API), built once from Maven Central with
// registry/pom.xml into the user's cache and run as a detached JVM next to the brokers. It keeps
// schemas in memory: a restart starts empty (docs/schema-registry.md).
//   <state folder>/schema-registry/state.json   its port and pid, written by kafkit
//   <state folder>/schema-registry/registry.log its output

export const DEFAULT_REGISTRY_PORT = 8081
/** Where Confluent-compatible clients find it, below the server's root. */
const CCOMPAT_PATH = '/apis/ccompat/v7'
const BUILT_MARKER = '.kafkit-built'
const RUN_JAR = join('quarkus-app', 'quarkus-run.jar')

export interface LocalRegistryState {
  port: number
  pid: number | null
}

export interface LocalRegistryInfo {
  url: string
  port: number
  pid: number | null
  logFile: string
}

export interface LocalRegistryStatus extends LocalRegistryInfo {
  alive: boolean
  answering: boolean
}

const registryDir = (stateDir: string) => join(stateDir, 'schema-registry')
const registryStateFile = (stateDir: string) => join(registryDir(stateDir), 'state.json')
const registryLogFile = (stateDir: string) => join(registryDir(stateDir), 'registry.log')
/** On the JVM's command line, so that its pid can be verified and a test run's clean-up finds it. */
const markerArgument = (stateDir: string) => `-Dkafkit.registry.dir=${registryDir(stateDir)}/`

const registryUrl = (port: number) => `http://${LOCAL_HOST}:${port}${CCOMPAT_PATH}`

function info(stateDir: string, state: LocalRegistryState): LocalRegistryInfo {
  return {url: registryUrl(state.port), port: state.port, pid: state.pid, logFile: registryLogFile(stateDir)}
}

async function readRegistryState(stateDir: string): Promise<LocalRegistryState | undefined> {
  const text = await readFile(registryStateFile(stateDir), 'utf8').catch(() => undefined)
  if (text === undefined) return undefined
  try {
    const state = JSON.parse(text) as LocalRegistryState
    return typeof state.port === 'number' ? state : undefined
  } catch {
    return undefined
  }
}

async function writeRegistryState(stateDir: string, state: LocalRegistryState): Promise<void> {
  await mkdir(registryDir(stateDir), {recursive: true})
  await writeFile(registryStateFile(stateDir), JSON.stringify(state, null, 2) + '\n')
}

/** The registry JVMs of this state folder, recognised by their command line (pids get reused). */
const registryPids = (stateDir: string) => findJavaProcessesWithArgument(markerArgument(stateDir))

async function projectHash(): Promise<string> {
  const project = registryProjectDir()
  const hash = createHash('sha256')
  for (const file of ['pom.xml', join('src', 'main', 'resources', 'application.properties')]) {
    hash.update(await readFile(join(project, file)).catch(() => {
      throw new KafkitError('failure', `kafkit's Schema Registry build file is missing: ${join(project, file)}`, {hint: 'reinstall kafkit'})
    }))
  }
  return hash.digest('hex')
}

async function isBuilt(dir: string, hash: string): Promise<boolean> {
  const marker = await readFile(join(dir, BUILT_MARKER), 'utf8').catch(() => undefined)
  return marker?.trim() === hash && existsSync(join(dir, RUN_JAR))
}

/** The registry app's folder, built with Maven the first time (about 1.5 minutes, 130 MB). */
export async function resolveRegistryApp(options: {onProgress?: (message: string) => void; env?: NodeJS.ProcessEnv} = {}): Promise<string> {
  const env = options.env ?? process.env
  const hash = await projectHash()
  const cacheDir = registryCacheDir(env)
  const appDir = join(cacheDir, 'app')
  if (await isBuilt(appDir, hash)) return appDir
  options.onProgress?.(`building Apicurio Registry ${SCHEMA_REGISTRY_VERSION} with Maven into ${appDir} (once, about 1.5 minutes)`)
  await mkdir(cacheDir, {recursive: true})
  const partialDir = join(cacheDir, `app.partial-${process.pid}-${randomBytes(4).toString('hex')}`)
  try {
    await runMaven(['-f', join(registryProjectDir(), 'pom.xml'), 'package', `-Dkafkit.build.dir=${partialDir}`], {
      what: `Apicurio Registry ${SCHEMA_REGISTRY_VERSION}`,
      env,
    })
    if (!existsSync(join(partialDir, RUN_JAR))) throw new KafkitError('failure', `Maven finished but built no ${RUN_JAR} in ${partialDir}`)
    await writeFile(join(partialDir, BUILT_MARKER), hash + '\n')
    await moveIntoPlace(partialDir, appDir, () => isBuilt(appDir, hash))
    return appDir
  } finally {
    await rm(partialDir, {recursive: true, force: true})
  }
}

/** GET a path of the server; the HTTP status, or 0 when nothing answers. */
async function httpStatus(url: string, init: RequestInit = {}): Promise<number> {
  try {
    const response = await fetch(url, {...init, signal: AbortSignal.timeout(2000)})
    await response.arrayBuffer()
    return response.status
  } catch {
    return 0
  }
}

const serverRoot = (port: number) => `http://${LOCAL_HOST}:${port}`

async function choosePort(wanted: number | undefined): Promise<number> {
  const port = wanted ?? DEFAULT_REGISTRY_PORT
  if ((await busyPorts([port])).length === 0) return port
  if (wanted !== undefined) {
    throw new KafkitError('conflict', `port ${port} on ${LOCAL_HOST} is in use by another program; the Schema Registry needs it`, {
      hint: 'choose another one with --schema-registry-port',
    })
  }
  return findFreePortRange(1)
}

export interface StartRegistryOptions {
  stateDir: string
  java: JavaRuntime
  /** Only when it does not run yet: the port to listen on (default 8081, else a free one). */
  port?: number
  timeoutMs: number
  onProgress?: (message: string) => void
}

/** Starts the registry of a state folder unless it runs; waits until it is ready. */
export async function startLocalRegistry(options: StartRegistryOptions): Promise<LocalRegistryInfo & {alreadyRunning: boolean}> {
  const {stateDir} = options
  const saved = await readRegistryState(stateDir)
  const running = registryPids(stateDir)[0]
  if (saved && running !== undefined) return {...info(stateDir, {...saved, pid: running}), alreadyRunning: true}

  const appDir = await resolveRegistryApp({onProgress: options.onProgress})
  const port = await choosePort(options.port ?? saved?.port)
  await mkdir(registryDir(stateDir), {recursive: true})
  const logFile = registryLogFile(stateDir)
  options.onProgress?.(`starting Apicurio Registry ${SCHEMA_REGISTRY_VERSION} on ${LOCAL_HOST}:${port}`)
  const logFd = openSync(logFile, 'w')
  let exit: string | undefined
  let pid: number | undefined
  try {
    // Small heap, serial GC and C1 only: ready in ~2 s and ~200 MB, plenty for a local registry.
    const child = spawn(
      options.java.command,
      [
        '-Xmx256m',
        '-XX:+UseSerialGC',
        '-XX:TieredStopAtLevel=1',
        markerArgument(stateDir),
        `-Dquarkus.http.host=${LOCAL_HOST}`,
        `-Dquarkus.http.port=${port}`,
        '-jar',
        join(appDir, RUN_JAR),
      ],
      {cwd: registryDir(stateDir), detached: true, stdio: ['ignore', logFd, logFd]},
    )
    child.on('error', (error) => (exit = `could not be run: ${error.message}`))
    child.on('exit', (code, signal) => (exit = signal ? `was killed by ${signal}` : `exited with code ${code}`))
    child.unref()
    pid = child.pid
  } finally {
    closeSync(logFd)
  }
  await writeRegistryState(stateDir, {port, pid: pid ?? null})

  const deadline = Date.now() + options.timeoutMs
  for (;;) {
    if (exit !== undefined) throw startFailure(`${exit} during start-up`, logFile)
    if ((await httpStatus(`${serverRoot(port)}/health/ready`)) === 200) break
    if (Date.now() > deadline) {
      if (pid !== undefined) await terminateProcesses([pid], 5000)
      throw startFailure(`was not ready within ${Math.round(options.timeoutMs / 1000)} s`, logFile)
    }
    await sleep(200)
  }
  // Confluent's server checks new schema versions for BACKWARD compatibility by default; Apicurio
  // checks nothing unless told.
  const configured = await httpStatus(`${registryUrl(port)}/config`, {
    method: 'PUT',
    headers: {'content-type': 'application/vnd.schemaregistry.v1+json'},
    body: JSON.stringify({compatibility: 'BACKWARD'}),
  })
  if (configured !== 200) throw startFailure(`refused the default compatibility BACKWARD (HTTP ${configured})`, logFile)
  return {...info(stateDir, {port, pid: pid ?? null}), alreadyRunning: false}
}

function startFailure(why: string, logFile: string): KafkitError {
  return new KafkitError('failure', `the Schema Registry ${why}. Last lines of ${logFile}:\n${tailLines(logFile, 15) || '(empty)'}`, {hint: `full log: ${logFile}`})
}

/** The registry of a state folder, if one was ever started there. */
export async function localRegistryStatus(stateDir: string): Promise<LocalRegistryStatus | undefined> {
  const saved = await readRegistryState(stateDir)
  if (!saved) return undefined
  const pid = registryPids(stateDir)[0] ?? null
  const alive = pid !== null && isProcessAlive(pid)
  const answering = alive && (await httpStatus(`${serverRoot(saved.port)}/health/ready`)) === 200
  return {...info(stateDir, {...saved, pid}), alive, answering}
}

/** Stops the registry of a state folder (SIGTERM: it ends in well under a second); the pids stopped. */
export async function stopLocalRegistry(stateDir: string, timeoutMs: number): Promise<number[]> {
  const pids = registryPids(stateDir)
  if (pids.length === 0) return []
  await terminateProcesses(pids, timeoutMs)
  const saved = await readRegistryState(stateDir)
  if (saved) await writeRegistryState(stateDir, {...saved, pid: null})
  return pids
}
