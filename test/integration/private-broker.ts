import {join} from 'node:path'

import {afterAll, beforeAll, inject} from 'vitest'

import {findFreePortRange, killLocalKafkaSync, startLocalKafka, stopLocalKafka, waitUntilGone} from '../../src/lib/local/index.js'
import {uniqueName} from './cli.js'

// A single-node broker of one test file's own, for tests that kill it or need it new: started
// before the file's tests, stopped after them (killed if it does not stop), under the run's
// state root so that nothing outlives the run.

export interface PrivateBroker {
  readonly stateDir: string
  /** host:port, once beforeAll has run. */
  readonly bootstrap: string
}

export function privateBroker(name: string): PrivateBroker {
  const stateDir = join(inject('stateRoot'), uniqueName(name))
  let bootstrap = ''
  beforeAll(async () => {
    bootstrap = (await startLocalKafka({stateDir, port: await findFreePortRange(2)})).bootstrapServers
  }, 120_000)
  afterAll(async () => {
    await stopLocalKafka(stateDir, {timeoutMs: 15_000}).catch(() => waitUntilGone(killLocalKafkaSync(stateDir), 10_000))
  }, 60_000)
  return {
    stateDir,
    get bootstrap() {
      return bootstrap
    },
  }
}
