import {KafkitError} from '../../errors.js'
import {skipOptimizingCompiler} from '../../native/optimizing-compiler.js'
import {loadNativeConsume} from './native.js'
import type {KafkaSession} from '../session.js'
import {consumerConfig} from './config.js'
import {consumeWithClient} from './js-loop.js'
import {consumeNatively} from './native-loop.js'
import {partitionsToRead, timestampTypesOf} from './partitions.js'
import {offsetResetFrom, planPartitions, type OffsetReset} from './positions.js'
import type {ConsumeRequest, ConsumeSink, ConsumeSummary} from './request.js'
import {stateFromPlans} from './state.js'
import {resolveTopics} from '../topics/resolve.js'

// The consume core behind `kafkit consume` (docs/consume.md): resolves topics and partitions,
// plans where each partition starts and stops, then runs one of two read loops: the native one
// (output C can format, direct or in a group) or the JS one. Both hand their output to the
// caller's sink through one write pipeline. The core never prints; the command supplies the sink
// and notices.

export async function consumeRecords(session: KafkaSession, request: ConsumeRequest, sink: ConsumeSink): Promise<ConsumeSummary> {
  // Before anything loads or connects: a run that will read natively runs no hot JavaScript.
  // Not for framed records: their decoding is JavaScript per record, which needs the optimizing compiler.
  if (jsLoopReason(request, sink) === undefined && !sink.framed && !stopsAtTime(request) && request.allowNative && loadNativeConsume()) skipOptimizingCompiler()
  await session.ensureReachable()
  const grouped = request.group !== undefined
  const topics = await resolveTopics(session, {names: request.topics, pattern: request.pattern, operation: 'READ'})
  if (topics.length === 0 && request.pattern !== undefined && !grouped) {
    // A group keeps following the pattern: topics created later are read.
    throw new KafkitError('not_found', `no topic matches --pattern ${request.pattern}`, {hint: 'list topics with: kafkit topics list'})
  }
  const userReset = offsetResetFrom(session.connection.properties, 'none' as const)
  const reset: OffsetReset = userReset === 'none' ? 'latest' : userReset
  const partitions = topics.length === 0 ? [] : await partitionsToRead(session, topics, request.partitions, request.spec)
  const plans = await planPartitions(session, partitions, request.spec, {
    isolation: request.isolation,
    group: grouped,
    exitAtEnd: request.exitAtEnd,
    untilMs: request.untilMs,
    reset,
    now: Date.now(),
    notice: request.notice,
  })
  const state = stateFromPlans(plans)

  // librdkafka takes a topic starting with ^ as a regular expression (its own POSIX-like
  // dialect: no (?:...) groups), and re-evaluates it as topics are created.
  const subscription = grouped ? (request.pattern === undefined ? topics : [...request.topics, `^(${request.pattern})$`]) : undefined
  const config = consumerConfig(session, request, grouped, userReset)

  // The native loop formats in C: no per-record JS (filters, --json), no time-based stop.
  const needsJs = jsLoopReason(request, sink) ?? (plans.some((p) => p.stopTime !== undefined) ? 'a stop at a future time' : undefined)
  const native = needsJs || !request.allowNative ? undefined : loadNativeConsume()
  const mode = grouped ? `group ${request.group}` : 'direct assignment'
  if (native) {
    request.debug?.(`consume: native loop (${mode}${sink.formatter.nativeProgram ? '' : '; records framed in C, formatted in JS'})`)
    return consumeNatively(native, request, sink, state, {config, subscription}, session)
  }
  request.debug?.(`consume: JS loop (${mode}; ${needsJs ?? (request.allowNative ? 'native extension not built' : 'native loop switched off')})`)
  return consumeWithClient(session, request, sink, state, {
    config,
    subscription,
    timestampTypes: request.needsTimestampType ? await timestampTypesOf(session, topics) : undefined,
  })
}

/** Why the JS loop must read, as far as the request and the output tell before planning. */
function jsLoopReason(request: ConsumeRequest, sink: ConsumeSink): string | undefined {
  if (request.onRecord || request.filter) return 'a per-record filter or --json'
  // Framed records (Schema Registry formats) are read by C and decoded by JS a batch at a time.
  return sink.formatter.nativeProgram || sink.framed ? undefined : 'an output only JavaScript formats'
}

/** Whether a stop may be a point in time (--until, a @TIME range end): planning may then pick the JS loop. */
function stopsAtTime({untilMs, spec}: ConsumeRequest): boolean {
  const ranges = [spec.all, ...spec.partitions.values(), ...[...spec.topics.values()].flatMap((partitions) => [...partitions.values()])]
  return untilMs !== undefined || ranges.some((range) => range.stop?.kind === 'time')
}
