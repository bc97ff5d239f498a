// The one place that decides how a failure looks and which exit code it gets.
// Everything that can fail throws a KafkitError (or something `toKafkitError` can translate);
// the base command renders it as one line (or one JSON object under --json) on stderr.
// Keep docs/exit-codes.md in step with this table.

export const ExitCode = {
  OK: 0,
  /** Anything not classified below: a bug or an unexpected broker answer. */
  FAILURE: 1,
  /** Bad flags, arguments or input the user gave. */
  USAGE: 2,
  /** The broker could not be reached, or an operation ran past --timeout. */
  CONNECTION: 3,
  /** SASL/SSL authentication failed, or the principal is not authorized. */
  AUTH: 4,
  /** A topic, group, partition or file that was named does not exist. */
  NOT_FOUND: 5,
  /** A batch command where some items succeeded and some failed. */
  PARTIAL: 6,
  /** The thing to create exists already, or the broker rejected the request as invalid. */
  CONFLICT: 7,
  /** A check found something (health filters, lag above --max-lag). */
  FINDINGS: 8,
  /** This machine lacks something kafkit needs (Java, Maven, the native build). */
  ENVIRONMENT: 9,
  INTERRUPTED_SIGINT: 130,
  INTERRUPTED_SIGTERM: 143,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

/** Stable machine-readable names, used as `code` in JSON errors. */
export type ErrorKind =
  | 'failure'
  | 'usage'
  | 'connection'
  | 'timeout'
  | 'auth'
  | 'not_found'
  | 'partial'
  | 'conflict'
  | 'invalid'
  | 'findings'
  | 'environment'
  | 'interrupted'

const exitCodeByKind: Record<ErrorKind, ExitCodeValue> = {
  failure: ExitCode.FAILURE,
  usage: ExitCode.USAGE,
  connection: ExitCode.CONNECTION,
  timeout: ExitCode.CONNECTION,
  auth: ExitCode.AUTH,
  not_found: ExitCode.NOT_FOUND,
  partial: ExitCode.PARTIAL,
  conflict: ExitCode.CONFLICT,
  invalid: ExitCode.CONFLICT,
  findings: ExitCode.FINDINGS,
  environment: ExitCode.ENVIRONMENT,
  interrupted: ExitCode.INTERRUPTED_SIGINT,
}

export interface KafkitErrorOptions {
  /** What the user can do about it: one short sentence. */
  hint?: string
  /** The Kafka error name when the failure came from the broker or client, e.g. UNKNOWN_TOPIC_OR_PART. */
  kafkaCode?: string
  /** Overrides the exit code implied by the kind (used for 130 vs 143). */
  exitCode?: ExitCodeValue
  cause?: unknown
  /**
   * The command's result despite the failure (a produce summary, a batch's rows). Under --json the
   * base command still prints it on stdout, before the error object on stderr.
   */
  data?: unknown
}

export class KafkitError extends Error {
  readonly kind: ErrorKind
  readonly hint?: string
  readonly kafkaCode?: string
  readonly exitCode: ExitCodeValue
  readonly data?: unknown

  constructor(kind: ErrorKind, message: string, options: KafkitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = 'KafkitError'
    this.kind = kind
    this.hint = options.hint
    this.kafkaCode = options.kafkaCode
    this.exitCode = options.exitCode ?? exitCodeByKind[kind]
    this.data = options.data
  }
}

export type InterruptSignal = 'SIGINT' | 'SIGTERM'

/** 130 for Ctrl-C, 143 for SIGTERM: the shell's 128 + signal number. */
export function exitCodeForSignal(signal: InterruptSignal): ExitCodeValue {
  return signal === 'SIGTERM' ? ExitCode.INTERRUPTED_SIGTERM : ExitCode.INTERRUPTED_SIGINT
}

/** The error a command ends with after SIGINT / SIGTERM; `data` is what it still reports. */
export function interruptedError(signal: InterruptSignal, message = `interrupted by ${signal}`, options: Omit<KafkitErrorOptions, 'exitCode'> = {}): KafkitError {
  return new KafkitError('interrupted', message, {...options, exitCode: exitCodeForSignal(signal)})
}

export const usageError = (message: string, hint?: string) => new KafkitError('usage', message, {hint})

/** The JSON shape written to stderr under --json (documented in docs/exit-codes.md). */
export interface ErrorJson {
  error: {code: ErrorKind; message: string; hint?: string; kafkaCode?: string; exitCode: number}
}

export function errorToJson(error: KafkitError): ErrorJson {
  return {
    error: {
      code: error.kind,
      message: error.message,
      ...(error.hint ? {hint: error.hint} : {}),
      ...(error.kafkaCode ? {kafkaCode: error.kafkaCode} : {}),
      exitCode: error.exitCode,
    },
  }
}
