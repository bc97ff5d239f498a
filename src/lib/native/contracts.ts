// The contracts between kafkit's TypeScript and its C extensions (native/src): op codes and
// record layouts that both sides must read the same way. Each extension exports its own copy
// (`contract`), and src/lib/native/load.ts refuses one that disagrees (a stale build), so a
// mismatch is an environment error instead of garbled records.

/** Op codes of the consume format program (native/src/kafkit_consume.c OP_*). */
export const CONSUME_OPS = {LIT: 1, TOPIC: 2, PARTITION: 3, OFFSET: 4, KEY: 5, VALUE: 6, KEY_LEN: 7, VALUE_LEN: 8, TIMESTAMP: 9, HEADERS: 10, VALUE_LEN_BE32: 11, JSONL: 12} as const

/** %T modifiers as the native consume loop's TS_* modes. */
export const CONSUME_TIMESTAMP_MODES: Readonly<Record<string, number>> = {ms: 0, s: 1, unix: 1, iso: 2, type: 3}

/** Int32 fields per record in a produce descriptor: keyOffset, keyLength, valueOffset, valueLength, partition, headerStart, headerCount, idDelta. */
export const PRODUCE_DESC_FIELDS = 8
/** Int32 fields per header in a produce descriptor: nameOffset, nameLength, valueOffset, valueLength. */
export const PRODUCE_HEADER_FIELDS = 4

/** Byte modes of key / value / header value fields in the consume format program (MODE_*). */
export const CONSUME_BYTE_MODES = {raw: 0, base64: 1, hex: 2} as const

/**
 * Bytes of the fixed part of `kafkit pipe`'s binary record frame (native/src/kafkit_frame.h),
 * written by the consume extension in pipe mode and read by records/pipe-frames.ts and by the
 * produce extension's produceFrames.
 */
export const PIPE_FRAME_FIXED = 44

/** Literal slots at the start of a consume format program (LITERAL_SLOTS). */
export const CONSUME_LITERAL_SLOTS = 5

/**
 * What each extension must report as its `contract` export. `version` names the layout of its
 * arguments and results as a whole: raise it here and in the C file (*_CONTRACT_VERSION) together
 * whenever either side changes the layout; the other fields are checked one by one.
 */
export const EXTENSION_CONTRACTS = {
  admin: {version: 4},
  // 2: more topics (create's otherTopics, produce's topicIndex), produceFrames, sendOffsetsToTransaction.
  produce: {version: 2, descFields: PRODUCE_DESC_FIELDS, headerFields: PRODUCE_HEADER_FIELDS, frameFixed: PIPE_FRAME_FIXED},
  consume: {
    // 2: group mode (subscribe, written, commit; batches report generations and assignment changes).
    // 3: recycle (a written batch's memory formats a later one).
    // 4: pipe mode (record frames, deferred revokes, release, seek, groupMetadata, lag).
    version: 4,
    literalSlots: CONSUME_LITERAL_SLOTS,
    frameFixed: PIPE_FRAME_FIXED,
    ops: CONSUME_OPS,
    timestampModes: {ms: CONSUME_TIMESTAMP_MODES.ms, s: CONSUME_TIMESTAMP_MODES.s, iso: CONSUME_TIMESTAMP_MODES.iso, type: CONSUME_TIMESTAMP_MODES.type},
    byteModes: CONSUME_BYTE_MODES,
  },
} as const

export type ExtensionName = keyof typeof EXTENSION_CONTRACTS
