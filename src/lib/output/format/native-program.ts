import {CONSUME_BYTE_MODES, CONSUME_LITERAL_SLOTS, CONSUME_OPS} from '../../native/contracts.js'
import type {FormatterOptions, NativeFormatProgram} from '../../records/record-formatter.js'
import type {Serializer} from '../../records/serializers.js'

// Builds the op-code program the native consume loop (native/src/kafkit_consume.c) runs per
// record, while a format is compiled; gives up on anything only JS can decode.

/** Byte mode of a field in the native loop: raw, base64, hex; undefined when only JS can decode it. */
export function nativeMode(format: Serializer | undefined): number | undefined {
  if (!format || format.name === 'str' || format.name === 'bytes') return CONSUME_BYTE_MODES.raw
  if (format.name === 'base64') return CONSUME_BYTE_MODES.base64
  if (format.name === 'hex') return CONSUME_BYTE_MODES.hex
  return undefined
}

export class NativeProgramBuilder {
  private ops: number[] = []
  private chunks: Buffer[] = []
  private size = 0
  private possible = true

  constructor(options: FormatterOptions) {
    // The literal slots the C loop reads first (native/src/kafkit_consume.c, LITERAL_SLOTS).
    const slots = [
      options.nullLiteral ?? '',
      options.headerKeySeparator ?? '=',
      options.headerSeparator ?? ',',
      options.noHeadersLiteral ?? '',
      options.headerNullLiteral ?? options.nullLiteral ?? '',
    ]
    if (slots.length !== CONSUME_LITERAL_SLOTS) throw new Error('the consume format program has a literal slot the C loop does not know')
    for (const text of slots) {
      this.ops.push(...this.literal(Buffer.from(text, 'utf8')))
    }
  }

  private literal(bytes: Buffer): [number, number] {
    const at = this.size
    this.chunks.push(bytes)
    this.size += bytes.length
    return [at, bytes.length]
  }

  /** Literal output, as a byte string (one character per byte). */
  text(byteString: string): void {
    this.ops.push(CONSUME_OPS.LIT, ...this.literal(Buffer.from(byteString, 'latin1')))
  }

  /** An op; a mode of undefined (a decoder only JS has) makes the program impossible. */
  op(code: number, mode: number | undefined): void {
    if (mode === undefined) this.possible = false
    this.ops.push(code, mode ?? 0, 0)
  }

  /** A token only JS prints (the schema ids): the format runs in the JS loop. */
  jsOnly(): void {
    this.possible = false
  }

  build(): NativeFormatProgram | undefined {
    return this.possible ? {ops: Int32Array.from(this.ops), literals: Buffer.concat(this.chunks)} : undefined
  }
}
