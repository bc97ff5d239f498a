// The contracts between kafkit's TypeScript and its C extensions (native/src): op codes and
// record layouts that both sides must read the same way. Each extension reports its own copy
// at load, and the loaders in src/lib/kafka/*-native.ts refuse an extension that disagrees
// (a stale build), so a mismatch is an environment error instead of garbled records.

/** Op codes of the consume format program (native/src/kafkit_consume.c OP_*). */
export const CONSUME_OPS = {LIT: 1, TOPIC: 2, PARTITION: 3, OFFSET: 4, KEY: 5, VALUE: 6, KEY_LEN: 7, VALUE_LEN: 8, TIMESTAMP: 9, HEADERS: 10, VALUE_LEN_BE32: 11, JSONL: 12} as const

/** %T modifiers as the native consume loop's TS_* modes. */
export const CONSUME_TIMESTAMP_MODES: Readonly<Record<string, number>> = {ms: 0, s: 1, unix: 1, iso: 2, type: 3}

/** Int32 fields per record in a produce descriptor: keyOffset, keyLength, valueOffset, valueLength, partition, headerStart, headerCount, idDelta. */
export const PRODUCE_DESC_FIELDS = 8
/** Int32 fields per header in a produce descriptor: nameOffset, nameLength, valueOffset, valueLength. */
export const PRODUCE_HEADER_FIELDS = 4
