import {X509Certificate} from 'node:crypto'

import {formatDuration} from '../duration.js'
import {KafkitError} from '../errors.js'
import {firstAddress, probeTls} from './tls-probe.js'

// The one reading of what librdkafka says while it connects: which messages prove that
// authentication or TLS failed, and how "nothing answers" is put into words. The session's
// watcher (admin clients) and the producer's preflight (the native producer) both feed it.

/** librdkafka's error names that mean "no broker answered". */
export const UNREACHABLE_CODES: ReadonlySet<string> = new Set(['_TIMED_OUT', '_TRANSPORT', '_ALL_BROKERS_DOWN', '_RESOLVE'])

/**
 * "[thrd:host:port/bootstrap]: host:port/bootstrap: Connect to ipv4#... failed: Connection refused (after 0ms in state CONNECT)"
 * becomes "Connect to ipv4#... failed: Connection refused".
 */
export function clientReason(message: string): string {
  return message.replace(/^\[thrd:[^\]]*\]:\s*/, '').replace(/^\S+\/(bootstrap|\d+): /, '').replace(/\s*\(after \d+ms in state \w+\)$/, '')
}

/** What librdkafka says when TLS fails, e.g. against a PLAINTEXT listener ("SSL connection closed by peer"). */
const TLS_FAILURE = /SSL handshake failed|SSL connection closed by peer|certificate verify failed/i
/** The broker's certificate failed verification: a CA that did not sign it, or a host name not in it. */
const VERIFY_FAILURE = /certificate verify failed/i
/** The broker refused the client's certificate, or its absence (TLS alerts 42, 45, 46, 48, 116). */
const CLIENT_CERT_REJECTED = /alert (bad certificate|certificate expired|certificate unknown|unknown ca|certificate required|certificate revoked)/i
/** A plaintext client whose connection the broker closed at once: it may have met a TLS listener. */
const CLOSED_EARLY = /closed by peer|Disconnected while requesting ApiVersion|receive 0 after POLLIN|brokers are down/i

/** How the client is set up for TLS, for explaining TLS failures. */
export interface ClientSecurity {
  /** The client's librdkafka properties (security.protocol, ssl.*). */
  properties?: Readonly<Record<string, string | number | boolean>>
  /** The PEM CA certificates the client trusts (ssl.ca.location or ssl.ca.pem), when it names some. */
  trustedCa?: () => string | undefined
  /** The client's own PEM certificate (ssl.certificate.location or ssl.certificate.pem), when it has one. */
  clientCertificate?: () => string | undefined
}

/** Why an error may be explained better by a TLS probe of the listener. */
type ProbeNeed = 'verify' | 'plaintext-closed'

const PROBE_MS = 1500

export class ConnectionDiagnosis {
  private reason?: string
  private readonly probeNeeds = new WeakMap<KafkitError, ProbeNeed>()

  constructor(
    private readonly bootstrapServers: string,
    private readonly timeoutMs: number,
    private readonly security: ClientSecurity = {},
  ) {}

  private setting(name: string): string | undefined {
    const value = this.security.properties?.[name]
    return value === undefined ? undefined : String(value)
  }

  private get usesTls(): boolean {
    return /SSL/i.test(this.setting('security.protocol') ?? '')
  }

  private get hasClientCertificate(): boolean {
    return ['ssl.certificate.location', 'ssl.certificate.pem', 'ssl.keystore.location'].some((name) => this.setting(name) !== undefined)
  }

  /** The first reason librdkafka gave for a failed connection, if any. */
  get lastReason(): string | undefined {
    return this.reason
  }

  /** Keeps a reason seen elsewhere (the native admin extension attaches one to its timeouts). */
  noteReason(reason: string): void {
    this.reason ??= reason
  }

  /**
   * Reads one client message: a log line of severity error or worse (no code), or an error event
   * (with librdkafka's error name). Returns
   * the failure it proves (authentication or TLS), else undefined; either way the reason is kept.
   */
  observe(message: string, code?: string): KafkitError | undefined {
    const reason = clientReason(message)
    this.reason = reason
    // An error event (it has a code) may word it loosely; log lines are matched strictly.
    const authFailed = /SASL authentication error|Authentication failed|SASL .*failed/i.test(reason) || (code !== undefined && /authentication/i.test(reason))
    if (code === '_AUTHENTICATION' || authFailed) {
      return new KafkitError('auth', `authentication to ${this.bootstrapServers} failed: ${reason}`, {
        hint: 'check the SASL mechanism, user name and password in the profile, --command-config or -X',
        kafkaCode: code === '_AUTHENTICATION' ? code : 'SASL_AUTHENTICATION_FAILED',
      })
    }
    if (CLIENT_CERT_REJECTED.test(reason)) return this.clientCertificateRejected(reason)
    if (code === '_SSL' || TLS_FAILURE.test(reason)) return this.tlsFailure(reason)
    return undefined
  }

  /** When the client's certificate is out of its validity period, which TLS alerts do not always say. */
  private clientCertificateExpiry(): string | undefined {
    try {
      const pem = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(this.security.clientCertificate?.() ?? '')?.[0]
      if (!pem) return undefined
      const certificate = new X509Certificate(pem)
      const now = Date.now()
      if (Date.parse(certificate.validTo) < now) return `it expired on ${certificate.validTo}`
      if (Date.parse(certificate.validFrom) > now) return `it is valid only from ${certificate.validFrom}`
    } catch {
      // An unreadable certificate: librdkafka's own message stands.
    }
    return undefined
  }

  private clientCertificateRejected(reason: string): KafkitError {
    const alert = /alert ([a-z ]+?):/i.exec(reason)?.[1] ?? 'bad certificate'
    const expiry = this.hasClientCertificate ? this.clientCertificateExpiry() : undefined
    if (expiry) {
      return new KafkitError('auth', `TLS: the broker at ${this.bootstrapServers} refused the client certificate: ${expiry} (TLS alert: ${alert})`, {
        hint: 'renew the client certificate',
        kafkaCode: '_SSL',
      })
    }
    const hint = this.hasClientCertificate
      ? /expired/i.test(alert)
        ? 'the client certificate has expired: renew it'
        : 'the broker does not accept this client certificate: it must be signed by a CA the broker trusts (ssl.truststore on the broker) and be valid now'
      : 'this listener requires a client certificate (mutual TLS): set ssl.certificate.location and ssl.key.location, or ssl.keystore.location (PKCS#12)'
    return new KafkitError('auth', `TLS: the broker at ${this.bootstrapServers} refused the client certificate (TLS alert: ${alert})`, {hint, kafkaCode: '_SSL'})
  }

  private tlsFailure(reason: string): KafkitError {
    if (VERIFY_FAILURE.test(reason)) {
      const error = new KafkitError(
        'auth',
        `TLS: the certificate of the broker at ${this.bootstrapServers} could not be verified: either the CA that signed it is not trusted, or the host name is not in the certificate (librdkafka does not say which)`,
        {
          hint: 'set ssl.ca.location to the CA that signed the broker certificate, and connect with a name from its subjectAltName (only for a test broker: ssl.endpoint.identification.algorithm=none)',
          kafkaCode: '_SSL',
        },
      )
      this.probeNeeds.set(error, 'verify')
      return error
    }
    return new KafkitError('auth', `TLS handshake with ${this.bootstrapServers} failed: ${reason}`, {
      hint: "the listener may not use TLS: check security.protocol (PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL), then ssl.ca.location / the profile's ssl settings",
      kafkaCode: '_SSL',
    })
  }

  /**
   * A better error, when a TLS handshake of kafkit's own can tell more than librdkafka said:
   * whether a verification failure was the CA or the host name, and whether a plaintext client
   * was closed out by a TLS listener. Anything else comes back unchanged. Bounded by 1.5 s.
   */
  async explain(error: KafkitError): Promise<KafkitError> {
    const need = this.probeNeeds.get(error)
    if (!need) return error
    const {host, port} = firstAddress(this.bootstrapServers)
    if (need === 'plaintext-closed') {
      const probe = await probeTls(host, port, {verify: false, timeoutMs: PROBE_MS})
      if (probe.kind !== 'tls') return error
      return new KafkitError('auth', `the listener at ${host}:${port} speaks TLS, but this client connects without it (security.protocol=${this.setting('security.protocol') ?? 'PLAINTEXT'})`, {
        hint: 'set security.protocol=SSL (or SASL_SSL with SASL) and ssl.ca.location to the CA of the broker certificate',
        kafkaCode: '_SSL',
      })
    }
    let ca: string | undefined
    try {
      ca = this.security.trustedCa?.()
    } catch {
      return error
    }
    const probe = await probeTls(host, port, {verify: true, ca, timeoutMs: PROBE_MS})
    if (probe.kind !== 'verify-failed') return error
    if (probe.code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
      return new KafkitError('auth', `TLS: hostname verification failed: the certificate of the broker at ${host}:${port} is not valid for the name ${host} (${probe.message})`, {
        hint: 'connect with a name or address listed in the certificate\'s subjectAltName; for a test broker only, ssl.endpoint.identification.algorithm=none turns the check off',
        kafkaCode: '_SSL',
      })
    }
    if (/EXPIRED|NOT_YET_VALID/.test(probe.code)) {
      return new KafkitError('auth', `TLS: the certificate of the broker at ${host}:${port} is not valid now (${probe.message})`, {hint: 'the broker needs a renewed certificate', kafkaCode: '_SSL'})
    }
    const trusted = this.setting('ssl.ca.location') ?? (this.setting('ssl.ca.pem') ? 'ssl.ca.pem' : "the system's CA certificates")
    return new KafkitError('auth', `TLS: the certificate of the broker at ${host}:${port} is not signed by a CA in ${trusted} (${probe.message})`, {
      hint: 'set ssl.ca.location (or a PEM ssl.truststore.location) to the CA that signed the broker certificate',
      kafkaCode: '_SSL',
    })
  }

  /** "cannot reach Kafka": for when no bootstrap broker answered, with the best reason known. */
  unreachable(timedOut: boolean): KafkitError {
    // A broker that answered but closed the TLS handshake is running: the protocol is what is wrong.
    if (this.reason && TLS_FAILURE.test(this.reason)) return this.tlsFailure(this.reason)
    if (this.reason && CLIENT_CERT_REJECTED.test(this.reason)) return this.clientCertificateRejected(this.reason)
    const why = this.reason ?? (timedOut ? `no answer within ${formatDuration(this.timeoutMs)}` : 'connection failed')
    const error = new KafkitError(timedOut && !this.reason ? 'timeout' : 'connection', `cannot reach Kafka at ${this.bootstrapServers}: ${why}`, {
      hint: 'is a broker running there? Pass -b host:port, set KAFKA_BOOTSTRAP_SERVERS, or start one with: kafkit local start',
      kafkaCode: timedOut ? '_TIMED_OUT' : '_TRANSPORT',
    })
    // A connection that was made and then closed (librdkafka logs no reason for it at error level).
    if (!this.usesTls && (CLOSED_EARLY.test(this.reason ?? '') || (!timedOut && this.reason === undefined))) this.probeNeeds.set(error, 'plaintext-closed')
    return error
  }
}
