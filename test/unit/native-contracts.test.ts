import {describe, expect, it} from 'vitest'

import {ExitCode, KafkitError} from '../../src/lib/errors.js'
import {EXTENSION_CONTRACTS} from '../../src/lib/native/contracts.js'
import {checkContract, contractDifferences} from '../../src/lib/native/load.js'

// A copy of what a current build reports, to alter field by field.
const current = () => structuredClone(EXTENSION_CONTRACTS) as unknown as Record<string, Record<string, unknown>>

function staleError(name: 'admin' | 'consume' | 'produce', contract: unknown): KafkitError {
  try {
    checkContract(name, {contract})
  } catch (error) {
    return error as KafkitError
  }
  throw new Error(`no error for ${JSON.stringify(contract)}`)
}

describe('native extension contracts', () => {
  it('accepts the contract this code expects', () => {
    for (const name of ['admin', 'produce', 'consume'] as const) expect(() => checkContract(name, {contract: current()[name]})).not.toThrow()
  })

  it('refuses a stale build as an environment error (exit 9) that says how to rebuild', () => {
    const error = staleError('admin', {version: 0})
    expect(error).toBeInstanceOf(KafkitError)
    expect(error.kind).toBe('environment')
    expect(error.exitCode).toBe(ExitCode.ENVIRONMENT)
    expect(error.message).toMatch(/kafkit native admin extension is stale.*contract\.version: got 0, expected 4/)
    expect(error.hint).toMatch(/build-native\.sh --force|npm run install/)
  })

  it('notices each layout field: produce descriptor counts, consume op codes and modes', () => {
    const produce = current().produce!
    produce.descFields = 9
    expect(staleError('produce', produce).message).toContain('contract.descFields: got 9, expected 8')

    const consume = current().consume!
    ;(consume.ops as Record<string, number>).JSONL = 13
    expect(staleError('consume', consume).message).toContain('contract.ops.JSONL: got 13, expected 12')

    const modes = current().consume!
    ;(modes.timestampModes as Record<string, number>).iso = 7
    expect(staleError('consume', modes).message).toContain('contract.timestampModes.iso')
  })

  it('refuses an extension from before contracts (no contract export)', () => {
    expect(staleError('produce', undefined).message).toContain('contract: missing')
    expect(contractDifferences({a: {b: 1}}, {a: {}})).toEqual(['contract.a.b: got undefined, expected 1'])
  })
})
