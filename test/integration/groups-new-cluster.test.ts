import {describe, expect, it} from 'vitest'

import {runKafkit, uniqueName} from './cli.js'
import {privateBroker} from './private-broker.js'

// The first group command on a new cluster, while __consumer_offsets does not exist yet: the
// group's coordinator is not available, and describing the group used to crash the process
// (SIGSEGV in the JS client's describeGroups, most runs). Needs a broker of its own, never used
// for groups before: the shared one has __consumer_offsets already.

const broker = privateBroker('groups-new-cluster')


describe('groups on a new cluster (no __consumer_offsets yet)', () => {
  it('the first reset-offsets dry run plans instead of crashing', async () => {
    const topic = uniqueName('gnc')
    const created = await runKafkit(['topics', 'create', topic, '-p', '3', '-b', broker.bootstrap])
    expect(created.exitCode, created.stderr).toBe(0)

    const result = await runKafkit(['groups', 'reset-offsets', uniqueName('gnc-group'), '--topic', topic, '--to-earliest', '-b', broker.bootstrap])
    expect(result.signal, result.stderr).toBeNull()
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stdout.split('\n').filter(Boolean)).toEqual([`${topic}\t0\t-\t0\t`, `${topic}\t1\t-\t0\t`, `${topic}\t2\t-\t0\t`])
  }, 60_000)
})
