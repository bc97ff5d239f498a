import {describe, expect, it} from 'vitest'

import {chooseRecordFormatter} from '../../src/lib/output/format/choose.js'
import type {ConsumedRecord} from '../../src/lib/records/consumed-record.js'

const record: ConsumedRecord = {topic: 't', partition: 1, offset: 7, timestamp: 1000, key: Buffer.from('k'), value: Buffer.from('v'), headers: [{h: Buffer.from('x')}]}
const out = (choice: Parameters<typeof chooseRecordFormatter>[0]) => {
  const f = chooseRecordFormatter(choice, {})
  return Buffer.from(f.format(record)!, f.encoding).toString()
}

describe('which formatter consume flags choose', () => {
  it('piped default: the value per line; --output text too on a terminal', () => {
    const plain = {dim: (s: string) => `<${s}>`, cyan: (s: string) => s, yellow: (s: string) => s}
    expect(out({})).toBe('v\n')
    expect(out({output: 'text', terminal: plain})).toBe('v\n')
    expect(out({terminal: plain})).toMatch(/^<1:7 /)
  })

  it("--print-*: the Apache console consumer's layout, with its separator and null literal", () => {
    expect(out({printKey: true, printPartition: true, printOffset: true, printHeaders: true})).toBe('Partition:1\tOffset:7\th:x\tk\tv\n')
    expect(out({printKey: true, keySeparator: ' | '})).toBe('k | v\n')
    expect(out({printKey: true, keySeparator: '%s'})).toBe('k%sv\n')
  })

  it('-f and --output jsonl cannot be combined with --print-*', () => {
    expect(() => chooseRecordFormatter({format: '%s', printKey: true}, {})).toThrow(/-f cannot be combined/)
    expect(() => chooseRecordFormatter({output: 'jsonl', format: '%s'}, {})).toThrow(/--output jsonl cannot be combined/)
    expect(JSON.parse(out({output: 'jsonl'})).value).toBe('v')
  })
})
