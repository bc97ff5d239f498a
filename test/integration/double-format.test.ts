import {describe, expect, inject, it} from 'vitest'

import {createTopics} from './admin-client.js'
import {runKafkit, uniqueName} from './cli.js'

// --value-format double, both directions and through a jsonl copy: negative zero, NaN, the
// infinities and the subnormals keep their exact bytes (what Java's DoubleSerializer stores).

const bootstrap = inject('bootstrap')
const VALUES = ['-0.0', '0', 'NaN', 'Infinity', '-Infinity', '5e-324', '-2.225073858507201e-308', '1.5']
const BYTES = ['8000000000000000', '0000000000000000', '7ff8000000000000', '7ff0000000000000', 'fff0000000000000', '0000000000000001', '800fffffffffffff', '3ff8000000000000']

const valuesHex = async (topic: string) => {
  const result = await runKafkit(['consume', topic, '-e', '-f', '%v{hex}\\n', '-b', bootstrap])
  expect(result.exitCode, result.stderr).toBe(0)
  return result.stdout.trim().split('\n')
}

describe('produce / consume --value-format double', () => {
  it('prints what it stored, and a jsonl copy keeps every value byte for byte', async () => {
    const source = uniqueName('double-src')
    const copy = uniqueName('double-copy')
    await createTopics(bootstrap, [source, copy])
    const produced = await runKafkit(['produce', source, '--value-format', 'double', '-b', bootstrap], {input: VALUES.join('\n') + '\n'})
    expect(produced.exitCode, produced.stderr).toBe(0)
    expect(await valuesHex(source)).toEqual(BYTES)

    const printed = await runKafkit(['consume', source, '-e', '--value-format', 'double', '-b', bootstrap])
    expect(printed.stdout.trim().split('\n')).toEqual(VALUES)

    const jsonl = await runKafkit(['consume', source, '-e', '--output', 'jsonl', '--value-format', 'double', '-b', bootstrap])
    expect(jsonl.exitCode, jsonl.stderr).toBe(0)
    const copied = await runKafkit(['produce', copy, '--input', 'jsonl', '--value-format', 'double', '-b', bootstrap], {input: jsonl.stdout})
    expect(copied.exitCode, copied.stderr).toBe(0)
    expect(await valuesHex(copy)).toEqual(BYTES)
  })
})
