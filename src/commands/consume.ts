import {Args, Flags} from '@oclif/core'

import {nativeConsumeAllowed} from '../lib/config/switches.js'
import {parseDuration} from '../lib/duration.js'
import {interruptedError, KafkitError, usageError} from '../lib/errors.js'
import {KafkaCommand} from '../lib/kafka-command.js'
import {connectRegistry, registryFlags} from '../lib/registry-command.js'
import {isRegistryFormat, REGISTRY_FORMATS, registrySerializer} from '../lib/registry/record-codecs.js'
import type {RegistryClient} from '../lib/registry/registry-client.js'
import {consumeRecords} from '../lib/kafka/consume/consume-records.js'
import type {ConsumeSummary} from '../lib/kafka/consume/request.js'
import {parseOffsetSpec} from '../lib/offset-spec.js'
import {writeStdoutChunk} from '../lib/output/chunks.js'
import {chooseRecordFormatter, silentFormatter} from '../lib/output/format/choose.js'
import {framedOutput} from '../lib/output/format/framed.js'
import {FORMAT_TOKENS_HELP} from '../lib/output/format/format-string.js'
import {jsonlCollector} from '../lib/output/format/jsonl.js'
import {onStdoutClosed, stdoutClosed} from '../lib/output/stdout-closed.js'
import {parsePartitionList} from '../lib/partition-spec.js'
import type {JsonlRecord} from '../lib/records/jsonl.js'
import {recordFilter} from '../lib/records/record-filter.js'
import type {MismatchAction} from '../lib/records/record-formatter.js'
import {bytesOf, type ConsumedRecord} from '../lib/records/consumed-record.js'
import {FORMAT_NAMES, schemaIdsOf, serializerFor, wireSchemaId, type Serializer} from '../lib/records/serializers.js'
import {trapInterrupts} from '../lib/signals.js'
import {parseTimestamp} from '../lib/time.js'

interface ConsumeResult extends ConsumeSummary {
  /** Only under --json: the records, in the jsonl record shape (docs/formats.md). */
  messages?: JsonlRecord[]
}

const SCHEMA_FORMATS_HELP = 'avro, protobuf and json-schema decode records in the Schema Registry wire format by their schema id (one registry fetch per id; registry: whichever type the id names) into JSON; jsonl records then carry keySchemaId / valueSchemaId. Give the registry with -r, $KAFKIT_SCHEMA_REGISTRY_URL or the profile (docs/schema-registry.md).'

export default class Consume extends KafkaCommand {
  static summary = 'Read records from topics: exact start and stop, lossless output, safe in pipes.'
  static description = `Starts where -o says (docs/offsets.md) and follows until interrupted, unless -e, -c, a range END, --until or --idle-timeout says when to stop.

Without -g, partitions are assigned directly and nothing is committed. With -g the consumer joins the group (cooperative-sticky) and commits only offsets of records already written to stdout (at least once); on exit, the last written position is committed.

Output: piped, the value alone per line (like kcat); on a terminal, a readable view. -f takes kcat's format tokens: ${FORMAT_TOKENS_HELP}. --output jsonl writes the binary-safe record format of docs/formats.md, which \`kafkit produce --input jsonl\` reads back.

Ctrl-C / SIGTERM stop fetching, commit what was printed and leave the group: exit 130 / 143 (under --json the summary is still printed). A closed pipe (| head) ends quietly with exit 0.`

  static examples = [
    {description: 'Everything in a topic, then exit', command: '<%= config.bin %> consume orders -o beginning -e'},
    {description: 'The last 10 records of each partition', command: '<%= config.bin %> consume orders -o -10 -e'},
    {description: 'Offsets 100 to 199 of partition 0', command: '<%= config.bin %> consume orders -p 0 -o 100:200'},
    {description: 'The last hour, as JSON Lines for jq', command: "<%= config.bin %> consume orders -o @-1h -e --output jsonl --value-format json | jq .value.id"},
    {description: 'kcat-style format with key, partition and offset', command: "<%= config.bin %> consume orders -e -f '%k\\t%p:%o\\t%s\\n'"},
    {description: 'Join a group; stop once caught up (also works in group mode)', command: '<%= config.bin %> consume orders -g billing -e'},
    {description: 'Only records with a header type=refund, and values mentioning EUR', command: "<%= config.bin %> consume orders -e --filter 'header:type~^refund$' --grep EUR"},
    {description: 'Avro values decoded by their schema id (registry from -r, $KAFKIT_SCHEMA_REGISTRY_URL, the profile or kafkit local), as JSON Lines', command: '<%= config.bin %> consume orders -e --value-format avro --output jsonl'},
    {description: 'Copy a topic losslessly', command: '<%= config.bin %> consume orders -e --output jsonl | <%= config.bin %> produce orders-copy --input jsonl'},
  ]

  static strict = false

  static args = {
    topic: Args.string({description: 'Topic(s) to read (several may be given; or use -t / --pattern; a Spark JSON -o names its own).'}),
  }

  static flags = {
    topic: Flags.string({char: 't', summary: 'Topic to read (repeatable), like kcat -t.', multiple: true, multipleNonGreedy: true, helpGroup: 'READ'}),
    pattern: Flags.string({summary: 'Read every topic whose whole name matches this regular expression.', helpGroup: 'READ'}),
    partition: Flags.string({char: 'p', summary: 'Only these partitions: 0,2,5; ranges include both ends: 0-3, 5-, -3.', helpGroup: 'READ'}),
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
    'key-format': Flags.string({summary: `How to show keys: ${[...FORMAT_NAMES, ...REGISTRY_FORMATS].join(', ')}.`, description: SCHEMA_FORMATS_HELP, helpGroup: 'OUTPUT'}),
    'value-format': Flags.string({summary: `How to show values: ${[...FORMAT_NAMES, ...REGISTRY_FORMATS].join(', ')}.`, description: SCHEMA_FORMATS_HELP, helpGroup: 'OUTPUT'}),
    ...registryFlags,
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
    const offsetTexts = [...(flags['from-beginning'] ? ['beginning'] : []), ...(flags.offset ?? [])]
    const spec = parseOffsetSpec(offsetTexts)
    const named = [...(argv as string[]), ...(flags.topic ?? [])]
    // Spark's JSON form names its topics: without a topic argument, read those.
    const topics = named.length === 0 && flags.pattern === undefined ? [...spec.topics.keys()] : named
    if (topics.length === 0 && flags.pattern === undefined) throw usageError('name a topic to read', 'kafkit consume TOPIC, -t TOPIC, or --pattern REGEX')

    const partitions = flags.partition === undefined ? undefined : parsePartitionList(flags.partition, `--partition '${flags.partition}'`)
    const untilMs = flags.until === undefined ? undefined : parseTimestamp(flags.until.replace(/^@/, ''), '--until')
    const idleTimeoutMs = flags['idle-timeout'] === undefined ? undefined : parseDuration(flags['idle-timeout'], '--idle-timeout')
    let registry: RegistryClient | undefined
    const formatFor = async (name: string | undefined, isKey: boolean): Promise<Serializer | undefined> => {
      if (name === undefined) return undefined
      if (!isRegistryFormat(name)) return serializerFor(name, isKey ? '--key-format' : '--value-format')
      registry ??= await connectRegistry(flags, this.secrets, (line) => this.debugLog(line))
      return registrySerializer(name, registry, {isKey})
    }
    const keyFormat = await formatFor(flags['key-format'], true)
    const valueFormat = await formatFor(flags['value-format'], false)
    await registry?.ensureReachable()
    // Schema Registry formats fetch each batch's schemas (once per id) before it is formatted.
    const prepare =
      keyFormat?.prepare || valueFormat?.prepare
        ? async (records: ConsumedRecord[]) => {
            await keyFormat?.prepare?.(schemaIdsOf(records, (r) => wireSchemaId(bytesOf(r.key))))
            await valueFormat?.prepare?.(schemaIdsOf(records, (r) => wireSchemaId(r.value)))
          }
        : undefined
    const filter = recordFilter(flags.grep, flags.filter)

    const onError = flags['on-error']
    let mismatches = 0
    // jsonl keeps bytes a format cannot read as base64; the other outputs show them as hex.
    const fallback = flags.output === 'jsonl' || this.jsonEnabled() ? 'written as base64' : 'shown as hex'
    const chosenFormats = [flags['key-format'] && `--key-format ${flags['key-format']}`, flags['value-format'] && `--value-format ${flags['value-format']}`].filter(Boolean).join(' / ')
    const onMismatch = (field: string, reason: string, record: ConsumedRecord): MismatchAction => {
      // With no format chosen, bytes that are not text are simply shown as hex (the terminal
      // view): nothing went wrong, so nothing to warn about.
      const chosen = field === 'key' ? keyFormat : valueFormat
      if (chosen === undefined && onError === 'warn') return 'fallback'
      const where = `topic ${record.topic} partition ${record.partition} offset ${record.offset}`
      if (onError === 'fail') throw new KafkitError('usage', `${where}: ${field}: ${reason}`, {hint: 'choose another --key-format / --value-format, or --on-error warn|skip'})
      mismatches++
      this.out.warn(`${where}: ${field}: ${reason} (${onError === 'skip' ? 'skipped' : fallback})`)
      return onError === 'skip' ? 'skip' : 'fallback'
    }

    // Under --json the records are collected and returned, not streamed.
    const collected = this.jsonEnabled() ? jsonlCollector({key: keyFormat, value: valueFormat}) : undefined
    const formatter = collected
      ? silentFormatter()
      : chooseRecordFormatter(
          {
            format: flags.format,
            output: flags.output,
            printKey: flags['print-key'],
            printHeaders: flags['print-headers'],
            printTimestamp: flags['print-timestamp'],
            printPartition: flags['print-partition'],
            printOffset: flags['print-offset'],
            keySeparator: flags['key-separator'],
            nullLiteral: flags['null-literal'],
            showTopic: topics.length > 1 || flags.pattern !== undefined,
            terminal: this.out.isTTY ? this.out.color : undefined,
          },
          {keyFormat, valueFormat, onMismatch},
        )

    // The first Ctrl-C / SIGTERM stops the loop, which commits what was printed and leaves the
    // group; a second one ends the process at once.
    const interrupts = trapInterrupts({exitOnSecond: true})
    // A closed pipe (| head) ends the read loop, which then leaves the group at once instead of
    // the process exiting with a member left behind until the session times out.
    const offStdoutClosed = onStdoutClosed(() => {})
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
          // For tests and benches: KAFKIT_NATIVE_CONSUME=0 forces the JS loop.
          allowNative: nativeConsumeAllowed(),
          signal: interrupts.stop,
          notice: (text) => this.out.notice(text),
          // Following on a terminal: say once that there is nothing more for now (not when piped).
          caughtUp: this.out.isTTY && !flags.exit ? once(() => this.out.notice(this.out.color.dim('caught up, waiting for new records (Ctrl-C to stop)'))) : undefined,
          debug: (line) => this.debugLog(line),
          onRecord: collected?.add,
          filter,
          outputClosed: stdoutClosed,
          needsTimestampType: collected !== undefined || flags.output === 'jsonl' || formatter.needsTimestampType === true,
        },
        {formatter, prepare, framed: prepare && framedOutput(formatter, prepare), write: writeStdoutChunk},
      )
      if (mismatches > 0 && !this.jsonEnabled()) this.out.notice(`${mismatches} field(s) did not fit ${chosenFormats || 'the format'}`)
      const result: ConsumeResult = collected ? {...summary, messages: collected.records} : summary
      const signal = interrupts.received
      if (signal !== undefined) {
        throw interruptedError(signal, `interrupted by ${signal} after ${summary.records} record(s)${summary.committed ? '; what was printed is committed' : ''}`, {data: result})
      }
      return result
    } finally {
      offStdoutClosed()
      interrupts.dispose()
    }
  }
}

function once(then: () => void): () => void {
  let done = false
  return () => {
    if (!done) then()
    done = true
  }
}
