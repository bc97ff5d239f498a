import {Args, Flags, type Interfaces} from '@oclif/core'

import {parseDuration} from '../lib/duration.js'
import {interruptedError, usageError} from '../lib/errors.js'
import {KafkaCommand} from '../lib/kafka-command.js'
import type {PipeErrorPolicy, PipeSummary} from '../lib/kafka/pipe/request.js'
import {runPipe} from '../lib/kafka/pipe/run.js'
import {topicMatcher} from '../lib/kafka/topics/names.js'
import {parseOffsetSpec} from '../lib/offset-spec.js'
import {formatPipeProgress, formatPipeSummary} from '../lib/output/pipe-report.js'
import {FORMAT_NAMES, serializerFor, type Serializer} from '../lib/records/serializers.js'
import {connectRegistry, registryFlags} from '../lib/registry-command.js'
import {writingSerializer} from '../lib/registry/produce-schema.js'
import {isRegistryFormat, REGISTRY_FORMATS, registrySerializer} from '../lib/registry/record-codecs.js'
import type {RegistryClient} from '../lib/registry/registry-client.js'
import {trapInterrupts} from '../lib/signals.js'
import {execTransform} from '../lib/transform/exec-transform.js'
import {expressionSteps, expressionTransform} from '../lib/transform/expressions.js'
import {moduleTransform} from '../lib/transform/module-transform.js'
import {chainTransforms, type RecordTransform} from '../lib/transform/record-transform.js'

type PipeFlags = Interfaces.InferredFlags<typeof Pipe.flags & typeof Pipe.baseFlags>

export default class Pipe extends KafkaCommand {
  static summary = 'Consume, transform and produce in one step: exactly once within a cluster, at least once across clusters.'
  static description = `Reads the SOURCE topics as a member of the consumer group -g, hands each record to the transforms (--map, --filter, --transform, --exec, in that order) and writes what they return to DESTINATION. Without a transform, records are copied exactly: key, value, headers and timestamp.

Exactly once (the default, one cluster): a transactional producer writes the outputs and the group's source offsets in one transaction, committed every --commit-interval; a reader with isolation.level=read_committed sees each source record's output once, across kill -9, restarts, rebalances and broker restarts. Across clusters (--to-bootstrap, --to-profile, --to-command-config) it is at least once: an idempotent producer, and source offsets committed only after every record was delivered. --at-least-once chooses that on one cluster too.

Several processes with the same -g share the source partitions (Kafka's group protocol): that is how to scale out. -o applies to partitions the group has no committed offset for. Ctrl-C / SIGTERM commit what was done, leave the group, print a summary and exit 130 / 143. See docs/pipe.md.`

  static examples = [
    {description: 'Celsius to Fahrenheit, exactly once; exit once caught up', command: "<%= config.bin %> pipe readings readings-f -g to-fahrenheit -e --value-format json --map '({...r, value: {...r.value, fahrenheit: r.value.celsius * 9 / 5 + 32}})'"},
    {description: 'Keep only some records, keyed by their id', command: "<%= config.bin %> pipe orders big-orders -g big -e --value-format json --filter 'r.value.id > 1000' --map '({...r, key: String(r.value.id)})'"},
    {description: 'Copy a topic to another cluster (at least once); keeps running until Ctrl-C', command: '<%= config.bin %> pipe orders orders -g mirror --to-bootstrap dr-kafka:9092'},
    {description: 'Any program as the transform: one line in, one line out', command: "<%= config.bin %> pipe events events-clean -g clean -e --exec \"jq -c --unbuffered '.value |= ascii_downcase'\""},
    {description: 'Records the transform fails on go to a dead-letter topic', command: '<%= config.bin %> pipe orders enriched -g enrich -e --value-format json --transform enrich.mjs --on-error dead-letter orders-dlq'},
    {description: 'Replay the dead-letter topic into its source', command: '<%= config.bin %> pipe orders-dlq orders -g replay -e'},
  ]

  static strict = false

  static args = {
    topics: Args.string({description: 'SOURCE... DESTINATION: one or more source topics, then the destination topic.'}),
  }

  static flags = {
    group: Flags.string({char: 'g', summary: 'The consumer group that owns the progress (required: a restart continues from it).', required: true, helpGroup: 'READ'}),
    pattern: Flags.string({summary: 'Also read every topic whose whole name matches this regular expression.', helpGroup: 'READ'}),
    offset: Flags.string({char: 'o', summary: 'Where partitions without a committed offset start: beginning (default), end, N, -N, +N, @TIME.', multiple: true, multipleNonGreedy: true, helpGroup: 'READ'}),
    exit: Flags.boolean({char: 'e', summary: 'Exit once caught up: every assigned partition reached the end of its log.', helpGroup: 'READ'}),
    map: Flags.string({summary: "JavaScript expression over the record r returning a record, a list or null: '({...r, value: r.value.x})' (repeatable).", multiple: true, multipleNonGreedy: true, helpGroup: 'TRANSFORM'}),
    filter: Flags.string({summary: "JavaScript expression over r: keep the record when it is truthy: 'r.value.total > 10' (repeatable).", multiple: true, multipleNonGreedy: true, helpGroup: 'TRANSFORM'}),
    transform: Flags.string({summary: 'A .js/.mjs module whose default export takes a record (or a batch, with `export const batch = true`); may be async.', helpGroup: 'TRANSFORM'}),
    exec: Flags.string({summary: 'A program reading jsonl records on stdin and writing one line per record: a record, a JSON array of records, or null.', helpGroup: 'TRANSFORM'}),
    'on-error': Flags.string({summary: 'A record the transform fails on: fail (stop), skip, or dead-letter TOPIC (its original bytes, with headers saying why). Default fail.', helpGroup: 'TRANSFORM'}),
    'dead-letter-topic': Flags.string({summary: 'The dead-letter topic (same as --on-error dead-letter TOPIC).', helpGroup: 'TRANSFORM'}),
    'key-format': Flags.string({summary: `How keys are decoded for transforms: ${[...FORMAT_NAMES, ...REGISTRY_FORMATS].join(', ')} (default str).`, helpGroup: 'FORMAT'}),
    'value-format': Flags.string({summary: `How values are decoded for transforms: ${[...FORMAT_NAMES, ...REGISTRY_FORMATS].join(', ')} (default str).`, helpGroup: 'FORMAT'}),
    'output-key-format': Flags.string({summary: 'How output keys are encoded (default: --key-format).', helpGroup: 'FORMAT'}),
    'output-value-format': Flags.string({summary: 'How output values are encoded (default: --value-format).', helpGroup: 'FORMAT'}),
    'output-value-schema-file': Flags.string({summary: 'Schema Registry output: write values with this schema file (.avsc, .proto, .json), registered under <destination>-value.', helpGroup: 'SCHEMA REGISTRY'}),
    'output-value-schema-subject': Flags.string({summary: 'Schema Registry output: write values with the latest schema of this subject.', helpGroup: 'SCHEMA REGISTRY'}),
    'output-value-schema-id': Flags.integer({summary: 'Schema Registry output: write values with the schema of this id.', min: 0, helpGroup: 'SCHEMA REGISTRY'}),
    'output-key-schema-file': Flags.string({summary: 'As --output-value-schema-file, for keys (<destination>-key).', helpGroup: 'SCHEMA REGISTRY'}),
    'output-key-schema-subject': Flags.string({summary: 'As --output-value-schema-subject, for keys.', helpGroup: 'SCHEMA REGISTRY'}),
    'output-key-schema-id': Flags.integer({summary: 'As --output-value-schema-id, for keys.', min: 0, helpGroup: 'SCHEMA REGISTRY'}),
    ...registryFlags,
    'keep-partitions': Flags.boolean({summary: "Write each record to its source partition (default: the destination's partitioner, as Java's).", helpGroup: 'WRITE'}),
    'at-least-once': Flags.boolean({summary: 'No transactions on one cluster: outputs visible at once, no read_committed needed; after a crash some may appear twice.', helpGroup: 'GUARANTEE'}),
    'commit-interval': Flags.string({summary: 'How often progress is committed (a transaction, or the offsets): 1s, 500ms, 5s.', default: '1s', helpGroup: 'GUARANTEE'}),
    'commit-every': Flags.integer({summary: 'Also commit after this many source records.', min: 1, helpGroup: 'GUARANTEE'}),
    'transactional-id': Flags.string({summary: 'The producer\'s transactional.id (default: one per process). A restart with the same id ends the old one\'s open transaction at once.', helpGroup: 'GUARANTEE'}),
    'to-bootstrap': Flags.string({summary: 'The destination cluster\'s bootstrap servers (another cluster: at least once).', helpGroup: 'DESTINATION CLUSTER'}),
    'to-profile': Flags.string({summary: 'The destination cluster\'s connection profile.', helpGroup: 'DESTINATION CLUSTER'}),
    'to-command-config': Flags.string({summary: 'The destination cluster\'s Java client .properties file.', helpGroup: 'DESTINATION CLUSTER'}),
    'to-property': Flags.string({summary: 'librdkafka property key=value for the destination cluster (repeatable).', multiple: true, multipleNonGreedy: true, helpGroup: 'DESTINATION CLUSTER'}),
  }

  private registry?: RegistryClient

  /** How keys or values are decoded for transforms; a Schema Registry format reads each record's schema id. */
  private async inputFormat(flags: PipeFlags, field: 'key' | 'value'): Promise<Serializer> {
    const name = flags[`${field}-format`] ?? 'str'
    if (!isRegistryFormat(name)) return serializerFor(name, `--${field}-format`)
    this.registry ??= await connectRegistry(flags, this.secrets, (line) => this.debugLog(line))
    return registrySerializer(name, this.registry, {isKey: field === 'key'})
  }

  /**
   * How outputs are encoded: by default as they were read (a Schema Registry format writes each
   * record with the schema id it carries, so a transform keeps its input's schema); an output
   * schema flag writes every record with that schema instead.
   */
  private async outputFormat(flags: PipeFlags, field: 'key' | 'value', destination: string, read: Serializer): Promise<Serializer> {
    const schemaFlags = ([`output-${field}-schema-file`, `output-${field}-schema-subject`, `output-${field}-schema-id`] as const).filter((name) => flags[name] !== undefined)
    if (schemaFlags.length > 1) throw usageError(`choose one of --${schemaFlags.join(', --')}`)
    const given = flags[`output-${field}-format`]
    const name = given ?? flags[`${field}-format`] ?? 'str'
    if (schemaFlags.length > 0 && !isRegistryFormat(name)) throw usageError(`--${schemaFlags[0]} needs --output-${field}-format (or --${field}-format) avro, protobuf or json-schema`)
    if (schemaFlags.length === 0) {
      if (given === undefined) return read
      // Records read in a plain format carry no schema id to write with.
      if (isRegistryFormat(given) && !read.prepare) {
        throw usageError(`--output-${field}-format ${given} needs a schema`, `name it with --output-${field}-schema-file, --output-${field}-schema-subject or --output-${field}-schema-id`)
      }
      return this.inputFormat({...flags, [`${field}-format`]: given}, field)
    }
    if (!isRegistryFormat(name)) return serializerFor(name, `--output-${field}-format`)
    this.registry ??= await connectRegistry(flags, this.secrets, (line) => this.debugLog(line))
    const {serializer} = await writingSerializer(this.registry, {
      topic: destination,
      isKey: field === 'key',
      format: name,
      id: flags[`output-${field}-schema-id`],
      subject: flags[`output-${field}-schema-subject`],
      version: 'latest',
      filePath: flags[`output-${field}-schema-file`],
      strategy: 'topic',
      autoRegister: true,
    })
    // Every record with the chosen schema: the id a record carries (its input's) is not used.
    return {...serializer, prepare: undefined, encodeJson: (value: unknown) => serializer.encodeJson!(value)}
  }

  async run(): Promise<PipeSummary> {
    const rawArgv = deadLetterTopicAsFlag(this.argv)
    this.argv = rawArgv
    const {argv, flags} = await this.parse(Pipe)
    // The last word is the destination (argv is in the order typed: BaseCommand.parse).
    const topics = argv as string[]
    if (topics.length < (flags.pattern === undefined ? 2 : 1)) {
      throw usageError('name the source topic(s) and the destination', 'kafkit pipe SOURCE... DESTINATION -g GROUP')
    }
    const destination = topics.at(-1)!
    const sources = topics.slice(0, -1)
    const spec = parseOffsetSpec(flags.offset ?? [])
    if (spec.all.stop !== undefined || [...spec.partitions.values()].some((r) => r.stop !== undefined)) {
      throw usageError('pipe takes a start position only', 'use -e to stop once caught up')
    }
    const onError = errorPolicy(flags['on-error'], flags['dead-letter-topic'])
    const input = {key: await this.inputFormat(flags, 'key'), value: await this.inputFormat(flags, 'value')}
    const output = {key: await this.outputFormat(flags, 'key', destination, input.key), value: await this.outputFormat(flags, 'value', destination, input.value)}
    await this.registry?.ensureReachable()
    const commitIntervalMs = parseDuration(flags['commit-interval'], '--commit-interval')
    const otherCluster = [flags['to-bootstrap'], flags['to-profile'], flags['to-command-config'], flags['to-property']].some((v) => v !== undefined)
    if (otherCluster && flags['transactional-id'] !== undefined) throw usageError('--transactional-id needs one cluster: across clusters the pipe is at least once')
    // On one cluster, a destination that is also a source would read its own output forever.
    if (!otherCluster && (sources.includes(destination) || (flags.pattern !== undefined && topicMatcher(flags.pattern)(destination)))) {
      throw usageError(`the destination '${destination}' is also a source: the pipe would read its own output`, 'write to another topic (or to another cluster with --to-bootstrap)')
    }

    const transforms: RecordTransform[] = []
    const steps = expressionSteps(rawArgv)
    if (steps.length > 0) transforms.push(expressionTransform(steps))
    if (flags.transform !== undefined) transforms.push(await moduleTransform(flags.transform))
    if (flags.exec !== undefined) transforms.push(execTransform(flags.exec))
    const transform = transforms.length === 0 ? undefined : chainTransforms(transforms)

    const source = this.connect(flags)
    const destinationSession = otherCluster
      ? this.connectOther({
          bootstrapServer: flags['to-bootstrap'],
          profile: flags['to-profile'],
          commandConfig: flags['to-command-config'],
          properties: flags['to-property'],
          timeoutMs: source.timeoutMs,
        })
      : source
    const guarantee = otherCluster || flags['at-least-once'] ? 'at-least-once' : 'exactly-once'
    if (otherCluster && !flags['at-least-once']) this.out.notice('pipe: across clusters the copy is at least once (a crash can repeat outputs); exactly once holds within one cluster')

    const interrupts = trapInterrupts({exitOnSecond: true})
    let rate = {at: Date.now(), in: 0}
    try {
      const summary = await runPipe(
        {source, destination: destinationSession},
        {
          sources,
          pattern: flags.pattern,
          destination,
          group: flags.group,
          spec,
          exitAtEnd: flags.exit === true,
          keepPartitions: flags['keep-partitions'] === true,
          guarantee,
          commitIntervalMs,
          commitEvery: flags['commit-every'],
          transactionalId: flags['transactional-id'],
          transform,
          input,
          output,
          onError,
          signal: interrupts.stop,
          notice: (text) => {
            this.out.endProgress()
            this.out.warn(text)
          },
          progress: this.out.isErrTTY
            ? (p) => {
                const now = Date.now()
                const perSecond = ((p.in - rate.in) * 1000) / Math.max(1, now - rate.at)
                rate = {at: now, in: p.in}
                this.out.progress(formatPipeProgress(p, perSecond))
              }
            : undefined,
        },
        this.debugEnabled ? (line) => this.debugLog(line) : undefined,
      )
      this.out.endProgress()
      if (!this.jsonEnabled()) this.out.notice(formatPipeSummary(summary))
      const signal = interrupts.received
      if (signal !== undefined) throw interruptedError(signal, `interrupted by ${signal}; ${formatPipeSummary(summary)}`, {data: summary})
      return summary
    } finally {
      this.out.endProgress()
      interrupts.dispose()
    }
  }
}

/** `--on-error dead-letter TOPIC` (two words after the flag) -> `--on-error dead-letter --dead-letter-topic TOPIC`. */
function deadLetterTopicAsFlag(argv: string[]): string[] {
  const out = [...argv]
  for (let i = 0; i < out.length; i++) {
    if (out[i] === '--') break
    const inline = out[i] === '--on-error=dead-letter'
    const split = out[i] === '--on-error' && out[i + 1] === 'dead-letter'
    if (!inline && !split) continue
    const at = inline ? i + 1 : i + 2
    const next = out[at]
    if (next !== undefined && !next.startsWith('-')) out.splice(at, 0, '--dead-letter-topic')
  }
  return out
}

function errorPolicy(onError: string | undefined, topic: string | undefined): PipeErrorPolicy {
  const policy = onError ?? (topic === undefined ? 'fail' : 'dead-letter')
  switch (policy) {
    case 'fail':
    case 'skip':
      if (topic !== undefined) throw usageError('--dead-letter-topic goes with --on-error dead-letter')
      return {kind: policy}
    case 'dead-letter':
      if (topic === undefined) throw usageError('--on-error dead-letter needs a topic', 'kafkit pipe SRC DST -g G --on-error dead-letter SRC-dlq')
      return {kind: 'dead-letter', topic}
    default:
      throw usageError(`--on-error must be fail, skip or dead-letter TOPIC, not '${policy}'`)
  }
}
