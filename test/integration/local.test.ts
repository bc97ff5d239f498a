import {chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:net'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'

import {
  findFreePortRange,
  isProcessAlive,
  kafkaAnswers,
  localKafkaStatus,
  type LocalKafkaStatus,
  startLocalNode,
  stopLocalKafka,
  stopLocalNode,
} from '../../src/lib/local/index.js'
import {runKafkit} from './cli.js'

// `kafkit local start|status|stop` through the built CLI, each test on its own ports and state
// folder (not the brokers of the global setup), and the environment checks that come first.

const START_TIMEOUT_MS = 150_000

/** Under the run's state root, so that the global teardown kills what a failed test leaves running. */
function newStateDir(): string {
  return mkdtempSync(join(inject('stateRoot'), 'local-test-'))
}

/** Pids of live processes whose command line mentions `text` (this test process excluded). */
function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid)
    .filter((name) => {
      try {
        return readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(text)
      } catch {
        return false
      }
    })
    .map(Number)
}

/** The java binary this machine runs (the real file, for a PATH that holds only chosen programs). */
function realJava(): string {
  const onPath = (process.env.PATH ?? '').split(':').map((dir) => join(dir, 'java')).find((file) => existsSync(file))
  if (!onPath) throw new Error('java is not on PATH')
  return realpathSync(onPath)
}

async function statusJson(stateDir: string): Promise<LocalKafkaStatus> {
  const result = await runKafkit(['local', 'status', '--state-dir', stateDir, '--json'])
  expect(result.exitCode, result.stderr).toBe(0)
  return JSON.parse(result.stdout) as LocalKafkaStatus
}

describe('kafkit local with one node', () => {
  let stateDir: string
  let port: number
  let firstPid: number | null = null

  beforeAll(async () => {
    stateDir = newStateDir()
    port = await findFreePortRange(2)
  })

  afterAll(async () => {
    // Only matters when a test failed half-way: nothing of this folder may outlive the tests.
    await stopLocalKafka(stateDir, {timeoutMs: 10_000})
    rmSync(stateDir, {recursive: true, force: true})
  })

  it('start prints just the bootstrap address when piped, and the broker answers', async () => {
    const result = await runKafkit(['local', 'start', '--port', String(port), '--state-dir', stateDir], {timeoutMs: START_TIMEOUT_MS})
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stdout).toBe(`127.0.0.1:${port}\n`)
    expect(existsSync(join(stateDir, 'state.json'))).toBe(true)
    expect(await kafkaAnswers('127.0.0.1', port)).toBe(true)
  }, START_TIMEOUT_MS)

  it('status exits 0 and reports the node running', async () => {
    const status = await statusJson(stateDir)
    expect(status.running).toBe(true)
    expect(status.bootstrapServers).toBe(`127.0.0.1:${port}`)
    expect(status.nodes).toHaveLength(1)
    expect(status.nodes[0]).toMatchObject({nodeId: 1, port, controllerPort: port + 1, alive: true, answering: true})
    firstPid = status.nodes[0]!.pid
    expect(firstPid).toBeGreaterThan(0)

    const piped = await runKafkit(['local', 'status', '--state-dir', stateDir])
    expect(piped.exitCode, piped.stderr).toBe(0)
    expect(piped.stdout).toBe(`127.0.0.1:${port}\n`)
  })

  it('a second start says it is already running, prints the address and starts nothing', async () => {
    const result = await runKafkit(['local', 'start', '--state-dir', stateDir])
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stderr).toMatch(/already running/)
    expect(result.stdout).toBe(`127.0.0.1:${port}\n`)
    expect((await statusJson(stateDir)).nodes[0]!.pid).toBe(firstPid)
  })

  it('start with another port on the same state folder is refused', async () => {
    const result = await runKafkit(['local', 'start', '--port', String(port + 10), '--state-dir', stateDir])
    expect(result.exitCode).toBe(7)
    expect(result.stderr).toMatch(/holds a 1-node cluster on port/)
  })

  it('stop stops it and no process of the state folder is left', async () => {
    const result = await runKafkit(['local', 'stop', '--state-dir', stateDir])
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stderr).toMatch(/stopped 1 Kafka node/)
    expect(isProcessAlive(firstPid!)).toBe(false)
    expect(processesMentioning(stateDir)).toEqual([])
  })

  it('status exits 5 once it is stopped', async () => {
    const result = await runKafkit(['local', 'status', '--state-dir', stateDir])
    expect(result.exitCode).toBe(5)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(/no local Kafka is running/)
  })
})

describe('kafkit local start refuses what cannot work, before starting anything', () => {
  let blocker: Server
  let busyPort: number
  let scratch: string

  beforeAll(async () => {
    scratch = newStateDir()
    busyPort = await findFreePortRange(2)
    blocker = createServer()
    // Blocks the controller port (the one after the broker port), the less obvious of the two.
    await new Promise<void>((resolve) => blocker.listen(busyPort + 1, '127.0.0.1', resolve))
  })

  afterAll(() => {
    blocker.close()
    rmSync(scratch, {recursive: true, force: true})
  })

  it('a port in use: exit 7 naming the port', async () => {
    const stateDir = join(scratch, 'port-in-use')
    const result = await runKafkit(['local', 'start', '--port', String(busyPort), '--state-dir', stateDir])
    expect(result.exitCode).toBe(7)
    expect(result.stderr).toMatch(new RegExp(`port ${busyPort + 1} on 127\\.0\\.0\\.1 is in use`))
    expect(existsSync(join(stateDir, 'state.json'))).toBe(false)
    expect(processesMentioning(stateDir)).toEqual([])
  })

  it('no java on PATH: exit 9 saying what to install', async () => {
    // A PATH that holds node and nothing else.
    const bin = join(scratch, 'bin-without-java')
    mkdirSync(bin)
    symlinkSync(process.execPath, join(bin, 'node'))
    const stateDir = join(scratch, 'no-java')
    const result = await runKafkit(['local', 'start', '--state-dir', stateDir], {env: {PATH: bin, JAVA_HOME: undefined}})
    expect(result.exitCode).toBe(9)
    expect(result.stderr).toMatch(/Java 17 or newer is needed to run Kafka/)
    expect(result.stderr).toMatch(/apt-get install openjdk-17-jre-headless/)
    expect(existsSync(stateDir)).toBe(false)
  })

  it('jars not downloaded yet and no mvn on PATH: exit 9 saying what to install', async () => {
    // java and node only, and an empty cache: the jars would have to come from Maven.
    const bin = join(scratch, 'bin-without-maven')
    mkdirSync(bin)
    symlinkSync(process.execPath, join(bin, 'node'))
    symlinkSync(realJava(), join(bin, 'java'))
    const stateDir = join(scratch, 'no-maven')
    const result = await runKafkit(['local', 'start', '--port', String(busyPort + 10), '--state-dir', stateDir], {
      env: {PATH: bin, JAVA_HOME: undefined, KAFKA_HOME: undefined, XDG_CACHE_HOME: join(scratch, 'empty-cache')},
    })
    expect(result.exitCode).toBe(9)
    expect(result.stderr).toMatch(/Maven is needed to download Apache Kafka/)
    expect(result.stderr).toMatch(/apt-get install maven/)
    expect(existsSync(join(stateDir, 'state.json'))).toBe(false)
  })

  it('Java 11 first on PATH: exit 9 naming the version found', async () => {
    const bin = join(scratch, 'bin-with-java-11')
    mkdirSync(bin)
    // What Java 11's `java -version` prints, on stderr.
    writeFileSync(join(bin, 'java'), `#!/bin/sh\necho 'openjdk version "11.0.22" 2024-01-16' >&2\n`)
    chmodSync(join(bin, 'java'), 0o755)
    const result = await runKafkit(['local', 'start', '--state-dir', join(scratch, 'old-java')], {
      env: {PATH: `${bin}:${process.env.PATH ?? ''}`, JAVA_HOME: undefined},
    })
    expect(result.exitCode).toBe(9)
    expect(result.stderr).toMatch(/needs Java 17 or newer, but java is Java 11/)
  })
})

describe.skipIf(process.env.KAFKIT_TEST_NO_CLUSTER === '1')('kafkit local with three nodes', () => {
  let stateDir: string
  let port: number

  beforeAll(async () => {
    stateDir = newStateDir()
    port = await findFreePortRange(6)
  })

  afterAll(async () => {
    await stopLocalKafka(stateDir, {timeoutMs: 10_000})
    rmSync(stateDir, {recursive: true, force: true})
  })

  const addresses = () => [0, 1, 2].map((index) => `127.0.0.1:${port + index}`).join(',')

  it('start --nodes 3 prints the three broker addresses', async () => {
    const result = await runKafkit(['local', 'start', '--nodes', '3', '--port', String(port), '--state-dir', stateDir], {timeoutMs: START_TIMEOUT_MS})
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stdout).toBe(`${addresses()}\n`)
    const status = await localKafkaStatus(stateDir)
    expect(status.nodes.map((node) => [node.nodeId, node.port, node.controllerPort, node.answering])).toEqual([
      [1, port, port + 3, true],
      [2, port + 1, port + 4, true],
      [3, port + 2, port + 5, true],
    ])
  }, START_TIMEOUT_MS)

  it('one node can be stopped while the others keep running, and started again', async () => {
    const stopped = await stopLocalNode(stateDir, 2)
    expect(stopped).toMatchObject({nodeId: 2, forced: false})
    expect(isProcessAlive(stopped!.pid)).toBe(false)
    let status = await localKafkaStatus(stateDir)
    expect(status.running).toBe(true)
    expect(status.nodes.map((node) => node.answering)).toEqual([true, false, true])

    const restarted = await startLocalNode(stateDir, 2)
    expect(restarted.pid).not.toBe(stopped!.pid)
    status = await localKafkaStatus(stateDir)
    expect(status.nodes.map((node) => node.answering)).toEqual([true, true, true])
  }, START_TIMEOUT_MS)

  it('stop ends all three JVMs', async () => {
    const result = await runKafkit(['local', 'stop', '--state-dir', stateDir], {timeoutMs: 60_000})
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stderr).toMatch(/stopped 3 Kafka nodes/)
    expect(processesMentioning(stateDir)).toEqual([])
  }, 60_000)
})
