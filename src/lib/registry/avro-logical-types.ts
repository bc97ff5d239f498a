// Avro logical types as readable JSON, both ways (decode and encode), as avsc LogicalType
// classes handed to the Avro serdes: timestamp-millis and timestamp-micros as ISO 8601 UTC text,
// local-timestamp-millis / -micros as the same without the Z, date as YYYY-MM-DD, time-millis and
// time-micros as HH:MM:SS.fff(fff), decimal as a decimal number in a string (exact). On input the
// underlying form (a number of milliseconds, days ...) is accepted too. uuid is a string already.

type AvscModule = typeof import('avsc')
type LogicalTypeClass = AvscModule['types']['LogicalType']

const DAY_MS = 86_400_000

/** `YYYY-MM-DDTHH:MM:SS.mmm` + more digits + `Z`. */
function isoWithFraction(ms: number, extraDigits: string): string {
  const iso = new Date(ms).toISOString()
  return `${iso.slice(0, -1)}${extraDigits}Z`
}

function parseTimestamp(value: unknown, perMs: number): unknown {
  if (typeof value !== 'string') return value
  const match = /^(.*?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(value)
  if (!match) return undefined
  const whole = Date.parse(`${match[1]}${match[3]}`)
  if (Number.isNaN(whole)) return undefined
  const fraction = (match[2] ?? '').padEnd(6, '0').slice(0, 6)
  return whole * perMs + Math.floor((Number(fraction) * perMs) / 1000)
}

/** A time of day from its count of units (1000 per second: millis; 1,000,000: micros): HH:MM:SS.fff(fff). */
function timeOfDay(value: number, perSecond: number): string {
  const digits = perSecond === 1000 ? 3 : 6
  const seconds = Math.floor(value / perSecond)
  const fraction = String(value - seconds * perSecond).padStart(digits, '0')
  const two = (n: number) => String(n).padStart(2, '0')
  return `${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}.${fraction}`
}

/** A local timestamp's text read as UTC (the instant's digits are what is stored); other values as they are. */
const asUtc = (value: unknown): unknown => (typeof value === 'string' && !/(Z|[+-]\d\d:\d\d)$/.test(value) ? `${value}Z` : value)

/** HH:MM[:SS[.fraction]] -> a count of units (a number passes as it is); undefined when it is not a time of day. */
function parseTimeOfDay(value: unknown, perSecond: number): unknown {
  if (typeof value !== 'string') return value
  const match = /^(\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,9}))?)?$/.exec(value)
  if (!match || Number(match[1]) > 23 || Number(match[2]) > 59 || Number(match[3] ?? 0) > 59) return undefined
  const digits = perSecond === 1000 ? 3 : 6
  const fraction = Number((match[4] ?? '').padEnd(digits, '0').slice(0, digits))
  return ((Number(match[1]) * 60 + Number(match[2])) * 60 + Number(match[3] ?? 0)) * perSecond + fraction
}

/** Two's complement big-endian bytes <-> bigint. */
function bytesToBigInt(bytes: Buffer): bigint {
  if (bytes.length === 0) return 0n
  let n = BigInt(`0x${bytes.toString('hex')}`)
  if (bytes[0]! & 0x80) n -= 1n << BigInt(bytes.length * 8)
  return n
}

function bigIntToBytes(n: bigint, size?: number): Buffer {
  let length = 1
  while (n >= 1n << BigInt(length * 8 - 1) || n < -(1n << BigInt(length * 8 - 1))) length++
  length = size ?? length
  const modulus = 1n << BigInt(length * 8)
  const hex = ((n + modulus) % modulus).toString(16).padStart(length * 2, '0')
  return Buffer.from(hex, 'hex')
}

/** The logical type classes the Avro serdes get (avsc's `logicalTypes` option). */
export function readableLogicalTypes(avsc: AvscModule): Record<string, LogicalTypeClass> {
  const Base = avsc.types.LogicalType
  // avsc calls these with the underlying value, or the JSON value on write; undefined makes it invalid.
  class TimestampMillis extends Base {
    _fromValue(value: number) {
      return new Date(value).toISOString()
    }
    _toValue(value: unknown) {
      return parseTimestamp(value, 1)
    }
    _resolve(type: {typeName: string}) {
      return type.typeName === 'long' ? (value: number) => this._fromValue(value) : undefined
    }
  }
  class TimestampMicros extends Base {
    _fromValue(value: number) {
      const ms = Math.floor(value / 1000)
      return isoWithFraction(ms, String(value - ms * 1000).padStart(3, '0'))
    }
    _toValue(value: unknown) {
      return parseTimestamp(value, 1000)
    }
    _resolve(type: {typeName: string}) {
      return type.typeName === 'long' ? (value: number) => this._fromValue(value) : undefined
    }
  }
  class LocalTimestampMillis extends TimestampMillis {
    _fromValue(value: number) {
      return super._fromValue(value).slice(0, -1)
    }
    _toValue(value: unknown) {
      return super._toValue(asUtc(value))
    }
  }
  class LocalTimestampMicros extends TimestampMicros {
    _fromValue(value: number) {
      return super._fromValue(value).slice(0, -1)
    }
    _toValue(value: unknown) {
      return super._toValue(asUtc(value))
    }
  }
  class TimeMillis extends Base {
    _fromValue(value: number) {
      return timeOfDay(value, 1000)
    }
    _toValue(value: unknown) {
      return parseTimeOfDay(value, 1000)
    }
    _resolve(type: {typeName: string}) {
      return type.typeName === 'int' ? (value: number) => this._fromValue(value) : undefined
    }
  }
  class TimeMicros extends Base {
    _fromValue(value: number) {
      return timeOfDay(value, 1_000_000)
    }
    _toValue(value: unknown) {
      return parseTimeOfDay(value, 1_000_000)
    }
    _resolve(type: {typeName: string}) {
      return type.typeName === 'long' ? (value: number) => this._fromValue(value) : undefined
    }
  }
  class DateType extends Base {
    _fromValue(value: number) {
      return new Date(value * DAY_MS).toISOString().slice(0, 10)
    }
    _toValue(value: unknown) {
      if (typeof value !== 'string') return value
      const ms = Date.parse(`${value}T00:00:00Z`)
      return Number.isNaN(ms) ? undefined : ms / DAY_MS
    }
    _resolve(type: {typeName: string}) {
      return type.typeName === 'int' ? (value: number) => this._fromValue(value) : undefined
    }
  }
  class Decimal extends Base {
    private readonly scale: number
    private readonly size?: number
    constructor(schema: {scale?: number; size?: number}, options?: unknown) {
      super(schema as never, options as never)
      this.scale = schema.scale ?? 0
      this.size = schema.size
    }

    _fromValue(value: Buffer) {
      const n = bytesToBigInt(value)
      const digits = (n < 0n ? -n : n).toString().padStart(this.scale + 1, '0')
      const text = this.scale === 0 ? digits : `${digits.slice(0, -this.scale)}.${digits.slice(-this.scale)}`
      return n < 0n ? `-${text}` : text
    }

    _toValue(value: unknown) {
      if (Buffer.isBuffer(value)) return value
      if (typeof value !== 'string' && typeof value !== 'number') return undefined
      const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(String(value).trim())
      if (!match || (match[2] === '' && !match[3])) return undefined
      const fraction = match[3] ?? ''
      if (fraction.replace(/0+$/, '').length > this.scale) return undefined
      const unscaled = BigInt(`${match[2] || '0'}${fraction.padEnd(this.scale, '0')}`) * (match[1] === '-' ? -1n : 1n)
      return bigIntToBytes(unscaled, this.size)
    }

    _resolve(type: {typeName: string}) {
      return type.typeName === 'bytes' || type.typeName === 'fixed' ? (value: Buffer) => this._fromValue(value) : undefined
    }
  }
  return {
    'timestamp-millis': TimestampMillis,
    'timestamp-micros': TimestampMicros,
    'local-timestamp-millis': LocalTimestampMillis,
    'local-timestamp-micros': LocalTimestampMicros,
    'time-millis': TimeMillis,
    'time-micros': TimeMicros,
    date: DateType,
    decimal: Decimal,
  } as unknown as Record<string, LogicalTypeClass>
}
