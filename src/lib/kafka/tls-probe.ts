import {isIP} from 'node:net'
import {connect} from 'node:tls'

// One TLS handshake with Node's own TLS, to explain a failure librdkafka words vaguely: whether a
// listener speaks TLS at all, and whether a certificate failed on its CA or on the host name
// (librdkafka says "certificate verify failed" for both). Only run after a connection failed.

export type TlsProbeResult =
  /** The handshake completed (and, when verifying, the certificate passed). */
  | {kind: 'tls'}
  /** TLS works, but the broker's certificate failed verification: Node's code and message. */
  | {kind: 'verify-failed'; code: string; message: string}
  /** The listener answered, but not with TLS. */
  | {kind: 'not-tls'}
  /** No answer, or the connection was refused. */
  | {kind: 'unknown'}

export interface TlsProbeOptions {
  /** PEM CA certificates to verify against; undefined: Node's built-in CAs. */
  ca?: string
  /** false: only find out whether the listener speaks TLS. */
  verify: boolean
  timeoutMs: number
}

const NOT_TLS_CODES = new Set(['ECONNRESET', 'EPIPE', 'ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG'])

export function probeTls(host: string, port: number, options: TlsProbeOptions): Promise<TlsProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({
      host,
      port,
      // An IP address is not a valid SNI name; Node checks it against the IP entries of the SAN.
      ...(isIP(host) ? {} : {servername: host}),
      ca: options.ca,
      rejectUnauthorized: options.verify,
    })
    let done = false
    const finish = (result: TlsProbeResult) => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      resolve(result)
    }
    const timer = setTimeout(() => finish({kind: 'unknown'}), options.timeoutMs)
    socket.once('secureConnect', () => finish({kind: 'tls'}))
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? ''
      if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH') finish({kind: 'unknown'})
      else if (NOT_TLS_CODES.has(code) || /before secure TLS connection|wrong version number/i.test(error.message)) finish({kind: 'not-tls'})
      else if (/CERT|SIGNATURE|ISSUER|ALTNAME|SELF_SIGNED/.test(code)) finish({kind: 'verify-failed', code, message: error.message})
      else finish({kind: 'unknown'})
    })
    socket.once('close', () => finish({kind: 'not-tls'}))
  })
}

/** host and port of the first bootstrap address ("PLAINTEXT://" prefixes dropped, IPv6 brackets too). */
export function firstAddress(bootstrapServers: string): {host: string; port: number} {
  const first = bootstrapServers.split(',')[0]!.trim().replace(/^[A-Za-z_]+:\/\//, '')
  const colon = first.lastIndexOf(':')
  return {host: first.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port: Number(first.slice(colon + 1))}
}
