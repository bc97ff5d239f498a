import {connect} from 'node:net'

// Which brokers of the metadata accept a connection right now. After a broker dies, the cluster's
// metadata keeps naming it (as a leader, a replica, even as the controller) until the controller
// fences it, and a request sent to it waits out the whole timeout. Admin commands ask here first
// so that they skip such a broker and say so, instead of failing as a whole.

export interface BrokerAddress {
  id: number
  host: string
  port: number
}

export interface UnreachableBroker extends BrokerAddress {
  /** Why: e.g. "connection refused", or "no answer within 5s". */
  reason: string
}

/** "leader broker 3 (127.0.0.1:9094) is unreachable: connection refused" */
export const unreachableText = (broker: UnreachableBroker, role = 'broker') =>
  `${role} ${broker.id} (${broker.host}:${broker.port}) is unreachable: ${broker.reason}`

function probe(broker: BrokerAddress, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({host: broker.host, port: broker.port})
    const finish = (reason: string | undefined) => {
      socket.destroy()
      resolve(reason)
    }
    socket.setTimeout(timeoutMs, () => finish(`no answer within ${timeoutMs} ms`))
    socket.once('connect', () => finish(undefined))
    socket.once('error', (error: NodeJS.ErrnoException) => finish(error.code === 'ECONNREFUSED' ? 'connection refused' : error.message))
  })
}

/** Remembers each broker's answer for the life of one command (one session). */
export class BrokerReach {
  private readonly answers = new Map<number, Promise<string | undefined>>()

  constructor(private readonly timeoutMs: number) {}

  /** The given brokers that do not accept a TCP connection, by id. */
  async unreachable(brokers: Iterable<BrokerAddress>): Promise<Map<number, UnreachableBroker>> {
    const unique = new Map<number, BrokerAddress>()
    for (const b of brokers) unique.set(b.id, b)
    const checked = await Promise.all(
      [...unique.values()].map(async (b) => {
        let answer = this.answers.get(b.id)
        if (!answer) {
          answer = probe(b, this.timeoutMs)
          this.answers.set(b.id, answer)
        }
        const reason = await answer
        return reason === undefined ? undefined : {id: b.id, host: b.host, port: b.port, reason}
      }),
    )
    return new Map(checked.filter((u): u is UnreachableBroker => u !== undefined).map((u) => [u.id, u]))
  }

  /** A broker of the given ones that answers (for requests any broker can serve), or undefined. */
  async reachableId(brokers: BrokerAddress[]): Promise<number | undefined> {
    const down = await this.unreachable(brokers)
    return brokers.map((b) => b.id).find((id) => !down.has(id))
  }
}
