import {usageError} from '../errors.js'

// Separators typed on the command line (--delimiter, --key-separator) may contain escapes, as
// in kcat: \n \r \t \0 \\ and \xHH. Everything else is taken literally, as UTF-8.

const SIMPLE: Record<string, number> = {n: 0x0a, r: 0x0d, t: 0x09, '0': 0x00, '\\': 0x5c}

/** Turns `\t`, `\0`, `\x1e` ... into their bytes. An empty result is a usage error. */
export function parseEscapes(text: string, flag: string): Buffer {
  const bytes: number[] = []
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!
    if (char !== '\\' || i === text.length - 1) {
      bytes.push(...Buffer.from(char, 'utf8'))
      continue
    }
    const next = text[i + 1]!
    if (next in SIMPLE) {
      bytes.push(SIMPLE[next]!)
      i++
    } else if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
      bytes.push(Number.parseInt(text.slice(i + 2, i + 4), 16))
      i += 3
    } else {
      throw usageError(`${flag}: unknown escape '\\${next}'`, 'escapes are \\n \\r \\t \\0 \\\\ and \\xHH')
    }
  }
  if (bytes.length === 0) throw usageError(`${flag} must not be empty`)
  return Buffer.from(bytes)
}
