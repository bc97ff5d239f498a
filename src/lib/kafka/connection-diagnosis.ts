import {formatDuration} from '../duration.js'
import {KafkitError} from '../errors.js'

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

export class ConnectionDiagnosis {
  private reason?: string

  constructor(
    private readonly bootstrapServers: string,
    private readonly timeoutMs: number,
  ) {}

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
    if (code === '_SSL' || TLS_FAILURE.test(reason)) return this.tlsFailure(reason)
    return undefined
  }

  private tlsFailure(reason: string): KafkitError {
    return new KafkitError('auth', `TLS handshake with ${this.bootstrapServers} failed: ${reason}`, {
      hint: "the listener may not use TLS: check security.protocol (PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL), then ssl.ca.location / the profile's ssl settings",
      kafkaCode: '_SSL',
    })
  }

  /** "cannot reach Kafka": for when no bootstrap broker answered, with the best reason known. */
  unreachable(timedOut: boolean): KafkitError {
    // A broker that answered but closed the TLS handshake is running: the protocol is what is wrong.
    if (this.reason && TLS_FAILURE.test(this.reason)) return this.tlsFailure(this.reason)
    const why = this.reason ?? (timedOut ? `no answer within ${formatDuration(this.timeoutMs)}` : 'connection failed')
    return new KafkitError(timedOut && !this.reason ? 'timeout' : 'connection', `cannot reach Kafka at ${this.bootstrapServers}: ${why}`, {
      hint: 'is a broker running there? Pass -b host:port, set KAFKA_BOOTSTRAP_SERVERS, or start one with: kafkit local start',
      kafkaCode: timedOut ? '_TIMED_OUT' : '_TRANSPORT',
    })
  }
}
