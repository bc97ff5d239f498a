/*
 * kafkit_frame.h: the binary record frame `kafkit pipe` moves between its two extensions and
 * JavaScript. kafkit_consume writes one per record (pipe mode), JavaScript reads them
 * (src/lib/records/pipe-frames.ts) and kafkit_produce's produceFrames() produces them as they are.
 * Little-endian, FRAME_FIXED bytes then the variable parts:
 *   int32 partIndex     the consumer's index of the partition (what its batches report)
 *   int32 partition
 *   float64 offset
 *   float64 timestamp   -1: none
 *   int32 keyLength     -1: null
 *   int32 valueLength   -1: null
 *   int32 headerCount
 *   int32 headerBytes   the length of the header block
 *   int32 flags         FRAME_KEY_UTF8, FRAME_VALUE_UTF8: the key / value is valid UTF-8 (JS then
 *                       decodes text without checking it again)
 *   key bytes, value bytes, then per header: int32 nameLength, int32 valueLength (-1: null), name, value
 * Checked by the TS side at load (contract `frameFixed`).
 */
#ifndef KAFKIT_FRAME_H
#define KAFKIT_FRAME_H

#include <stdint.h>
#include <string.h>

#define FRAME_FIXED 44
#define FRAME_KEY_UTF8 1
#define FRAME_VALUE_UTF8 2

static inline void frame_put_i32(unsigned char *p, int32_t v) { memcpy(p, &v, 4); }
static inline void frame_put_f64(unsigned char *p, double v) { memcpy(p, &v, 8); }
static inline int32_t frame_i32(const unsigned char *p) {
        int32_t v;
        memcpy(&v, p, 4);
        return v;
}
static inline double frame_f64(const unsigned char *p) {
        double v;
        memcpy(&v, p, 8);
        return v;
}

#endif
