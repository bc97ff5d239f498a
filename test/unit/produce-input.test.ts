import {describe, expect, it} from 'vitest'

import {parseEscapes} from '../../src/lib/input/escapes.js'
import {RecordSplitter} from '../../src/lib/input/record-splitter.js'

function split(delimiter: string, chunks: string[]): string[] {
  const splitter = new RecordSplitter(Buffer.from(delimiter))
  const out: string[] = []
  const sink = (b: Buffer, s: number, e: number) => out.push(b.toString('utf8', s, e))
  for (const chunk of chunks) splitter.push(Buffer.from(chunk), sink)
  splitter.finish(sink)
  return out
}

describe('parseEscapes', () => {
  it('turns kcat-style escapes into bytes', () => {
    expect(parseEscapes('\\n', '--delimiter')).toEqual(Buffer.from([0x0a]))
    expect(parseEscapes('\\0', '--delimiter')).toEqual(Buffer.from([0]))
    expect(parseEscapes('\\t|\\r\\\\', '--delimiter')).toEqual(Buffer.from('\t|\r\\'))
    expect(parseEscapes('\\x1e', '--delimiter')).toEqual(Buffer.from([0x1e]))
    expect(parseEscapes('é', '-K')).toEqual(Buffer.from('é', 'utf8'))
    expect(parseEscapes('::', '-K')).toEqual(Buffer.from('::'))
  })

  it('rejects unknown escapes and empty separators', () => {
    expect(() => parseEscapes('\\q', '--delimiter')).toThrow(/unknown escape/)
    expect(() => parseEscapes('', '--delimiter')).toThrow(/must not be empty/)
    expect(() => parseEscapes('\\xZZ', '--delimiter')).toThrow(/unknown escape/)
  })
})

describe('RecordSplitter', () => {
  it('keeps empty records in the middle, drops nothing, adds no record for a trailing delimiter', () => {
    expect(split('\n', ['a\n\nb\n'])).toEqual(['a', '', 'b'])
    expect(split('\n', ['a\nb'])).toEqual(['a', 'b'])
    expect(split('\n', ['\n'])).toEqual([''])
    expect(split('\n', [''])).toEqual([])
  })

  it('joins records split across chunks', () => {
    expect(split('\n', ['ab', 'c\nde', 'f\n', 'g'])).toEqual(['abc', 'def', 'g'])
  })

  it('handles multi-byte delimiters split across chunks', () => {
    expect(split('||', ['a|', '|b||c|', '|'])).toEqual(['a', 'b', 'c'])
    expect(split('\r\n', ['x\r\ny\r', '\n'])).toEqual(['x', 'y'])
  })

  it('keeps carriage returns and NUL bytes: nothing is altered', () => {
    expect(split('\n', ['a\r\nb\0c\n'])).toEqual(['a\r', 'b\0c'])
    expect(split('\0', ['a\nb\0c'])).toEqual(['a\nb', 'c'])
  })
})
