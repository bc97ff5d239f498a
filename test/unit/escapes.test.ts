import {describe, expect, it} from 'vitest'

import {unescapeBytes} from '../../src/lib/input/escapes.js'

// The one escape rule set of separators (produce) and format strings (consume -f).
describe('unescapeBytes', () => {
  it('\\n \\r \\t \\0 \\\\ and \\xHH become their bytes; other text is UTF-8', () => {
    expect(unescapeBytes('a\\tb\\n\\r\\0\\\\\\xff\\x1Eé', '-f')).toEqual(Buffer.concat([Buffer.from('a\tb\n\r\0\\'), Buffer.from([0xff, 0x1e]), Buffer.from('é')]))
  })

  it('a trailing backslash stands for itself; empty text is empty', () => {
    expect(unescapeBytes('ab\\', '-f')).toEqual(Buffer.from('ab\\'))
    expect(unescapeBytes('', '-f')).toEqual(Buffer.alloc(0))
  })

  it('any other escape is a usage error naming the flag', () => {
    expect(() => unescapeBytes('\\q', "-f '\\q'")).toThrow("-f '\\q': unknown escape '\\q'")
    expect(() => unescapeBytes('\\x4', '--delimiter')).toThrow("--delimiter: unknown escape '\\x4'")
  })
})
