import {Args, Flags} from '@oclif/core'

import {parseDuration} from '../lib/duration.js'
import {KafkitError, ExitCode, usageError} from '../lib/errors.js'
import {KafkaCommand} from '../lib/kafka-command.js'
import {outputClosedCheck} from '../lib/kafka/consume-native.js'
import {consumeRecords, type ConsumeSummary} from '../lib/kafka/consumer.js'
import {parseOffsetSpec} from '../lib/offset-spec.js'
import {
  compileRecordFormat,
  FORMAT_TOKENS_HELP,
  jsonlFormatter,
  terminalFormatter,
  type ConsumedRecord,
  type FormatterOptions,
  type MismatchAction,
  headerPairs,
  type RecordFormatter,
} from '../lib/output/record-format.js'
import {recordFilter} from '../lib/records/record-filter.js'
import {formatJsonlRecord, type JsonlRecord} from '../lib/records/jsonl.js'
import {FORMAT_NAMES, SERIALIZERS, serializerFor} from '../lib/records/serializers.js'
import {parseTimestamp} from '../lib/time.js'

interface ConsumeResult extends ConsumeSummary {
  /** Only under --json: the records, in the jsonl record shape (docs/formats.md). */
  messages?: JsonlRecord[]
}

export default class Consume extends KafkaCommand {
  static summary = 'Read records from topics: exact start and stop, lossless output, safe in pipes.'
  static description = `Starts where -o says (docs/offsets.md) and follows until interrupted, unless -e, -c, a range END, --until or --idle-timeout says when to stop.

Without -g, partitions are assigned directly and nothing is committed. With -g the consumer joins the group (cooperative-sticky) and commits only offsets of records already written to stdout (at least once); on exit, the last written position is committed.

Output: piped, the value alone per line (like kcat); on a terminal, a readable view. -f takes kcat's format tokens: ${FORMAT_TOKENS_HELP}. --output jsonl writes the binary-safe record format of docs/formats.md, which \`kafkit produce --input jsonl\` reads back.

Ctrl-C / SIGTERM stop fetching, commit what was printed and leave the group: exit 130 / 143. A closed pipe (| head) ends quietly with exit 0.`

  static examples = [
    {description: 'Everything in a topic, then exit', command: '<%= config.bin %> consume orders -o beginning -e'},
    {description: 'The last 10 records of each partition', command: '<%= config.bin %> consume orders -o -10 -e'},
    {description: 'Offsets 100 to 199 of partition 0', command: '<%= config.bin %> consume orders -p 0 -o 100:200'},
    {description: 'The last hour, as JSON Lines for jq', command: "<%= config.bin %> consume orders -o @-1h -e --output jsonl --value-format json | jq .value.id"},
    {description: 'kcat-style format with key, partition and offset', command: "<%= config.bin %> consume orders -e -f '%k\\t%p:%o\\t%s\\n'"},
    {description: 'Join a group; stop once caught up (also works in group mode)', command: '<%= config.bin %> consume orders -g billing -e'},
    {description: 'Only records with a header type=refund, and values mentioning EUR', command: "<%= config.bin %> consume orders -e --filter 'header:type~^refund$' --grep EUR"},
    {description: 'Copy a topic losslessly', command: '<%= config.bin %> consume orders -e --output jsonl | <%= config.bin %> produce orders-copy --input jsonl'},
  ]

  static strict = false

  static args = {
    topic: Args.string({description: 'Topic(s) to read (several may be given; or use -t / --pattern).'}),
  }

  static flags = {
    topic: Flags.string({char: 't', summary: 'Topic to read (repeatable), like kcat -t.', multiple: true, multipleNonGreedy: true, helpGroup: 'READ'}),
    pattern: Flags.string({summary: 'Read every topic whose whole name matches this regular expression.', helpGroup: 'READ'}),
    partition: Flags.string({char: 'p', summary: 'Only these partitions: 0,2,5.', helpGroup: 'READ'}),
    group: Flags.string({char: 'g', summary: 'Join this consumer group and commit what was printed.', helpGroup: 'READ'}),
    offset: Flags.string({
      char: 'o',
      summary: 'Where to start (and stop): beginning, end, stored, N, -N, +N, @TIME, START:END, 0=N,1=M, Spark JSON.',
      description: 'Repeatable. See docs/offsets.md. Default: beginning (stored in group mode).',
      multiple: true, multipleNonGreedy: true,
      helpGroup: 'START AND STOP',
    }),
    'from-beginning': Flags.boolean({summary: 'Same as -o beginning (Apache console consumer).', helpGroup: 'START AND STOP'}),
    exit: Flags.boolean({char: 'e', summary: 'Exit once every partition reached the end offsets read at start (group mode too).', helpGroup: 'START AND STOP'}),
    count: Flags.integer({char: 'c', summary: 'Exit after this many records.', min: 0, helpGroup: 'START AND STOP', aliases: ['max-messages']}),
    until: Flags.string({summary: 'Stop at records stamped at or after this time (same forms as @TIME).', helpGroup: 'START AND STOP'}),
    'idle-timeout': Flags.string({summary: 'Exit when no record arrived for this long: 5s, 1m.', helpGroup: 'START AND STOP'}),
    grep: Flags.string({summary: 'Only records whose key, value or a header value matches this regular expression.', helpGroup: 'READ'}),
    filter: Flags.string({
      summary: 'Only records where key~REGEX, value~REGEX, header:NAME~REGEX matches, or header:NAME exists (repeatable: all must match).',
      description: 'Keys, values and header values are matched as text (their bytes read as UTF-8). -c counts the records printed; records passed over still move a group\'s committed position.',
      multiple: true,
      multipleNonGreedy: true,
      helpGroup: 'READ',
    }),
    'isolation-level': Flags.option({options: ['read_committed', 'read_uncommitted'] as const, default: 'read_uncommitted', summary: 'Whether to show records of aborted or open transactions.', helpGroup: 'READ'})(),
    format: Flags.string({char: 'f', summary: "kcat format string, e.g. '%k\\t%s\\n'; modifiers %v{base64} %v{hex} %T{iso}.", helpGroup: 'OUTPUT'}),
    output: Flags.option({options: ['jsonl', 'text'] as const, summary: 'jsonl: one JSON record per line (docs/formats.md); text: the value per line, as when piped, also on a terminal.', helpGroup: 'OUTPUT'})(),
    'key-format': Flags.string({summary: `How to show keys: ${FORMAT_NAMES.join(', ')}.`, helpGroup: 'OUTPUT'}),
    'value-format': Flags.string({summary: `How to show values: ${FORMAT_NAMES.join(', ')}.`, helpGroup: 'OUTPUT'}),
    'on-error': Flags.option({options: ['warn', 'skip', 'fail'] as const, default: 'warn', summary: 'Bytes that do not fit --key/--value-format: print as hex with a warning, skip the record, or stop.', helpGroup: 'OUTPUT'})(),
    'print-key': Flags.boolean({summary: 'Print the key before the value (Apache print.key).', helpGroup: 'OUTPUT'}),
    'print-headers': Flags.boolean({summary: 'Print headers k:v,k:v (Apache print.headers).', helpGroup: 'OUTPUT'}),
    'print-timestamp': Flags.boolean({summary: 'Print CreateTime:MS or LogAppendTime:MS (Apache print.timestamp).', helpGroup: 'OUTPUT'}),
    'print-partition': Flags.boolean({summary: 'Print Partition:N (Apache print.partition).', helpGroup: 'OUTPUT'}),
    'print-offset': Flags.boolean({summary: 'Print Offset:N (Apache print.offset).', helpGroup: 'OUTPUT'}),
    'key-separator': Flags.string({summary: 'Between the printed fields (default tab).', helpGroup: 'OUTPUT'}),
    'null-literal': Flags.string({summary: 'Printed for a null key or value (default: empty; "null" with --print-*).', helpGroup: 'OUTPUT'}),
  }

  async run(): Promise<ConsumeResult> {
    const {argv, flags} = await this.parse(Consume)
    const topics = [...(argv as string[]), ...(flags.topic ?? [])]
    if (topics.length === 0 && flags.pattern === undefined) throw usageError('name a topic to read', 'kafkit consume TOPIC, -t TOPIC, or --pattern REGEX')

    const offsetTexts = [...(flags['from-beginning'] ? ['beginning'] : []), ...(flags.offset ?? [])]
    const spec = parseOffsetSpec(offsetTexts)
    const partitions = flags.partition === undefined ? undefined : parsePartitionList(flags.partition)
    const untilMs = flags.until === undefined ? undefined : parseTimestamp(flags.until.replace(/^@/, ''), '--until')
    const idleTimeoutMs = flags['idle-timeout'] === undefined ? undefined : parseDuration(flags['idle-timeout'], '--idle-timeout')
    const keyFormat = flags['key-format'] === undefined ? undefined : serializerFor(flags['key-format'], '--key-format')
    const valueFormat = flags['value-format'] === undefined ? undefined : serializerFor(flags['value-format'], '--value-format')
    const filter = recordFilter(flags.grep, flags.filter)

    const onError = flags['on-error']
    let mismatches = 0
    const onMismatch = (field: string, reason: string, record: ConsumedRecord): MismatchAction => {
      const where = `topic ${record.topic} partition ${record.partition} offset ${record.offset}`
      if (onError === 'fail') throw new KafkitError('usage', `${where}: ${field}: ${reason}`, {hint: 'choose another --key-format / --value-format, or --on-error warn|skip'})
      mismatches++
      this.out.warn(`${where}: ${field}: ${reason}${onError === 'skip' ? ' (skipped)' : ' (shown as hex)'}`)
      return onError === 'skip' ? 'skip' : 'fallback'
    }

    const messages: JsonlRecord[] | undefined = this.jsonEnabled() ? [] : undefined
    const formatter = messages ? silentFormatter() : this.chooseFormatter(flags, {keyFormat, valueFormat, onMismatch})
    const onRecord = messages
      ? (r: ConsumedRecord) => {
          const formats = {key: keyFormat ?? SERIALIZERS.str!, value: valueFormat ?? SERIALIZERS.str!}
          const line = formatJsonlRecord({...r, timestampType: r.timestampType}, {key: r.key === undefined || r.key === null ? null : Buffer.from(r.key), value: r.value, headers: headerPairs(r.headers)}, formats)
          messages.push(JSON.parse(line) as JsonlRecord)
        }
      : undefined

    // Signals stop the loop; the core commits what was printed and leaves the group.
    const abort = new AbortController()
    let signalExit: number | undefined
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalExit !== undefined) process.exit(signalExit) // a second Ctrl-C: stop at once
      signalExit = signal === 'SIGINT' ? ExitCode.INTERRUPTED_SIGINT : ExitCode.INTERRUPTED_SIGTERM
      abort.abort()
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)

    const session = this.connect(flags)
    try {
      const summary = await consumeRecords(
        session,
        {
          topics,
          pattern: flags.pattern,
          partitions,
          group: flags.group,
          spec,
          exitAtEnd: Boolean(flags.exit),
          count: flags.count,
          untilMs,
          idleTimeoutMs,
          isolation: flags['isolation-level'],
          signal: abort.signal,
          notice: (text) => this.out.notice(`% ${text}`),
          onRecord,
          filter,
          outputClosed: outputClosedCheck(),
          needsTimestampType: messages !== undefined || flags.output === 'jsonl' || formatter.needsTimestampType === true,
        },
        {formatter, write: writeToStdout},
      )
      if (mismatches > 0 && !this.jsonEnabled()) this.out.notice(`% ${mismatches} field(s) did not fit the chosen format`)
      if (signalExit !== undefined) process.exitCode = signalExit
      return messages ? {...summary, messages} : summary
    } finally {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
  }

  private chooseFormatter(
    flags: {format?: string; output?: 'jsonl' | 'text'; 'print-key': boolean; 'print-headers': boolean; 'print-timestamp': boolean; 'print-partition': boolean; 'print-offset': boolean; 'key-separator'?: string; 'null-literal'?: string; topic?: string[]; pattern?: string},
    options: FormatterOptions,
  ): RecordFormatter {
    const apacheStyle = flags['print-key'] || flags['print-headers'] || flags['print-timestamp'] || flags['print-partition'] || flags['print-offset']
    if (flags.output === 'jsonl') {
      if (flags.format !== undefined || apacheStyle) throw usageError('--output jsonl cannot be combined with -f or --print-*')
      return jsonlFormatter({key: options.keyFormat, value: options.valueFormat}, {onMismatch: options.onMismatch})
    }
    if (flags.format !== undefined) {
      if (apacheStyle) throw usageError('-f cannot be combined with --print-*', 'put the fields in the format string: %k %h %T %p %o')
      // kcat prints a null key or value as nothing, and a null header value as NULL.
      return compileRecordFormat(flags.format, {...options, nullLiteral: flags['null-literal'], headerNullLiteral: flags['null-literal'] ?? 'NULL'})
    }
    if (apacheStyle) {
      // The Apache console consumer's DefaultMessageFormatter layout.
      const separator = (flags['key-separator'] ?? '\t').replaceAll('%', '%%')
      const fields = [
        flags['print-timestamp'] ? '%T{type}' : undefined,
        flags['print-partition'] ? 'Partition:%p' : undefined,
        flags['print-offset'] ? 'Offset:%o' : undefined,
        flags['print-headers'] ? '%h' : undefined,
        flags['print-key'] ? '%k' : undefined,
        '%s',
      ].filter((f) => f !== undefined)
      return compileRecordFormat(fields.join(separator) + '\\n', {
        ...options,
        nullLiteral: flags['null-literal'] ?? 'null',
        headerKeySeparator: ':',
        headerSeparator: ',',
        noHeadersLiteral: 'NO_HEADERS',
      })
    }
    if (this.out.isTTY && flags.output !== 'text') {
      const c = this.out.color
      return terminalFormatter({dim: c.dim, cyan: c.cyan, yellow: c.yellow}, {...options, showTopic: (flags.topic?.length ?? 0) > 1 || flags.pattern !== undefined})
    }
    return compileRecordFormat('%s\\n', {...options, nullLiteral: flags['null-literal']})
  }
}

/** Writes a chunk to stdout; resolves once it is written, which is when it may be committed. */
function writeToStdout(chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(chunk, (error) => (error ? reject(error) : resolve()))
  })
}

/** Under --json the records are collected, not streamed. */
function silentFormatter(): RecordFormatter {
  return {encoding: 'latin1', format: () => ''}
}

function parsePartitionList(text: string): number[] {
  const out: number[] = []
  for (const part of text.split(',')) {
    const range = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part)
    if (!range) throw usageError(`invalid --partition '${text}'`, 'a list of partition numbers: 0,2,5 (ranges like 0-3 work too)')
    const from = Number(range[1])
    const to = range[2] === undefined ? from : Number(range[2])
    for (let p = from; p <= to; p++) if (!out.includes(p)) out.push(p)
  }
  return out
}
