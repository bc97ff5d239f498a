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

/** A port the OS picks as free right now (bind port 0). */
function ephemeralPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen({port: 0, host, exclusive: true}, () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/**
 * The first of `count` consecutive ports that are all free now, avoiding the ports in `avoid`.
 * Another program may still take one before the broker binds it; that shows as a clear start error.
 */
export async function findFreePortRange(count: number, options: {avoid?: readonly number[]; host?: string} = {}): Promise<number> {
  const host = options.host ?? LOCAL_HOST
  const avoid = new Set(options.avoid ?? [])
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await ephemeralPort(host)
    const range = Array.from({length: count}, (_, index) => first + index)
    if (range.at(-1)! > 65_535 || range.some((port) => avoid.has(port))) continue
    if ((await busyPorts(range, host)).length === 0) return first
  }
  throw new KafkitError('failure', `found no ${count} consecutive free ports on ${host}`)
}
