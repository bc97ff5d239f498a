import {createServer} from 'node:net'

import {KafkitError} from '../errors.js'
import {LOCAL_HOST} from './paths.js'

/** True when nothing listens on host:port (checked by binding it for a moment, as the broker will). */
function isPortFree(port: number, host = LOCAL_HOST): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen({port, host, exclusive: true}, () => server.close(() => resolve(true)))
  })
}

export async function busyPorts(ports: readonly number[], host = LOCAL_HOST): Promise<number[]> {
  const free = await Promise.all(ports.map((port) => isPortFree(port, host)))
  return ports.filter((_, index) => !free[index])
}

/**
 * Where free ranges are looked for: below Linux's ephemeral range (32768-60999). A client that
 * reconnects to a dead broker's port inside that range can connect to itself (TCP simultaneous
 * open) and take it for a live broker.
 */
const RANGE_LOW = 20_000
const RANGE_HIGH = 32_000

/**
 * The first of `count` consecutive ports that are all free now, avoiding the ports in `avoid`.
 * Another program may still take one before the broker binds it; that shows as a clear start error.
 */
export async function findFreePortRange(count: number, options: {avoid?: readonly number[]; host?: string} = {}): Promise<number> {
  const host = options.host ?? LOCAL_HOST
  const avoid = new Set(options.avoid ?? [])
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = RANGE_LOW + Math.floor(Math.random() * (RANGE_HIGH - RANGE_LOW - count))
    const range = Array.from({length: count}, (_, index) => first + index)
    if (range.some((port) => avoid.has(port))) continue
    if ((await busyPorts(range, host)).length === 0) return first
  }
  throw new KafkitError('failure', `found no ${count} consecutive free ports on ${host}`)
}
