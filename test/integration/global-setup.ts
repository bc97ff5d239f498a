import {rmSync} from 'node:fs'
import {mkdir, mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import type {TestProject} from 'vitest/node'

import {assertBundleFresh} from './bundle-freshness.js'
import {
  findFreePortRange,
  killLocalKafkaSync,
  localKafkaStatus,
  type LocalKafkaStartResult,
  type LocalSecurityInfo,
  resolveKafkaLibs,
  SECURITY_MODES,
  type SecurityMode,
  startLocalKafka,
  stopLocalKafka,
  waitUntilGone,
  writeSecureProfile,
} from '../../src/lib/local/index.js'

// Starts the real brokers the integration tests run against: a single node, a secured single
// node (`local start --security`, with a second user alice) and, unless KAFKIT_TEST_NO_CLUSTER=1,
// a 3-node cluster, all at once on free ports. Every broker of the
// run, also those a test file starts itself, lives under one state root: the teardown stops them
// all, and exit and signal handlers SIGKILL them if vitest ends before the teardown runs.

declare module 'vitest' {
  export interface ProvidedContext {
    /** The single-node broker, e.g. 127.0.0.1:41234. */
    bootstrap: string
    /** The 3-node cluster (three addresses), or '' under KAFKIT_TEST_NO_CLUSTER=1. */
    clusterBootstrap: string
    /** The cluster's state folder, for stopLocalNode/startLocalNode; '' without a cluster. */
    clusterStateDir: string
    /** Where a test that starts its own brokers puts their state folders, so none outlives the run. */
    stateRoot: string
    /** The secured node (test/integration/secure-broker.ts reads it). */
    secure: SecureBrokerContext
  }
}

export interface SecureBrokerContext {
  stateDir: string
  /** Listeners, users' files, CA, client.properties per mode. */
  security: LocalSecurityInfo
  /** A kafkit config file with one profile per mode, named secure-<mode>. */
  configFile: string
  /** How long the secured node took to start, or 0 when it was already running. */
  startMs: number
}

/** The user the secured test node has besides admin: a principal with no ACLs of its own. */
export const SECURE_TEST_USER = 'alice'


const say = (text: string) => process.stderr.write(`kafkit tests: ${text}\n`)

/** SIGKILLs the brokers when the process ends without the teardown (crash, Ctrl-C, kill). */
function installLastResort(root: string, temporary: boolean): () => void {
  const killAll = () => {
    killLocalKafkaSync(root)
    if (temporary) {
      try {
        rmSync(root, {recursive: true, force: true, maxRetries: 3})
      } catch {
        // A JVM still dying may hold a file for a moment; a temp folder left behind is harmless.
      }
    }
  }
  const onSignal = (signal: NodeJS.Signals) => {
    killAll()
    // If nobody else handles the signal, restore its default effect (ending the process).
    if (process.listenerCount(signal) === 1) {
      process.removeListener(signal, onSignal)
      process.kill(process.pid, signal)
    }
  }
  process.on('exit', killAll)
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return () => {
    process.removeListener('exit', killAll)
    process.removeListener('SIGINT', onSignal)
    process.removeListener('SIGTERM', onSignal)
  }
}

/**
 * The folder for the brokers' state: inside $KAFKIT_TEST_STATE_ROOT when set (scripts/test.sh makes
 * a fresh one, kills whatever runs under it and removes it), else a temp folder removed at the end.
 */
async function stateRoot(): Promise<{root: string; temporary: boolean}> {
  const given = process.env.KAFKIT_TEST_STATE_ROOT
  if (!given) return {root: await mkdtemp(join(tmpdir(), 'kafkit-test-')), temporary: true}
  await mkdir(resolve(given), {recursive: true})
  return {root: await mkdtemp(join(resolve(given), 'brokers-')), temporary: false}
}

/** Writes the test config file: a profile per listener of the secured node, secure-<mode>. */
function secureContext(stateDir: string, security: LocalSecurityInfo, root: string, startMs: number): SecureBrokerContext {
  const configFile = join(root, 'secure-profiles.yaml')
  for (const mode of SECURITY_MODES) writeSecureProfile(security, mode as SecurityMode, `secure-${mode}`, configFile)
  return {stateDir, security, configFile, startMs}
}

/**
 * The secured node: the one at $KAFKIT_TEST_SECURE_STATE_DIR when set (a running
 * `kafkit local start --security sasl --user alice --state-dir DIR`), else a new one under `root`.
 */
async function secureBroker(root: string, avoidPorts: readonly number[] = []): Promise<SecureBrokerContext> {
  const running = process.env.KAFKIT_TEST_SECURE_STATE_DIR
  if (running) {
    const status = await localKafkaStatus(running)
    if (!status.running || !status.security) throw new Error(`KAFKIT_TEST_SECURE_STATE_DIR=${running} holds no running secured Kafka`)
    return secureContext(status.stateDir, status.security, root, 0)
  }
  const began = Date.now()
  const stateDir = join(root, 'secure')
  const started = await startLocalKafka({stateDir, port: await findFreePortRange(5, {avoid: avoidPorts}), security: 'sasl', users: [SECURE_TEST_USER]})
  return secureContext(started.stateDir, started.security!, root, Date.now() - began)
}

const describeSecure = (secure: SecureBrokerContext) =>
  `secured node at ${Object.values(secure.security.listeners).join(',')}${secure.startMs > 0 ? ` (started in ${(secure.startMs / 1000).toFixed(1)} s)` : ''}`

/**
 * KAFKIT_TEST_BOOTSTRAP=host:port runs the tests against brokers that are already up (a developer's
 * `kafkit local start`, or one shared by several checkouts): nothing is started or stopped. With it,
 * KAFKIT_TEST_CLUSTER_BOOTSTRAP and KAFKIT_TEST_CLUSTER_STATE_DIR name a running 3-node cluster.
 */
async function useRunningBrokers(project: TestProject, bootstrap: string): Promise<() => Promise<void>> {
  const root = await mkdtemp(join(tmpdir(), 'kafkit-test-'))
  project.provide('bootstrap', bootstrap)
  project.provide('clusterBootstrap', process.env.KAFKIT_TEST_CLUSTER_BOOTSTRAP ?? '')
  project.provide('clusterStateDir', process.env.KAFKIT_TEST_CLUSTER_STATE_DIR ?? '')
  project.provide('stateRoot', root)
  const secure = await secureBroker(root).catch(async (error: unknown) => {
    await waitUntilGone(killLocalKafkaSync(root), 10_000)
    throw error
  })
  project.provide('secure', secure)
  say(`using running brokers at ${bootstrap}${process.env.KAFKIT_TEST_CLUSTER_BOOTSTRAP ? ` and ${process.env.KAFKIT_TEST_CLUSTER_BOOTSTRAP}` : ''}, ${describeSecure(secure)}`)
  return async () => {
    if (!process.env.KAFKIT_TEST_SECURE_STATE_DIR) await stopLocalKafka(secure.stateDir, {timeoutMs: 15_000}).catch(() => {})
    await waitUntilGone(killLocalKafkaSync(root), 10_000)
    await rm(root, {recursive: true, force: true})
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  assertBundleFresh()
  const running = process.env.KAFKIT_TEST_BOOTSTRAP
  if (running) return useRunningBrokers(project, running)
  const began = Date.now()
  const {root, temporary} = await stateRoot()
  const withCluster = process.env.KAFKIT_TEST_NO_CLUSTER !== '1'
  const singleDir = join(root, 'single')
  const clusterDir = join(root, 'cluster')
  const secureDir = join(root, 'secure')
  const stateDirs = withCluster ? [singleDir, clusterDir, secureDir] : [singleDir, secureDir]
  const removeLastResort = installLastResort(root, temporary)

  const teardown = async () => {
    try {
      await Promise.allSettled(stateDirs.map((stateDir) => stopLocalKafka(stateDir, {timeoutMs: 15_000})))
      // What is left (a failed stop above, a test's own broker after a failed test) is killed.
      await waitUntilGone(killLocalKafkaSync(root), 10_000)
    } finally {
      removeLastResort()
      if (temporary) await rm(root, {recursive: true, force: true})
    }
  }

  const fail = async (errors: readonly unknown[]): Promise<never> => {
    // The messages of failed starts carry the tail of the broker log.
    for (const error of errors as Array<Error & {hint?: string}>) {
      say(`a test broker did not start: ${error.message}${error.hint ? `\n${error.hint}` : ''}`)
    }
    await teardown()
    throw new Error('the test brokers did not start (see above)')
  }

  // Once, before the parallel starts: on a fresh machine this downloads the jars with Maven.
  await resolveKafkaLibs({onProgress: say}).catch((error: unknown) => fail([error]))

  // The cluster takes brokers and controllers on 6 consecutive ports, the single node on 2.
  const clusterPort = withCluster ? await findFreePortRange(6) : undefined
  const clusterPorts = clusterPort === undefined ? [] : Array.from({length: 6}, (_, index) => clusterPort + index)
  const singlePort = await findFreePortRange(2, {avoid: clusterPorts})

  // The secured node (its own free ports) starts alongside the others.
  const secureStart = secureBroker(root, [...clusterPorts, singlePort, singlePort + 1])
  const starts: Array<Promise<LocalKafkaStartResult>> = [startLocalKafka({nodes: 1, port: singlePort, stateDir: singleDir})]
  if (clusterPort !== undefined) starts.push(startLocalKafka({nodes: 3, port: clusterPort, stateDir: clusterDir}))
  const [secure, single, cluster] = await Promise.allSettled([secureStart, ...starts])
  const failures = [secure, single, cluster].filter((result): result is PromiseRejectedResult => result?.status === 'rejected')
  if (failures.length > 0) await fail(failures.map((failure) => failure.reason))

  const singleInfo = (single as PromiseFulfilledResult<LocalKafkaStartResult>).value
  const clusterInfo = cluster?.status === 'fulfilled' ? cluster.value : undefined
  project.provide('bootstrap', singleInfo.bootstrapServers)
  project.provide('clusterBootstrap', clusterInfo?.bootstrapServers ?? '')
  project.provide('clusterStateDir', clusterInfo?.stateDir ?? '')
  project.provide('stateRoot', root)
  const secureInfo = (secure as PromiseFulfilledResult<SecureBrokerContext>).value
  project.provide('secure', secureInfo)
  say(
    `Kafka ${singleInfo.kafkaVersion} at ${singleInfo.bootstrapServers}` +
      (clusterInfo ? `, 3-node cluster at ${clusterInfo.bootstrapServers}` : ' (no cluster: KAFKIT_TEST_NO_CLUSTER=1)') +
      `, ${describeSecure(secureInfo)}` +
      ` (ready in ${((Date.now() - began) / 1000).toFixed(1)} s, state in ${root})`,
  )
  return teardown
}
