import {Args, Errors, Flags, Parser} from '@oclif/core'
import {describe, expect, it} from 'vitest'

import {toKafkitError} from '../../src/lib/error-translation.js'
import {errorToJson, ExitCode, KafkitError} from '../../src/lib/errors.js'
import {kafkaError, registerClientCodes} from '../../src/lib/kafka/kafka-errors.js'

describe('Kafka error translation', () => {
  it.each([
    ['UNKNOWN_TOPIC_OR_PART', ExitCode.NOT_FOUND],
    ['TOPIC_AUTHORIZATION_FAILED', ExitCode.AUTH],
    ['SASL_AUTHENTICATION_FAILED', ExitCode.AUTH],
    ['LEADER_NOT_AVAILABLE', ExitCode.CONNECTION],
    ['COORDINATOR_NOT_AVAILABLE', ExitCode.CONNECTION],
    ['REBALANCE_IN_PROGRESS', ExitCode.CONFLICT],
    ['MSG_SIZE_TOO_LARGE', ExitCode.USAGE],
    ['OFFSET_OUT_OF_RANGE', ExitCode.USAGE],
    ['NOT_ENOUGH_REPLICAS', ExitCode.FAILURE],
    ['_TIMED_OUT', ExitCode.CONNECTION],
  ])('%s exits %i with a sentence and the code', (code, exit) => {
    const error = kafkaError({code, message: 'Broker: something'}, 'topic orders')
    expect(error.exitCode).toBe(exit)
    expect(error.kafkaCode).toBe(code)
    expect(error.message.startsWith('topic orders: ')).toBe(true)
  })

  it('keeps the broker reason when it adds something', () => {
    const error = kafkaError({code: 'INVALID_CONFIG', message: 'Broker: Invalid value abc for configuration retention.ms'})
    expect(error.message).toBe('invalid configuration: Invalid value abc for configuration retention.ms')
  })

  it('maps the JS client numeric codes through the registered table', () => {
    registerClientCodes({ERR_UNKNOWN_TOPIC_OR_PART: 3, ERR__TIMED_OUT: -185})
    expect(kafkaError({code: 3, message: 'Broker: Unknown topic or partition'}).kafkaCode).toBe('UNKNOWN_TOPIC_OR_PART')
    expect(kafkaError({code: 3, message: 'Broker: Unknown topic or partition'}).message).toBe('the topic or partition does not exist')
  })

  it("leaves out librdkafka's generic text when it only repeats the sentence", () => {
    expect(kafkaError({code: 'GROUP_ID_NOT_FOUND', message: 'Broker: The group id does not exist'}, "group 'g'").message).toBe("group 'g': the consumer group does not exist")
  })

  it('reports unknown codes as a failure with the code', () => {
    const error = kafkaError({code: 'SOMETHING_NEW', message: 'Broker: new thing'})
    expect(error.exitCode).toBe(ExitCode.FAILURE)
    expect(error.message).toContain('(SOMETHING_NEW)')
  })
})

describe('toKafkitError', () => {
  it('turns oclif parse errors into usage errors (exit 2)', () => {
    const error = toKafkitError(new Errors.CLIError('Nonexistent flag: --bogus\nSee more help with --help'))
    expect(error.exitCode).toBe(ExitCode.USAGE)
    expect(error.message).toBe('Nonexistent flag: --bogus')
  })

  // The real errors oclif's parser throws, so an oclif upgrade that changes its wording shows here.
  const parseError = async (argv: string[]) => {
    const flags = {
      partitions: Flags.integer({min: 1}),
      count: Flags.integer({min: 0, max: 10}),
      'on-error': Flags.option({options: ['warn', 'skip', 'fail'] as const})(),
      since: Flags.string({parse: async () => { throw new KafkitError('usage', 'not a time', {hint: 'use -1h'}) }}),
      a: Flags.boolean({exclusive: ['b']}),
      b: Flags.boolean(),
    }
    const args = {topic: Args.string({required: true, description: 'Topic name'})}
    try {
      await Parser.parse(argv, {flags, args})
    } catch (error) {
      return toKafkitError(error)
    }
    throw new Error(`parsed: ${argv.join(' ')}`)
  }

  it.each([
    [['t', '--partitions', '0'], '--partitions must be at least 1, got 0'],
    [['t', '--partitions', '-1'], '--partitions must be at least 1, got -1'],
    [['t', '--partitions', 'many'], "--partitions must be a whole number, got 'many'"],
    [['t', '--count', '11'], '--count must be at most 10, got 11'],
    [['t', '--on-error', 'bogus'], "invalid --on-error 'bogus'"],
    [['t', '--since', 'x'], '--since: not a time'],
    [['t', '--a', '--b'], '--b=true cannot also be provided when using --a'],
    [[], 'Missing 1 required arg: topic (Topic name)'],
  ])('a flag or argument the parser refuses is one line naming the rule: %j', async (argv, message) => {
    const error = await parseError(argv)
    expect(error.exitCode).toBe(ExitCode.USAGE)
    expect(error.message).toBe(message)
  })

  it('an option flag names the choices in the hint; a thrown KafkitError keeps its own', async () => {
    expect((await parseError(['t', '--on-error', 'bogus'])).hint).toBe('choose one of: warn, skip, fail')
    expect((await parseError(['t', '--since', 'x'])).hint).toBe('use -1h')
  })

  it('keeps unexpected errors to their first line', () => {
    expect(toKafkitError(new Error('boom\n  at somewhere')).message).toBe('boom')
  })

  it('gives a stable JSON shape', () => {
    expect(errorToJson(new KafkitError('not_found', 'no such topic', {hint: 'h', kafkaCode: 'X'}))).toEqual({
      error: {code: 'not_found', message: 'no such topic', hint: 'h', kafkaCode: 'X', exitCode: 5},
    })
  })
})
