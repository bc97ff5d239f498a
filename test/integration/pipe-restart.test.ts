import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {killLocalKafkaSync, startLocalKafka, waitUntilGone} from '../../src/lib/local/index.js'
import {createTopics} from './admin-client.js'
import {uniqueName} from './cli.js'
import {expectExactlyOnce, ids, killAllPipes, Observer, produceLines, readCommittedValues, startKafkit, waitFor} from './pipe-fixtures.js'
import {privateBroker} from './private-broker.js'

// The broker dies (kill -9) under a running `kafkit pipe` and comes back: the pipe rides it out
// (it may abort transactions and read again) and a read_committed reader of the destination
// sees each source record once. A broker of this file's own, not the shared one.

const broker = privateBroker('pipe-restart')
let observer: Observer
beforeAll(async () => {
  observer = await Observer.connect(broker.bootstrap)
})
afterAll(async () => {
  killAllPipes()
  await observer?.close()
})

describe('pipe: broker restart mid-run', () => {
  it('rides out a kill -9 of the broker and its restart: exactly once', async () => {
    const src = uniqueName('pipe-restart-src')
    const dst = uniqueName('pipe-restart-dst')
    const group = uniqueName('pipe-restart-g')
    await createTopics(broker.bootstrap, [src, dst], 3)
    const before = ids('r', 0, 150_000)
    const after = ids('r', 150_000, 50_000)
    await produceLines(broker.bootstrap, src, before)
    // A pause every 1000 records (about 7 s in all) keeps the pipe busy when the broker dies.
    const slowly = ['--filter', 'r.offset % 1000 !== 0 || (() => { const until = Date.now() + 50; while (Date.now() < until); return true })()']
    const pipe = startKafkit(['pipe', src, dst, '-g', group, '-b', broker.bootstrap, ...slowly])
    await waitFor('the first committed transaction', async () => (await observer.someCommitted(dst, 3)) || pipe.child.exitCode !== null, 90_000, 50)
    expect(await observer.committedTotal(group, src, 3)).toBeLessThan(before.length)
    const killed = killLocalKafkaSync(broker.stateDir)
    expect(killed.length).toBe(1)
    await waitUntilGone(killed, 10_000)
    await startLocalKafka({stateDir: broker.stateDir})
    // The pipe was still running through it, and goes on with new records too.
    expect(pipe.child.exitCode, pipe.stderr()).toBeNull()
    await produceLines(broker.bootstrap, src, after)
    await waitFor('the pipe to commit every record', async () => (await observer.committedTotal(group, src, 3)) === before.length + after.length, 120_000, 500).catch(async (error: Error) => {
      throw new Error(`${error.message}; committed ${await observer.committedTotal(group, src, 3)}; the pipe's stderr:\n${pipe.stderr().slice(-3000)}`)
    })
    pipe.child.kill('SIGTERM')
    expect((await pipe.exited).code, pipe.stderr()).toBe(143)
    console.log(`pipe broker restart:\n${pipe.stderr()}`)
    await observer.settled(dst, 3)
    expectExactlyOnce(await readCommittedValues(broker.bootstrap, dst), [...before, ...after])
  }, 240_000)
})
