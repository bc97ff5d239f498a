import {describe, expect, inject, it} from 'vitest'

import {runApache} from './apache.js'
import {runKafkit, stripAnsi} from './cli.js'

const bootstrap = inject('bootstrap')
const clusterBootstrap = inject('clusterBootstrap')

interface ClusterJson {
  clusterId: string
  controllerId: number | null
  brokers: Array<{id: number; host: string; port: number; rack: string | null; isController: boolean}>
}

/** What Apache's tools say about the cluster: its id, and each broker's id, host, port and rack. */
async function apacheView(servers: string) {
  const id = await runApache('org.apache.kafka.tools.ClusterTool', ['cluster-id', '--bootstrap-server', servers])
  const clusterId = /Cluster ID: (\S+)/.exec(id.stdout)?.[1]
  const versions = await runApache('org.apache.kafka.tools.BrokerApiVersionsCommand', ['--bootstrap-server', servers])
  // "127.0.0.1:39092 (id: 1 rack: null isFenced: false) -> ("
  const brokers = [...versions.stdout.matchAll(/^(\S+):(\d+) \(id: (\d+) rack: (\S+)/gm)]
    .map(([, host, port, id, rack]) => ({id: Number(id), host: host!, port: Number(port), rack: rack === 'null' ? null : rack!}))
    .sort((a, b) => a.id - b.id)
  return {clusterId, brokers}
}

describe('cluster describe', () => {
  it('agrees with Apache ClusterTool and BrokerApiVersionsCommand (single node)', async () => {
    const result = await runKafkit(['cluster', 'describe', '-b', bootstrap, '--json'])
    expect(result.exitCode, result.stderr).toBe(0)
    const ours = JSON.parse(result.stdout) as ClusterJson
    const apache = await apacheView(bootstrap)
    expect(apache.clusterId).toBeTruthy()
    expect(ours.clusterId).toBe(apache.clusterId)
    expect(ours.brokers.map(({id, host, port, rack}) => ({id, host, port, rack}))).toEqual(apache.brokers)
    expect(ours.controllerId).toBe(ours.brokers[0]!.id)
    expect(ours.brokers[0]!.isController).toBe(true)
  })

  it.runIf(clusterBootstrap)('agrees with Apache on the 3-node cluster', async () => {
    const result = await runKafkit(['cluster', 'describe', '-b', clusterBootstrap, '--json'])
    expect(result.exitCode, result.stderr).toBe(0)
    const ours = JSON.parse(result.stdout) as ClusterJson
    const apache = await apacheView(clusterBootstrap)
    expect(ours.clusterId).toBe(apache.clusterId)
    expect(ours.brokers.map(({id, host, port, rack}) => ({id, host, port, rack}))).toEqual(apache.brokers)
    expect(ours.brokers).toHaveLength(3)
    // In KRaft a broker answers DescribeCluster with some live broker as "controller" (KIP-590).
    expect(ours.brokers.map((b) => b.id)).toContain(ours.controllerId)
    expect(ours.brokers.filter((b) => b.isController).map((b) => b.id)).toEqual([ours.controllerId])
  })

  it('piped: one record per line, its kind first', async () => {
    const json = JSON.parse((await runKafkit(['cluster', 'describe', '-b', bootstrap, '--json'])).stdout) as ClusterJson
    const result = await runKafkit(['cluster', 'describe', '-b', bootstrap])
    const b = json.brokers[0]!
    expect(result.stdout).toBe(`cluster-id\t${json.clusterId}\ncontroller\t${json.controllerId}\nbroker\t${b.id}\t${b.host}\t${b.port}\t\n`)
  })

  it('on a terminal: a summary and a broker table', async () => {
    const result = await runKafkit(['cluster', 'describe', '-b', bootstrap], {tty: true})
    expect(result.exitCode).toBe(0)
    const text = stripAnsi(result.stdout)
    expect(text).toMatch(/Cluster ID\s+\S+/)
    expect(text).toMatch(/^ID\s+HOST\s+PORT\s+RACK\s+CONTROLLER$/m)
    expect(text).toMatch(/^\s*\d+\s+127\.0\.0\.1\s+\d+\s+yes$/m)
  })
})
