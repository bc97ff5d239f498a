import {createHash, createHmac, pbkdf2Sync, randomBytes} from 'node:crypto'
import {connect as connectTcp, isIP, type Socket} from 'node:net'
import {connect as connectTls, type ConnectionOptions} from 'node:tls'

import {KafkitError} from '../errors.js'

// A minimal Kafka protocol connection to one broker, for the one request librdkafka cannot
// make (IncrementalAlterConfigs on the cluster-wide default broker entity, whose name is empty).
// It speaks what kafkit's connection settings can ask for: PLAINTEXT, SSL (CA, client
// certificate and key as PEM files, PEM strings or PKCS#12), SASL PLAIN, SCRAM-SHA-256/512 and
// unsecured OAUTHBEARER. Everything is bounded by one deadline. Never prints.

/** Reads a key or certificate file named by the settings (given by the caller: the core does no file I/O). */
export type ReadKeyFile = (path: string, what: string) => Buffer

export class WireWriter {
  private parts: Buffer[] = []
  int8(v: number): this {
    const b = Buffer.alloc(1)
    b.writeInt8(v)
    return this.push(b)
  }
  int16(v: number): this {
    const b = Buffer.alloc(2)
    b.writeInt16BE(v)
    return this.push(b)
  }
  int32(v: number): this {
    const b = Buffer.alloc(4)
    b.writeInt32BE(v)
    return this.push(b)
  }
  uvarint(v: number): this {
    const bytes: number[] = []
    let n = v >>> 0
    while (n >= 0x80) {
      bytes.push((n & 0x7f) | 0x80)
      n >>>= 7
    }
    bytes.push(n)
    return this.push(Buffer.from(bytes))
  }
  /** int16-length string; null as -1. */
  string(v: string | null): this {
    if (v === null) return this.int16(-1)
    const b = Buffer.from(v, 'utf8')
    return this.int16(b.length).push(b)
  }
  /** uvarint(length + 1) string of a flexible version; null as 0. */
  compactString(v: string | null): this {
    if (v === null) return this.uvarint(0)
    const b = Buffer.from(v, 'utf8')
    return this.uvarint(b.length + 1).push(b)
  }
  bytes(v: Buffer): this {
    return this.int32(v.length).push(v)
  }
  push(b: Buffer): this {
    this.parts.push(b)
    return this
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.parts)
  }
}

export class WireReader {
  private at = 0
  constructor(private readonly buf: Buffer) {}
  int8(): number {
    return this.take(1).readInt8()
  }
  int16(): number {
    return this.take(2).readInt16BE()
  }
  int32(): number {
    return this.take(4).readInt32BE()
  }
  int64(): bigint {
    return this.take(8).readBigInt64BE()
  }
  uvarint(): number {
    let value = 0
    let shift = 0
    for (;;) {
      const byte = this.take(1)[0]!
      value |= (byte & 0x7f) << shift
      if ((byte & 0x80) === 0) return value >>> 0
      shift += 7
    }
  }
  string(): string | null {
    const n = this.int16()
    return n < 0 ? null : this.take(n).toString('utf8')
  }
  compactString(): string | null {
    const n = this.uvarint()
    return n === 0 ? null : this.take(n - 1).toString('utf8')
  }
  bytes(): Buffer {
    const n = this.int32()
    return n < 0 ? Buffer.alloc(0) : this.take(n)
  }
  /** Skips a flexible version's tagged fields. */
  tags(): void {
    const count = this.uvarint()
    for (let i = 0; i < count; i++) {
      this.uvarint()
      this.take(this.uvarint())
    }
  }
  private take(n: number): Buffer {
    if (this.at + n > this.buf.length) throw new KafkitError('failure', 'the broker sent a truncated response')
    const out = this.buf.subarray(this.at, this.at + n)
    this.at += n
    return out
  }
}

const API_SASL_HANDSHAKE = 17
const API_SASL_AUTHENTICATE = 36

export interface WireTarget {
  host: string
  port: number
  /** librdkafka's configuration (security.protocol, sasl.*, ssl.*). */
  properties: Record<string, string>
  timeoutMs: number
  clientId: string
  readKeyFile: ReadKeyFile
}

/** One open connection: request() sends a request and returns its response body. */
export class WireConnection {
  private correlation = 0
  private buffered = Buffer.alloc(0)
  private waiting?: {resolve: (b: Buffer) => void; reject: (e: Error) => void}
  private failure?: Error

  private constructor(
    private readonly socket: Socket,
    private readonly target: WireTarget,
    private readonly deadline: number,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk])
      this.deliver()
    })
    const fail = (error: Error) => {
      this.failure ??= error
      this.waiting?.reject(this.failure)
      this.waiting = undefined
    }
    socket.on('error', (error) => fail(connectionError(target, error.message)))
    socket.on('close', () => fail(connectionError(target, 'the broker closed the connection')))
  }

  static async open(target: WireTarget): Promise<WireConnection> {
    const deadline = Date.now() + target.timeoutMs
    const protocol = (target.properties['security.protocol'] ?? 'plaintext').toUpperCase()
    const tls = protocol === 'SSL' || protocol === 'SASL_SSL'
    const socket = await withDeadline(deadline, target, new Promise<Socket>((resolve, reject) => {
      const s = tls ? connectTls(tlsOptions(target)) : connectTcp({host: target.host, port: target.port})
      s.once(tls ? 'secureConnect' : 'connect', () => resolve(s))
      s.once('error', (error) => reject(tls ? tlsError(target, error) : connectionError(target, error.message)))
    }))
    const connection = new WireConnection(socket, target, deadline)
    try {
      if (protocol.startsWith('SASL')) await connection.authenticate()
    } catch (error) {
      connection.close()
      throw error
    }
    return connection
  }

  /** Sends one request (header v1, or v2 for a flexible version) and returns the response body. */
  async request(apiKey: number, apiVersion: number, body: Buffer, flexible: boolean): Promise<WireReader> {
    if (this.failure) throw this.failure
    const correlationId = ++this.correlation
    const header = new WireWriter().int16(apiKey).int16(apiVersion).int32(correlationId).string(this.target.clientId)
    if (flexible) header.uvarint(0)
    const payload = Buffer.concat([header.toBuffer(), body])
    const frame = new WireWriter().int32(payload.length).push(payload).toBuffer()
    const response = new Promise<Buffer>((resolve, reject) => (this.waiting = {resolve, reject}))
    this.socket.write(frame)
    const reader = new WireReader(await withDeadline(this.deadline, this.target, response))
    if (reader.int32() !== correlationId) throw new KafkitError('failure', 'the broker answered another request')
    if (flexible) reader.tags()
    return reader
  }

  close(): void {
    this.socket.destroy()
  }

  private deliver(): void {
    if (this.buffered.length < 4 || !this.waiting) return
    const size = this.buffered.readInt32BE(0)
    if (this.buffered.length < 4 + size) return
    const frame = this.buffered.subarray(4, 4 + size)
    this.buffered = this.buffered.subarray(4 + size)
    const {resolve} = this.waiting
    this.waiting = undefined
    resolve(frame)
  }

  private async authenticate(): Promise<void> {
    const props = this.target.properties
    const mechanism = (props['sasl.mechanisms'] ?? props['sasl.mechanism'] ?? 'GSSAPI').toUpperCase()
    const handshake = await this.request(API_SASL_HANDSHAKE, 1, new WireWriter().string(mechanism).toBuffer(), false)
    const code = handshake.int16()
    if (code !== 0) throw new KafkitError('auth', `SASL: the broker does not enable ${mechanism}`, {kafkaCode: 'UNSUPPORTED_SASL_MECHANISM'})
    const user = props['sasl.username'] ?? ''
    const password = props['sasl.password'] ?? ''
    if (mechanism === 'PLAIN') {
      await this.saslStep(Buffer.from(`\u0000${user}\u0000${password}`, 'utf8'))
    } else if (mechanism === 'SCRAM-SHA-256' || mechanism === 'SCRAM-SHA-512') {
      await this.scram(mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512', user, password)
    } else if (mechanism === 'OAUTHBEARER') {
      await this.saslStep(Buffer.from(`n,,\u0001auth=Bearer ${unsecuredJwt(props)}\u0001\u0001`, 'utf8'))
    } else {
      throw new KafkitError('usage', `SASL mechanism ${mechanism} is not supported for cluster-wide config changes`, {hint: 'use PLAIN, SCRAM-SHA-256/512 or OAUTHBEARER, or change the configs per broker with --broker'})
    }
  }

  private async saslStep(bytes: Buffer): Promise<Buffer> {
    const reply = await this.request(API_SASL_AUTHENTICATE, 1, new WireWriter().bytes(bytes).toBuffer(), false)
    const code = reply.int16()
    const message = reply.string()
    const data = reply.bytes()
    if (code !== 0) {
      throw new KafkitError('auth', `SASL authentication failed${message ? `: ${message}` : ''}`, {
        kafkaCode: 'SASL_AUTHENTICATION_FAILED',
        hint: 'check the mechanism, user name and password (the password is never shown)',
      })
    }
    return data
  }

  private async scram(hash: 'sha256' | 'sha512', user: string, password: string): Promise<void> {
    const nonce = randomBytes(24).toString('base64')
    const name = user.replaceAll('=', '=3D').replaceAll(',', '=2C')
    const clientFirstBare = `n=${name},r=${nonce}`
    const serverFirst = (await this.saslStep(Buffer.from(`n,,${clientFirstBare}`, 'utf8'))).toString('utf8')
    const fields = new Map(serverFirst.split(',').map((f) => [f.slice(0, 1), f.slice(2)] as [string, string]))
    const serverNonce = fields.get('r') ?? ''
    const iterations = Number(fields.get('i'))
    if (!serverNonce.startsWith(nonce) || !fields.get('s') || !Number.isInteger(iterations)) throw new KafkitError('auth', 'SASL SCRAM: the broker sent an invalid challenge')
    const keyLength = hash === 'sha256' ? 32 : 64
    const salted = pbkdf2Sync(password, Buffer.from(fields.get('s')!, 'base64'), iterations, keyLength, hash)
    const clientKey = createHmac(hash, salted).update('Client Key').digest()
    const storedKey = createHash(hash).update(clientKey).digest()
    const clientFinalWithoutProof = `c=biws,r=${serverNonce}`
    const authMessage = `${clientFirstBare},${serverFirst},${clientFinalWithoutProof}`
    const signature = createHmac(hash, storedKey).update(authMessage).digest()
    const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]!))
    await this.saslStep(Buffer.from(`${clientFinalWithoutProof},p=${proof.toString('base64')}`, 'utf8'))
  }
}

/** The unsecured JWT librdkafka makes from sasl.oauthbearer.config (principal=NAME). */
function unsecuredJwt(props: Record<string, string>): string {
  if (props['sasl.oauthbearer.method']?.toLowerCase() === 'oidc' || props['enable.sasl.oauthbearer.unsecure.jwt'] !== 'true') {
    throw new KafkitError('usage', 'cluster-wide config changes speak OAUTHBEARER only with unsecured tokens (enable.sasl.oauthbearer.unsecure.jwt=true)', {
      hint: 'change the configs per broker with --broker',
    })
  }
  const principal = /(?:^|\s)principal=(\S+)/.exec(props['sasl.oauthbearer.config'] ?? '')?.[1] ?? ''
  const now = Math.floor(Date.now() / 1000)
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')
  return `${part({alg: 'none'})}.${part({sub: principal, iat: now, exp: now + 3600})}.`
}

function tlsOptions(target: WireTarget): ConnectionOptions {
  const p = target.properties
  const file = (key: string, what: string) => (p[key] ? target.readKeyFile(p[key]!, what) : undefined)
  const options: ConnectionOptions = {host: target.host, port: target.port}
  if (!isIP(target.host)) options.servername = target.host
  const ca = p['ssl.ca.pem'] ?? file('ssl.ca.location', 'CA file')
  if (ca) options.ca = ca
  const cert = p['ssl.certificate.pem'] ?? file('ssl.certificate.location', 'client certificate')
  const key = p['ssl.key.pem'] ?? file('ssl.key.location', 'client key')
  if (cert) options.cert = cert
  if (key) options.key = key
  if (p['ssl.key.password']) options.passphrase = p['ssl.key.password']
  const pfx = file('ssl.keystore.location', 'keystore')
  if (pfx) {
    options.pfx = pfx
    if (p['ssl.keystore.password']) options.passphrase = p['ssl.keystore.password']
  }
  if (p['enable.ssl.certificate.verification'] === 'false') options.rejectUnauthorized = false
  if ((p['ssl.endpoint.identification.algorithm'] ?? 'https').toLowerCase() === 'none') options.checkServerIdentity = () => undefined
  return options
}

function connectionError(target: WireTarget, reason: string): KafkitError {
  return new KafkitError('connection', `broker ${target.host}:${target.port}: ${reason}`)
}

function tlsError(target: WireTarget, error: Error): KafkitError {
  return new KafkitError('auth', `broker ${target.host}:${target.port}: the TLS handshake failed: ${error.message}`, {kafkaCode: '_SSL', hint: 'check ssl.ca.location and the broker certificate (or security.protocol)'})
}

async function withDeadline<T>(deadline: number, target: WireTarget, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new KafkitError('timeout', `broker ${target.host}:${target.port}: no answer in time`, {kafkaCode: '_TIMED_OUT'})), Math.max(1, deadline - Date.now()))
  })
  try {
    return await Promise.race([work, late])
  } finally {
    clearTimeout(timer)
  }
}
