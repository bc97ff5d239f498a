import {Args, Flags, Interfaces} from '@oclif/core'

import {parseDuration} from '../lib/duration.js'
import {usageError} from '../lib/errors.js'
import {parseEscapes} from '../lib/input/escapes.js'
import {checkInputFiles, readInput} from '../lib/input/sources.js'
import {KafkaCommand} from '../lib/kafka-command.js'
import {principalOf} from '../lib/kafka/authorization.js'
import {ACKS, COMPRESSIONS, PARTITIONERS, producerConfig} from '../lib/kafka/produce/config.js'
import {produceOutcomeError} from '../lib/kafka/produce/outcome.js'
import {ProduceRun} from '../lib/kafka/produce/run.js'
import type {ProduceSummary} from '../lib/kafka/produce/tally.js'
import {openFileWriter} from '../lib/output/file-writer.js'
import {ProduceReporter} from '../lib/output/produce-report.js'
import {onStdoutClosed} from '../lib/output/stdout-closed.js'
import {stdoutDrained} from '../lib/output/stream-drained.js'
import {deadLetterLines} from '../lib/records/dead-letter.js'
import {FORMAT_NAMES, serializerFor, type Serializer} from '../lib/records/serializers.js'
import {connectRegistry, registryFlags} from '../lib/registry-command.js'
import {SUBJECT_STRATEGIES, writingSerializer, type SubjectStrategy} from '../lib/registry/produce-schema.js'
import {isRegistryFormat, REGISTRY_FORMATS} from '../lib/registry/record-codecs.js'
import type {RegistryClient} from '../lib/registry/registry-client.js'
import {parseSchemaVersion} from '../lib/registry/schema-file.js'
import {trapInterrupts} from '../lib/signals.js'

export default class Produce extends KafkaCommand {
  static summary = 'Write records to a topic from stdin or files: one per line, or kafkit\'s jsonl records.'
  static description = `Replaces kafka-console-producer and kcat -P. Every record read is either delivered or reported as failed: the exit code is 0 only when all were delivered, and --dead-letter keeps the failed ones (jsonl) for replay.
Keys and values are serialized separately (--key-format, --value-format) byte for byte like the Java, confluent-kafka and QuixStreams serializers; keyed records land on the partition the Java client would pick.
Progress and the summary line go to stderr; stdout carries only --print-delivery lines (or the --json summary).
See docs/produce.md; the jsonl record format is defined in docs/formats.md.`

  static examples = [
    {description: 'One record per line from a file', command: '<%= config.bin %> produce orders --file orders.txt'},
    {description: 'Keys before a colon, a header on every record', command: "printf 'k1:v1\\nk2:v2\\n' | <%= config.bin %> produce orders -K : -H source=import"},
    {description: 'Integers as 4-byte big-endian values (Java IntegerSerializer)', command: 'seq 1 100 | <%= config.bin %> produce counts --value-format int'},
    {description: 'Copy a topic losslessly (keys, nulls, binary, headers)', command: '<%= config.bin %> consume orders --output jsonl -e | <%= config.bin %> produce orders-copy --input jsonl'},
    {description: 'All or nothing, with failed records kept for replay', command: '<%= config.bin %> produce orders --file batch.txt --transactional-id import-1 --dead-letter failed.jsonl'},
    {description: 'Tombstones: a value "NULL" becomes a null value', command: "printf 'user1:NULL\\n' | <%= config.bin %> produce users -K : --null-marker NULL"},
    {description: 'JSON lines written as Avro with a schema file (registered under orders-value unless --no-auto-register)', command: `echo '{"id": "o-1", "qty": 2}' | <%= config.bin %> produce orders --value-format avro --value-schema-file order.avsc`},
    {description: 'Where each record went, for a script', command: '<%= config.bin %> produce orders --file orders.txt --print-delivery | jq -c .offset'},
  ]

  static args = {
    topic: Args.string({description: 'Topic to write to (it must exist).', required: true}),
  }

  static flags = {
    file: Flags.string({summary: 'Read records from this file instead of stdin (repeatable; read in order).', multiple: true, multipleNonGreedy: true, helpGroup: 'INPUT'}),
    input: Flags.string({summary: 'Input format: one record per delimited line, or kafkit jsonl records.', options: ['lines', 'jsonl'], default: 'lines', helpGroup: 'INPUT'}),
    delimiter: Flags.string({char: 'D', summary: 'Record delimiter (escapes: \\n \\t \\0 \\xHH).', default: '\\n', helpGroup: 'INPUT'}),
    'key-separator': Flags.string({char: 'K', summary: 'Split each line into key and value at the first occurrence of this string (kcat -K, parse.key).', helpGroup: 'INPUT'}),
    key: Flags.string({char: 'k', summary: 'The same key for every record.', helpGroup: 'INPUT'}),
    header: Flags.string({char: 'H', summary: 'Header key=value on every record (repeatable, order kept; "key" alone = null value).', multiple: true, multipleNonGreedy: true, helpGroup: 'INPUT'}),
    partition: Flags.integer({char: 'p', summary: 'Write every record to this partition.', min: 0, helpGroup: 'INPUT'}),
    'null-marker': Flags.string({summary: 'A key or value equal to this string is sent as null (a null value is a tombstone).', helpGroup: 'INPUT'}),
    'empty-as-null': Flags.boolean({char: 'Z', summary: 'An empty key or value is sent as null (kcat -Z).', helpGroup: 'INPUT'}),
    'key-format': Flags.string({summary: `Key serializer: ${[...FORMAT_NAMES, ...REGISTRY_FORMATS.slice(0, 3)].join(', ')}.`, default: 'str', helpGroup: 'FORMAT'}),
    'value-format': Flags.string({
      summary: `Value serializer: ${[...FORMAT_NAMES, ...REGISTRY_FORMATS.slice(0, 3)].join(', ')}.`,
      description: 'avro, protobuf and json-schema take each value as JSON (a line, or a jsonl record\'s value) and write it in the Schema Registry wire format with the schema of --value-schema-id, --value-schema-subject or --value-schema-file; without them, the latest version of the subject (<topic>-value by default). A jsonl record\'s valueSchemaId (as consume writes it) picks the schema for that record. The same flags exist for keys (--key-schema-*).',
      default: 'str',
      helpGroup: 'FORMAT',
    }),
    'value-schema-file': Flags.string({summary: 'Schema file (.avsc, .json) for the values; registered under the subject unless --no-auto-register.', helpGroup: 'SCHEMA REGISTRY'}),
    'value-schema-subject': Flags.string({summary: 'Use the schema registered under this subject (default: from --subject-strategy).', aliases: ['value-subject'], helpGroup: 'SCHEMA REGISTRY'}),
    'value-schema-version': Flags.string({summary: 'Version of the subject\'s schema: a number or latest.', default: 'latest', helpGroup: 'SCHEMA REGISTRY'}),
    'value-schema-id': Flags.integer({summary: 'Use the schema with this id.', min: 0, helpGroup: 'SCHEMA REGISTRY'}),
    'value-proto-message': Flags.string({summary: 'Protobuf: the message to write (default: the first top-level message whose fields the JSON fits).', helpGroup: 'SCHEMA REGISTRY'}),
    'key-schema-file': Flags.string({summary: 'Schema file for the keys (as --value-schema-file).', helpGroup: 'SCHEMA REGISTRY'}),
    'key-schema-subject': Flags.string({summary: 'Subject of the keys\' schema (default: from --subject-strategy).', aliases: ['key-subject'], helpGroup: 'SCHEMA REGISTRY'}),
    'key-schema-version': Flags.string({summary: 'Version of the keys\' subject: a number or latest.', default: 'latest', helpGroup: 'SCHEMA REGISTRY'}),
    'key-schema-id': Flags.integer({summary: 'Use the schema with this id for the keys.', min: 0, helpGroup: 'SCHEMA REGISTRY'}),
    'key-proto-message': Flags.string({summary: 'Protobuf: the key message to write (default: as for values).', helpGroup: 'SCHEMA REGISTRY'}),
    'subject-strategy': Flags.string({
      summary: 'How subjects are named: topic (<topic>-value, <topic>-key), record (the record\'s full name) or topic-record.',
      options: [...SUBJECT_STRATEGIES],
      default: 'topic',
      helpGroup: 'SCHEMA REGISTRY',
    }),
    'auto-register': Flags.boolean({
      summary: 'Register a --*-schema-file under its subject when it is not there yet (the default, as Confluent\'s serializers do); --no-auto-register only looks it up.',
      allowNo: true,
      default: true,
      helpGroup: 'SCHEMA REGISTRY',
    }),
    ...registryFlags,
    // No flag defaults here: kafkit's defaults (acks all, murmur2_random) sit below -X and profiles.
    acks: Flags.string({summary: 'Acknowledgements to wait for (default all).', options: [...ACKS], helpGroup: 'PRODUCER'}),
    idempotence: Flags.boolean({summary: 'Idempotent producer: no duplicates on retries (on by default with --acks all).', allowNo: true, helpGroup: 'PRODUCER'}),
    compression: Flags.string({summary: 'Compression codec.', options: [...COMPRESSIONS], helpGroup: 'PRODUCER'}),
    'linger-ms': Flags.integer({summary: 'How long to wait to fill a batch (librdkafka linger.ms, default 5).', min: 0, helpGroup: 'PRODUCER'}),
    'batch-size': Flags.integer({summary: 'Maximum bytes in one batch (librdkafka batch.size).', min: 1, helpGroup: 'PRODUCER'}),
    partitioner: Flags.string({summary: 'Partitioner for keyed records (default murmur2_random, as the Java client).', options: [...PARTITIONERS], helpGroup: 'PRODUCER'}),
    'transactional-id': Flags.string({summary: 'Write the whole input as one transaction: all records become visible, or none.', helpGroup: 'PRODUCER'}),
    'delivery-timeout': Flags.string({summary: 'A record not delivered within this time fails (message.timeout.ms).', default: '2m', helpGroup: 'PRODUCER'}),
    'print-delivery': Flags.boolean({summary: 'Print one JSON line per delivered record to stdout: topic, partition, offset, timestamp, line.', helpGroup: 'OUTPUT'}),
    'dead-letter': Flags.string({summary: 'Write records that were not delivered, or not valid, to this file as jsonl for replay.', helpGroup: 'OUTPUT'}),
    'on-error': Flags.string({summary: 'On a bad input record or a failed delivery: stop reading (fail) or report it and go on (skip).', options: ['fail', 'skip'], default: 'fail', helpGroup: 'OUTPUT'}),
  }

  private registry?: RegistryClient

  /** A key or value serializer; a Schema Registry format with its schema chosen and fetched (registered) up front. */
  private async format(flags: Interfaces.InferredFlags<typeof Produce.flags & typeof Produce.baseFlags>, field: 'key' | 'value', topic: string): Promise<Serializer> {
    const name = flags[`${field}-format`]
    if (!isRegistryFormat(name)) return serializerFor(name, `--${field}-format`)
    this.registry ??= await connectRegistry(flags, this.secrets, (line) => this.debugLog(line))
    const {serializer, schemaId} = await writingSerializer(
      this.registry,
      {
        topic,
        isKey: field === 'key',
        format: name,
        id: flags[`${field}-schema-id`],
        subject: flags[`${field}-schema-subject`],
        version: parseSchemaVersion(flags[`${field}-schema-version`], `--${field}-schema-version`),
        filePath: flags[`${field}-schema-file`],
        strategy: flags['subject-strategy'] as SubjectStrategy,
        autoRegister: flags['auto-register'],
        // jsonl records may name their schema ids (as consume writes them).
        optional: flags.input === 'jsonl' && flags[`${field}-schema-subject`] === undefined,
      },
      flags[`${field}-proto-message`],
    )
    if (schemaId !== undefined) this.debugLog(`${field}s: schema id ${schemaId}`)
    return serializer
  }

  async run(): Promise<ProduceSummary> {
    const {args, flags} = await this.parse(Produce)
    const json = this.jsonEnabled()
    if (flags['print-delivery'] && json) throw usageError('--print-delivery and --json both write to stdout', 'choose one of them')
    const files = flags.file ?? []
    await checkInputFiles(files)
    for (const field of ['key', 'value'] as const) {
      const schemaFlags = ([`${field}-schema-file`, `${field}-schema-subject`, `${field}-schema-id`] as const).filter((name) => flags[name] !== undefined)
      if (schemaFlags.length > 0 && !isRegistryFormat(flags[`${field}-format`])) throw usageError(`--${schemaFlags[0]} needs --${field}-format avro, protobuf or json-schema`)
      if (schemaFlags.length > 1) throw usageError(`choose one of --${schemaFlags.join(', --')}`)
    }
    const settings = {
      topic: args.topic,
      input: flags.input as 'lines' | 'jsonl',
      delimiter: parseEscapes(flags.delimiter, '--delimiter'),
      keySeparator: flags['key-separator'] === undefined ? undefined : parseEscapes(flags['key-separator'], '--key-separator'),
      fixedKey: flags.key,
      headers: (flags.header ?? []).map(parseHeader),
      partition: flags.partition,
      nullMarker: flags['null-marker'] === undefined ? undefined : Buffer.from(flags['null-marker'], 'utf8'),
      emptyIsNull: flags['empty-as-null'],
      keyFormat: await this.format(flags, 'key', args.topic),
      valueFormat: await this.format(flags, 'value', args.topic),
      onError: flags['on-error'] as 'fail' | 'skip',
      transactional: flags['transactional-id'] !== undefined,
      deliveryTimeoutMs: parseDuration(flags['delivery-timeout'], '--delivery-timeout'),
    }
    if (settings.input === 'jsonl' && (settings.keySeparator || settings.nullMarker || settings.emptyIsNull || settings.fixedKey !== undefined)) {
      throw usageError('--key-separator, --key, --null-marker and --empty-as-null apply to line input only', 'a jsonl record carries its own key, and null is written as null')
    }

    const session = this.connect(flags)
    const config = producerConfig(session, {
      acks: flags.acks as (typeof ACKS)[number] | undefined,
      idempotence: flags.idempotence,
      compression: flags.compression as (typeof COMPRESSIONS)[number] | undefined,
      lingerMs: flags['linger-ms'],
      batchSize: flags['batch-size'],
      partitioner: flags.partitioner as (typeof PARTITIONERS)[number] | undefined,
      transactionalId: flags['transactional-id'],
      deliveryTimeoutMs: settings.deliveryTimeoutMs,
    })
    const deadLetter = flags['dead-letter'] === undefined ? undefined : await openFileWriter(flags['dead-letter'], '--dead-letter')
    const interrupts = trapInterrupts()
    // --print-delivery | head: stop reading, deliver what was read, and exit as if the input ended.
    const stdoutGone = new AbortController()
    const offStdoutClosed = onStdoutClosed(() => stdoutGone.abort('EPIPE'))
    const stop = AbortSignal.any([interrupts.stop, stdoutGone.signal])
    const report = new ProduceReporter(this.out, {topic: args.topic, json, printDelivery: flags['print-delivery']})
    let summary: ProduceSummary
    try {
      const producer = new ProduceRun(
        {...settings, config, timeoutMs: session.timeoutMs, drainTimeoutMs: session.timeoutMs},
        {
          chunks: readInput(files, stop),
          stop,
          hardStop: interrupts.hardStop,
          onDeliveries: report.deliveries,
          onFailedRecords: deadLetter ? (records) => deadLetter.write(deadLetterLines(records)) : undefined,
          onInvalid: (line, message) => report.invalid(line, message),
          onProgress: report.progress,
          onLog: (line) => this.debugLog(line),
          outputDrained: () => Promise.all([stdoutDrained(), deadLetter?.drained()]).then(() => undefined),
        },
      )
      await producer.prepare(session.connection)
      summary = await producer.run()
    } finally {
      interrupts.dispose()
      offStdoutClosed()
      await deadLetter?.close()
    }
    report.finished(summary)
    // Under --json the error still carries the summary, which the base command prints on stdout.
    const failure = produceOutcomeError(summary, flags['dead-letter'], settings.onError, principalOf(session.connection.properties))
    if (failure) throw failure
    return summary
  }
}

function parseHeader(text: string): [string, Buffer | null] {
  const at = text.indexOf('=')
  if (at === 0) throw usageError(`--header '${text}': the header name is empty`, 'use --header name=value')
  return at < 0 ? [text, null] : [text.slice(0, at), Buffer.from(text.slice(at + 1), 'utf8')]
}
