import {Errors} from '@oclif/core'
import {describe, expect, it} from 'vitest'

import {toKafkitError} from '../../src/lib/base-command.js'
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

  it('keeps unexpected errors to their first line', () => {
    expect(toKafkitError(new Error('boom\n  at somewhere')).message).toBe('boom')
  })

  it('gives a stable JSON shape', () => {
    expect(errorToJson(new KafkitError('not_found', 'no such topic', {hint: 'h', kafkaCode: 'X'}))).toEqual({
      error: {code: 'not_found', message: 'no such topic', hint: 'h', kafkaCode: 'X', exitCode: 5},
    })
  })
})
