/*
 * kafkit_consume: the hot loop of `kafkit consume` for direct partition assignment and for group
 * mode (subscribe, rebalances, commits of what was written), with format-string or jsonl output,
 * in C over the same librdkafka.so that @confluentinc/kafka-javascript built.
 *
 * Why native: the client binding turns every record into a JavaScript object with copied
 * Buffers (several microseconds each), which caps a JS consumer far below kcat. Here a batch
 * of records is read and formatted in C, on a worker thread, straight into one output buffer;
 * JavaScript gets that buffer, the record count and each partition's next offset, and writes
 * the buffer to stdout while C already reads the next batch.
 *
 * The format program (compiled once in JS by src/lib/output/format/native-program.ts) is an Int32Array:
 *   [0..9]  literal slots (offset, length) into `literals`: null text, header key separator,
 *           header separator, text for "no headers", null header value text (LITERAL_SLOTS)
 *   then triples (op, arg1, arg2), see the OP_ constants.
 * Byte modes for key / value / header values: 0 raw, 1 base64, 2 hex.
 *
 * Per partition a stop offset (exclusive, -1 none) is enforced here: records at or past it are
 * dropped and the partition is paused, so output stops exactly where asked.
 *
 * Group mode (subscribe): the rebalance callback runs here, on the thread that polls (or in
 * close). Partitions are known by an index that only grows; each batch tells JS which partitions
 * were added, which changed assignment, and each touched partition's generation (raised by every
 * assign and revoke). JS reports what it has written as (index, next offset, generation); a
 * notice for a generation that is no longer current is ignored, so an offset is committed only by
 * the assignment whose records reached stdout. A revoke commits what was written for the leaving
 * partitions first (not while closing: the final commit is JS's decision).
 *
 * Pipe mode (`kafkit pipe`, subscribe with pipe = true; eager protocols only): records are
 * written as binary frames (kafkit_frame.h) instead of through a format program. A revoke is deferred: the callback
 * notes it, makes the poll return (rd_kafka_yield) and leaves librdkafka waiting for the unassign
 * (its WAIT_UNASSIGN_CALL state); the batch ends there and tells JS (`revokePending`), which
 * commits or aborts its open transaction for those partitions and only then calls release(), which
 * unassigns. Nothing blocks a thread meanwhile, so a signal or close cannot deadlock on it; close
 * releases a revoke still pending. An explicit start (-o) applies only to a partition the group
 * has no committed offset for, and a partition handed back starts at its committed offset.
 */
#include "kafkit_config.h"
#include "kafkit_frame.h"
#include "kafkit_napi.h"

#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The format program's layout (these op codes and modes, LITERAL_SLOTS), checked by the TS side
 * at load (CONSUME_CONTRACT in src/lib/native/contracts.ts): raise the version with any change. */
#define CONSUME_CONTRACT_VERSION 4
enum { OP_LIT = 1, OP_TOPIC, OP_PARTITION, OP_OFFSET, OP_KEY, OP_VALUE, OP_KEY_LEN, OP_VALUE_LEN, OP_TIMESTAMP, OP_HEADERS, OP_VALUE_LEN_BE32, OP_JSONL };
enum { MODE_RAW = 0, MODE_BASE64 = 1, MODE_HEX = 2 };
enum { TS_MS = 0, TS_S = 1, TS_ISO = 2, TS_TYPED = 3 };

typedef struct {
        char *topic;
        int32_t partition;
        int64_t start; /* explicit start (group mode: until read from), RD_KAFKA_OFFSET_INVALID = committed */
        int64_t stop;  /* exclusive, -1 = none */
        int64_t next;  /* next offset seen, -1 = none yet */
        bool done;
        bool touched; /* records in the current batch */
        bool eof;     /* end of log reported in the current batch */
        /* group mode; guarded by consumer_t.lock (JS's written notices and commits run on the main thread) */
        bool assigned;
        bool changed;        /* assignment changed in the current batch */
        int32_t gen;         /* raised by each assign and revoke */
        int32_t touched_gen; /* the generation of the records formatted in the current batch */
        int64_t written;     /* next offset written to stdout in this generation, -1 none */
        int64_t committed;   /* committed up to this in this generation, -1 none */
        /* Set when this member gave the partition up (revoked, not lost); the next assignment, if it
         * hands the partition straight back, resumes here instead of at the committed offset: nobody
         * else can have read it in between, and what this member read is still on its way to stdout
         * (reading it again would print it twice). -1 none. */
        int64_t resume;
        int64_t first; /* pipe mode: the first offset of the current batch's records */
} part_t;

typedef struct {
        char *data;
        size_t len, cap;
} buf_t;

/* A batch's output memory. JS hands a written batch back (recycle) and the next batch is
 * formatted into it: finished batches do not pile up waiting for V8's garbage collector, which
 * was most of the consumer's peak memory. Shared by the consumer (while outstanding or free) and
 * the JS Buffer over it (until finalized); freed when both let go. Main thread only. */
typedef struct slab_s {
        char *data;
        size_t cap;
        int refs;
} slab_t;

#define FREE_SLABS 3
#define OUTSTANDING_SLABS 8
/* A slab grown past this (a batch of large records) is not kept for reuse. */
#define SLAB_KEEP_MAX (8u << 20)

typedef struct consumer_s {
        rd_kafka_t *rk;
        bool closed;
        bool busy;
        part_t *parts;
        size_t nparts, cap_parts;
        size_t nreported; /* parts JS was told about (later ones are reported as added) */
        size_t last_hit;
        int32_t *ops;
        size_t nops;
        char *literals;
        size_t literals_len;
        bool eof_done;  /* -e: the end of a partition's log finishes it */
        bool closing;   /* rebalances while closing commit nothing */
        bool rebalanced; /* in the current batch */
        char commit_error[256]; /* the last failed commit of a revoke, reported with the batch */
        bool pipe;              /* pipe mode (see the top) */
        bool assigned_event;    /* an assignment (possibly empty) in the current batch */
        /* pipe mode: a revoke JS has not released yet (owned here), and whether it was a loss */
        rd_kafka_topic_partition_list_t *revoke_pending;
        /* put_iso's cache (the formatting thread only): the second last formatted */
        int64_t iso_secs;
        char iso_head[32];
        size_t iso_len;
        /* guards the group-mode fields of parts (and the array itself while it grows) */
        pthread_mutex_t lock;
        /* output memory: handed to JS and not recycled yet, and ready for the next batch */
        slab_t *outstanding[OUTSTANDING_SLABS];
        slab_t *free_slabs[FREE_SLABS];
        int nfree;
} consumer_t;

typedef struct {
        consumer_t *c;
        napi_deferred deferred;
        napi_async_work work;
        int max_records;
        size_t max_bytes;
        int timeout_ms;
        int64_t limit; /* records still allowed, -1 = no limit */
        buf_t out;
        slab_t *slab; /* the memory `out` is formatted into */
        int64_t count;
        int64_t bytes_in;
        rd_kafka_resp_err_t err;
        char errstr[512];
} batch_t;

/* ---------- helpers (the N-API ones shared by all extensions: kafkit_napi.h) ---------- */

static consumer_t *get_consumer(napi_env env, napi_value v) {
        consumer_t *c = NULL;
        if (napi_get_value_external(env, v, (void **)&c) != napi_ok || !c) {
                throw_coded(env, "_INVALID_ARG", "not a consumer handle");
                return NULL;
        }
        if (c->closed) {
                throw_coded(env, "_STATE", "the consumer is closed");
                return NULL;
        }
        return c;
}

static bool reserve(buf_t *b, size_t more) {
        if (b->len + more <= b->cap) return true;
        size_t cap = b->cap ? b->cap : 65536;
        while (cap < b->len + more) cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d) return false;
        b->data = d, b->cap = cap;
        return true;
}

static void put(buf_t *b, const void *p, size_t n) {
        if (!n || !reserve(b, n)) return;
        memcpy(b->data + b->len, p, n);
        b->len += n;
}

static void put_int(buf_t *b, int64_t v) {
        char tmp[24];
        size_t n = 0;
        uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
        do tmp[sizeof(tmp) - ++n] = (char)('0' + u % 10);
        while ((u /= 10) != 0);
        if (v < 0) tmp[sizeof(tmp) - ++n] = '-';
        put(b, tmp + sizeof(tmp) - n, n);
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void put_bytes(buf_t *b, const unsigned char *p, size_t n, int mode) {
        size_t i;
        if (mode == MODE_RAW) {
                put(b, p, n);
        } else if (mode == MODE_HEX) {
                static const char H[] = "0123456789abcdef";
                if (!reserve(b, n * 2)) return;
                for (i = 0; i < n; i++) {
                        b->data[b->len++] = H[p[i] >> 4];
                        b->data[b->len++] = H[p[i] & 15];
                }
        } else {
                if (!reserve(b, (n + 2) / 3 * 4)) return;
                for (i = 0; i + 2 < n; i += 3) {
                        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
                        b->data[b->len++] = B64[v >> 18 & 63], b->data[b->len++] = B64[v >> 12 & 63];
                        b->data[b->len++] = B64[v >> 6 & 63], b->data[b->len++] = B64[v & 63];
                }
                if (i < n) {
                        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
                        b->data[b->len++] = B64[v >> 18 & 63], b->data[b->len++] = B64[v >> 12 & 63];
                        b->data[b->len++] = i + 1 < n ? B64[v >> 6 & 63] : '=';
                        b->data[b->len++] = '=';
                }
        }
}

/* The literal slots at the start of a format program (see the comment at the top). */
#define LITERAL_SLOTS 5

static void put_literal(consumer_t *c, buf_t *b, int slot) {
        int32_t off = c->ops[slot * 2], len = c->ops[slot * 2 + 1];
        if (len > 0) put(b, c->literals + off, (size_t)len);
}

/* ISO 8601 UTC with milliseconds (ts >= 0): "2024-01-02T03:04:05.678Z". Records arrive in time
 * order, so the part up to the second is kept from the last call (this thread only). */
static void put_iso(consumer_t *c, buf_t *b, int64_t ts) {
        int64_t secs = ts / 1000;
        int ms = (int)(ts % 1000);
        if (secs != c->iso_secs) {
                time_t t = (time_t)secs;
                struct tm tm;
                gmtime_r(&t, &tm);
                c->iso_len = strftime(c->iso_head, sizeof(c->iso_head), "%Y-%m-%dT%H:%M:%S", &tm);
                c->iso_secs = secs;
        }
        char tail[5] = {'.', (char)('0' + ms / 100), (char)('0' + ms / 10 % 10), (char)('0' + ms % 10), 'Z'};
        put(b, c->iso_head, c->iso_len);
        put(b, tail, sizeof(tail));
}

static void put_timestamp(consumer_t *c, buf_t *b, int64_t ts, rd_kafka_timestamp_type_t type, int mode) {
        if (mode == TS_TYPED) {
                /* The Apache console consumer's print.timestamp. */
                if (ts < 0 || type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE) {
                        put(b, "NO_TIMESTAMP", 12);
                        return;
                }
                if (type == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME) put(b, "LogAppendTime:", 14);
                else put(b, "CreateTime:", 11);
                put_int(b, ts);
        } else if (mode == TS_MS) {
                put_int(b, ts);
        } else if (mode == TS_S) {
                put_int(b, ts < 0 ? -1 : ts / 1000);
        } else if (ts >= 0) {
                put_iso(c, b, ts);
        }
}

/* ---- the jsonl record (src/lib/records/jsonl.ts, docs/formats.md), written here so that null
 * header values survive: the client library's binding turns them into empty buffers. */

/* Strict UTF-8, the same verdict as TextDecoder with fatal: no overlong forms, no surrogates,
 * nothing above U+10FFFF. */
static bool utf8_valid(const unsigned char *p, size_t n) {
        size_t i = 0;
        while (i < n) {
                unsigned char b0 = p[i];
                if (b0 < 0x80) { i++; continue; }
                size_t len;
                uint32_t cp;
                if (b0 >= 0xc2 && b0 <= 0xdf) len = 2, cp = b0 & 0x1f;
                else if (b0 >= 0xe0 && b0 <= 0xef) len = 3, cp = b0 & 0x0f;
                else if (b0 >= 0xf0 && b0 <= 0xf4) len = 4, cp = b0 & 0x07;
                else return false;
                if (i + len > n) return false;
                for (size_t k = 1; k < len; k++) {
                        if ((p[i + k] & 0xc0) != 0x80) return false;
                        cp = cp << 6 | (p[i + k] & 0x3f);
                }
                if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
                        return false;
                i += len;
        }
        return true;
}

/* Bytes a JSON string cannot hold as they are: the controls, " and \\. */
static const unsigned char JSON_ESCAPED[256] = {[0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1};

/* A JSON string as JSON.stringify writes it: \" \\ \b \f \n \r \t, other controls as \u00xx. */
static void put_json_string(buf_t *b, const unsigned char *p, size_t n) {
        static const char H[] = "0123456789abcdef";
        size_t i, run = 0;
        put(b, "\"", 1);
        for (i = 0; i < n; i++) {
                unsigned char ch = p[i];
                if (!JSON_ESCAPED[ch]) continue;
                const char *esc = NULL;
                char u[6];
                if (ch == '"') esc = "\\\"";
                else if (ch == '\\') esc = "\\\\";
                else if (ch == '\b') esc = "\\b";
                else if (ch == '\f') esc = "\\f";
                else if (ch == '\n') esc = "\\n";
                else if (ch == '\r') esc = "\\r";
                else if (ch == '\t') esc = "\\t";
                else u[0] = '\\', u[1] = 'u', u[2] = '0', u[3] = '0', u[4] = H[ch >> 4], u[5] = H[ch & 15];
                put(b, p + run, i - run);
                if (esc) put(b, esc, strlen(esc));
                else put(b, u, 6);
                run = i + 1;
        }
        put(b, p + run, n - run);
        put(b, "\"", 1);
}

/* null, a UTF-8 string, or {"base64":"..."} for bytes that are not UTF-8. */
static void put_json_payload(buf_t *b, const void *p, size_t n) {
        if (!p) {
                put(b, "null", 4);
        } else if (utf8_valid(p, n)) {
                put_json_string(b, p, n);
        } else {
                put(b, "{\"base64\":\"", 11);
                put_bytes(b, p, n, MODE_BASE64);
                put(b, "\"}", 2);
        }
}

static void put_jsonl_record(consumer_t *c, buf_t *b, const rd_kafka_message_t *m) {
        const char *topic = rd_kafka_topic_name(m->rkt);
        rd_kafka_timestamp_type_t tstype;
        int64_t ts = rd_kafka_message_timestamp(m, &tstype);
        rd_kafka_headers_t *hdrs = NULL;
        put(b, "{\"topic\":", 9);
        put_json_string(b, (const unsigned char *)topic, strlen(topic));
        put(b, ",\"partition\":", 13);
        put_int(b, m->partition);
        put(b, ",\"offset\":", 10);
        put_int(b, m->offset);
        if (ts >= 0 && tstype != RD_KAFKA_TIMESTAMP_NOT_AVAILABLE) {
                put(b, ",\"timestamp\":", 13);
                put_int(b, ts);
                put(b, ",\"timestampIso\":\"", 17);
                put_iso(c, b, ts);
                put(b, "\",\"timestampType\":", 18);
                if (tstype == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME) put(b, "\"log-append\"", 12);
                else put(b, "\"create\"", 8);
        }
        put(b, ",\"key\":", 7);
        put_json_payload(b, m->key, m->key_len);
        put(b, ",\"value\":", 9);
        put_json_payload(b, m->payload, m->len);
        put(b, ",\"headers\":[", 12);
        if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR && hdrs) {
                size_t idx = 0;
                const char *name;
                const void *val;
                size_t size;
                while (rd_kafka_header_get_all(hdrs, idx, &name, &val, &size) == RD_KAFKA_RESP_ERR_NO_ERROR) {
                        if (idx > 0) put(b, ",", 1);
                        put(b, "{\"key\":", 7);
                        put_json_string(b, (const unsigned char *)name, strlen(name));
                        put(b, ",\"value\":", 9);
                        put_json_payload(b, val, size);
                        put(b, "}", 1);
                        idx++;
                }
        }
        put(b, "]}\n", 3);
}

/* The pipe's binary frame of a record (kafkit_frame.h). */
static void put_frame(buf_t *b, const rd_kafka_message_t *m, size_t index) {
        rd_kafka_headers_t *hdrs = NULL;
        rd_kafka_timestamp_type_t tstype;
        int64_t ts = rd_kafka_message_timestamp(m, &tstype);
        size_t count = 0, hbytes = 0, idx;
        const char *name;
        const void *val;
        size_t size;
        if (rd_kafka_message_headers(m, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR) hdrs = NULL;
        if (hdrs)
                for (idx = 0; rd_kafka_header_get_all(hdrs, idx, &name, &val, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; idx++)
                        count++, hbytes += 8 + strlen(name) + (val ? size : 0);
        size_t klen = m->key ? m->key_len : 0, vlen = m->payload ? m->len : 0;
        if (!reserve(b, FRAME_FIXED + klen + vlen + hbytes)) return;
        unsigned char *w = (unsigned char *)b->data + b->len;
        frame_put_i32(w, (int32_t)index);
        frame_put_i32(w + 4, m->partition);
        frame_put_f64(w + 8, (double)m->offset);
        frame_put_f64(w + 16, ts >= 0 && tstype != RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? (double)ts : -1);
        frame_put_i32(w + 24, m->key ? (int32_t)klen : -1);
        frame_put_i32(w + 28, m->payload ? (int32_t)vlen : -1);
        frame_put_i32(w + 32, (int32_t)count);
        frame_put_i32(w + 36, (int32_t)hbytes);
        frame_put_i32(w + 40, (m->key && utf8_valid(m->key, klen) ? FRAME_KEY_UTF8 : 0) |
                                  (m->payload && utf8_valid(m->payload, vlen) ? FRAME_VALUE_UTF8 : 0));
        w += FRAME_FIXED;
        if (klen) memcpy(w, m->key, klen), w += klen;
        if (vlen) memcpy(w, m->payload, vlen), w += vlen;
        for (idx = 0; idx < count; idx++) {
                rd_kafka_header_get_all(hdrs, idx, &name, &val, &size);
                size_t nl = strlen(name);
                frame_put_i32(w, (int32_t)nl);
                frame_put_i32(w + 4, val ? (int32_t)size : -1);
                w += 8;
                memcpy(w, name, nl), w += nl;
                if (val && size) memcpy(w, val, size), w += size;
        }
        b->len = (size_t)((char *)w - b->data);
}

static void format_record(consumer_t *c, buf_t *b, const rd_kafka_message_t *m) {
        size_t i;
        for (i = LITERAL_SLOTS * 2; i + 3 <= c->nops; i += 3) {
                int32_t op = c->ops[i], a = c->ops[i + 1], z = c->ops[i + 2];
                switch (op) {
                case OP_LIT:
                        put(b, c->literals + a, (size_t)z);
                        break;
                case OP_TOPIC: {
                        const char *t = rd_kafka_topic_name(m->rkt);
                        put(b, t, strlen(t));
                        break;
                }
                case OP_PARTITION:
                        put_int(b, m->partition);
                        break;
                case OP_OFFSET:
                        put_int(b, m->offset);
                        break;
                case OP_KEY:
                        if (m->key) put_bytes(b, m->key, m->key_len, a);
                        else put_literal(c, b, 0);
                        break;
                case OP_VALUE:
                        if (m->payload) put_bytes(b, m->payload, m->len, a);
                        else put_literal(c, b, 0);
                        break;
                case OP_KEY_LEN:
                        put_int(b, m->key ? (int64_t)m->key_len : -1);
                        break;
                case OP_VALUE_LEN:
                        put_int(b, m->payload ? (int64_t)m->len : -1);
                        break;
                case OP_VALUE_LEN_BE32: {
                        uint32_t n = m->payload ? (uint32_t)m->len : 0;
                        unsigned char be[4] = {n >> 24, n >> 16 & 255, n >> 8 & 255, n & 255};
                        put(b, be, 4);
                        break;
                }
                case OP_TIMESTAMP: {
                        rd_kafka_timestamp_type_t type;
                        int64_t ts = rd_kafka_message_timestamp(m, &type);
                        put_timestamp(c, b, type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? -1 : ts, type, a);
                        break;
                }
                case OP_JSONL:
                        put_jsonl_record(c, b, m);
                        break;
                case OP_HEADERS: {
                        rd_kafka_headers_t *hdrs = NULL;
                        size_t idx = 0;
                        const char *name;
                        const void *val;
                        size_t size;
                        if (rd_kafka_message_headers(m, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR || !hdrs || rd_kafka_header_cnt(hdrs) == 0) {
                                put_literal(c, b, 3);
                                break;
                        }
                        while (rd_kafka_header_get_all(hdrs, idx, &name, &val, &size) == RD_KAFKA_RESP_ERR_NO_ERROR) {
                                if (idx > 0) put_literal(c, b, 2);
                                put(b, name, strlen(name));
                                put_literal(c, b, 1);
                                if (val) put_bytes(b, val, size, a);
                                else put_literal(c, b, 4);
                                idx++;
                        }
                        break;
                }
                default:
                        (void)z;
                        break;
                }
        }
}

static part_t *find_tp(consumer_t *c, const char *topic, int32_t partition) {
        size_t i;
        part_t *p = &c->parts[c->last_hit < c->nparts ? c->last_hit : 0];
        if (c->nparts && p->partition == partition && strcmp(p->topic, topic) == 0) return p;
        for (i = 0; i < c->nparts; i++) {
                p = &c->parts[i];
                if (p->partition == partition && strcmp(p->topic, topic) == 0) {
                        c->last_hit = i;
                        return p;
                }
        }
        return NULL;
}

static part_t *find_part(consumer_t *c, const rd_kafka_message_t *m) {
        return find_tp(c, rd_kafka_topic_name(m->rkt), m->partition);
}

/* A partition that was not planned (a topic created later that the pattern matches). Caller holds the lock. */
static part_t *add_part(consumer_t *c, const char *topic, int32_t partition, int64_t start, int64_t stop) {
        if (c->nparts == c->cap_parts) {
                size_t cap = c->cap_parts ? c->cap_parts * 2 : 16;
                part_t *parts = realloc(c->parts, cap * sizeof(part_t));
                if (!parts) return NULL;
                c->parts = parts, c->cap_parts = cap;
        }
        part_t *p = &c->parts[c->nparts++];
        memset(p, 0, sizeof(*p));
        p->topic = strdup(topic);
        p->partition = partition;
        p->start = start;
        p->stop = stop;
        p->next = -1;
        p->written = -1;
        p->committed = -1;
        p->resume = -1;
        /* Nothing to read: the range is empty. */
        p->done = start >= 0 && stop >= 0 && start >= stop;
        return p;
}

static void pause_part(consumer_t *c, part_t *p) {
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(l, p->topic, p->partition);
        rd_kafka_pause_partitions(c->rk, l);
        rd_kafka_topic_partition_list_destroy(l);
}

/* ---------- group mode: commits of what was written, and the rebalance callback ---------- */

/* What JS reported written and is not committed yet, for the assigned partitions (all, or those in `only`). Caller holds the lock. */
static rd_kafka_topic_partition_list_t *written_offsets(consumer_t *c, const rd_kafka_topic_partition_list_t *only) {
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(4);
        size_t i;
        for (i = 0; i < c->nparts; i++) {
                part_t *p = &c->parts[i];
                if (!p->assigned || p->written < 0 || p->written == p->committed) continue;
                if (only && !rd_kafka_topic_partition_list_find(only, p->topic, p->partition)) continue;
                rd_kafka_topic_partition_list_add(l, p->topic, p->partition)->offset = p->written;
        }
        return l;
}

/* Commits what was written and not committed yet. Caller holds the lock. Returns the error, if any. */
static rd_kafka_resp_err_t commit_written(consumer_t *c, bool async) {
        rd_kafka_topic_partition_list_t *l = written_offsets(c, NULL);
        rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
        int i;
        if (l->cnt > 0) {
                /* An async commit counts once the broker confirmed it (offset_commit_cb): one that
                 * fails (a rebalance in progress) is sent again by the next commit. */
                err = rd_kafka_commit(c->rk, l, async ? 1 : 0);
                for (i = 0; !err && !async && i < l->cnt; i++) {
                        part_t *p = find_tp(c, l->elems[i].topic, l->elems[i].partition);
                        if (p) p->committed = l->elems[i].offset;
                }
        }
        rd_kafka_topic_partition_list_destroy(l);
        return err;
}

/* The broker's answer to a commit (served by the poll, or by close). Caller does not hold the lock. */
static void offset_commit_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *offsets, void *opaque) {
        consumer_t *c = opaque;
        int i;
        if (!offsets) return;
        pthread_mutex_lock(&c->lock);
        for (i = 0; i < offsets->cnt; i++) {
                const rd_kafka_topic_partition_t *tp = &offsets->elems[i];
                part_t *p = find_tp(c, tp->topic, tp->partition);
                /* Only what this assignment wrote: a late answer for an older one changes nothing. */
                if (p && !err && !tp->err && p->assigned && tp->offset > p->committed && tp->offset <= p->written) p->committed = tp->offset;
        }
        pthread_mutex_unlock(&c->lock);
}

/*
 * Pipe mode, on assignment: a partition with an explicit start (-o) starts there only when the
 * group has no committed offset for it; the others (and those, when the group has one) start at
 * the committed offset (RD_KAFKA_OFFSET_INVALID; none: auto.offset.reset). Called without the lock
 * (the committed offsets are asked of the coordinator).
 */
static void pipe_starts(consumer_t *c, rd_kafka_topic_partition_list_t *tps) {
        rd_kafka_topic_partition_list_t *ask = rd_kafka_topic_partition_list_new(tps->cnt > 0 ? tps->cnt : 1);
        int i;
        pthread_mutex_lock(&c->lock);
        for (i = 0; i < tps->cnt; i++) {
                rd_kafka_topic_partition_t *tp = &tps->elems[i];
                part_t *p = find_tp(c, tp->topic, tp->partition);
                tp->offset = RD_KAFKA_OFFSET_INVALID;
                if (p && p->start != RD_KAFKA_OFFSET_INVALID) rd_kafka_topic_partition_list_add(ask, tp->topic, tp->partition);
        }
        pthread_mutex_unlock(&c->lock);
        if (ask->cnt > 0 && rd_kafka_committed(c->rk, ask, 30000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
                pthread_mutex_lock(&c->lock);
                for (i = 0; i < ask->cnt; i++) {
                        rd_kafka_topic_partition_t *e = &ask->elems[i];
                        part_t *p = find_tp(c, e->topic, e->partition);
                        rd_kafka_topic_partition_t *tp = rd_kafka_topic_partition_list_find(tps, e->topic, e->partition);
                        if (p && tp && !e->err && e->offset < 0) tp->offset = p->start;
                }
                pthread_mutex_unlock(&c->lock);
        }
        rd_kafka_topic_partition_list_destroy(ask);
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *tps, void *opaque) {
        consumer_t *c = opaque;
        bool cooperative = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
        int i;
        pthread_mutex_lock(&c->lock);
        c->rebalanced = true;
        if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
                size_t j;
                /* A partition given up and not handed straight back may be read by another member now. */
                for (j = 0; j < c->nparts; j++) {
                        part_t *p = &c->parts[j];
                        if (p->resume >= 0 && !rd_kafka_topic_partition_list_find(tps, p->topic, p->partition)) p->resume = -1;
                }
                c->assigned_event = true;
                if (c->pipe) {
                        pthread_mutex_unlock(&c->lock);
                        pipe_starts(c, tps);
                        pthread_mutex_lock(&c->lock);
                }
                for (i = 0; i < tps->cnt; i++) {
                        rd_kafka_topic_partition_t *tp = &tps->elems[i];
                        part_t *p = find_tp(c, tp->topic, tp->partition);
                        if (!p) p = add_part(c, tp->topic, tp->partition, RD_KAFKA_OFFSET_INVALID, -1);
                        if (!p) continue;
                        p->assigned = true, p->changed = true, p->gen++;
                        p->written = -1, p->committed = -1;
                        if (c->pipe) continue;
                        /* Explicit positions (N, -N, +N, @TIME) override the committed offset until
                         * this member has read from the partition. */
                        if (p->start != RD_KAFKA_OFFSET_INVALID && p->next < 0) tp->offset = p->start;
                        /* Handed straight back (eager protocols revoke everything each time): go on
                         * from what this member read, not from what it had written when it let go. */
                        if (p->resume >= 0) tp->offset = p->resume;
                        p->resume = -1;
                }
                if (cooperative) {
                        rd_kafka_error_t *e = rd_kafka_incremental_assign(rk, tps);
                        if (e) rd_kafka_error_destroy(e);
                } else {
                        rd_kafka_assign(rk, tps);
                }
                for (i = 0; i < tps->cnt; i++) {
                        part_t *p = find_tp(c, tps->elems[i].topic, tps->elems[i].partition);
                        if (p && p->done) pause_part(c, p);
                }
        } else if (c->pipe && !c->closing && !cooperative) {
                /* Deferred: JS ends its transaction for these partitions, then release() unassigns. */
                if (c->revoke_pending) rd_kafka_topic_partition_list_destroy(c->revoke_pending);
                c->revoke_pending = rd_kafka_topic_partition_list_copy(tps);
                rd_kafka_yield(rk);
        } else {
                /* Revoked (or lost). What was written for the leaving partitions is committed first,
                 * unless the assignment was lost (another member may own them already) or we are
                 * closing. They stop being ours before that commit: a later "written" notice for
                 * them is ignored, and JS is not held up while the commit waits for the broker. */
                bool given_up = err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS && !rd_kafka_assignment_lost(rk);
                rd_kafka_topic_partition_list_t *l = given_up && !c->closing ? written_offsets(c, tps) : NULL;
                for (i = 0; i < tps->cnt; i++) {
                        part_t *p = find_tp(c, tps->elems[i].topic, tps->elems[i].partition);
                        if (p && p->assigned) {
                                p->assigned = false, p->changed = true, p->gen++;
                                p->resume = given_up ? p->next : -1;
                        }
                }
                pthread_mutex_unlock(&c->lock);
                rd_kafka_resp_err_t ce = l && l->cnt > 0 ? rd_kafka_commit(rk, l, 0) : RD_KAFKA_RESP_ERR_NO_ERROR;
                if (l) rd_kafka_topic_partition_list_destroy(l);
                pthread_mutex_lock(&c->lock);
                if (ce && ce != RD_KAFKA_RESP_ERR__NO_OFFSET) snprintf(c->commit_error, sizeof(c->commit_error), "%s", rd_kafka_err2str(ce));
                if (cooperative) {
                        rd_kafka_error_t *e = rd_kafka_incremental_unassign(rk, tps);
                        if (e) rd_kafka_error_destroy(e);
                } else {
                        rd_kafka_assign(rk, NULL);
                }
        }
        pthread_mutex_unlock(&c->lock);
}

/* ---------- the batch, on a worker thread ---------- */

static void batch_execute(napi_env env, void *data) {
        batch_t *bt = data;
        consumer_t *c = bt->c;
        int timeout = bt->timeout_ms;
        int taken = 0;
        while (taken < bt->max_records && bt->out.len < bt->max_bytes && (bt->limit < 0 || bt->count < bt->limit)) {
                rd_kafka_message_t *m = rd_kafka_consumer_poll(c->rk, timeout);
                /* Pipe mode: a revoke waits for JS; what was read before it is handed over now. */
                if (c->revoke_pending) {
                        if (m) rd_kafka_message_destroy(m);
                        break;
                }
                if (!m) break;
                taken++;
                /* After the first record only what is already queued is taken: no waiting. */
                timeout = 0;
                if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                        part_t *p = find_part(c, m);
                        if (p) p->eof = true;
                        /* -e: the partition is finished; later records of it are not printed. */
                        if (p && c->eof_done && !p->done) p->done = true, pause_part(c, p);
                        rd_kafka_message_destroy(m);
                        continue;
                }
                if (m->err) {
                        /* Errors the consumer cannot skip end the batch; JS decides what to do. */
                        bt->err = m->err;
                        snprintf(bt->errstr, sizeof(bt->errstr), "%s", rd_kafka_message_errstr(m));
                        rd_kafka_message_destroy(m);
                        break;
                }
                part_t *p = find_part(c, m);
                bt->bytes_in += (int64_t)m->len;
                /* Not ours (any more): librdkafka drops those itself; this keeps it certain. */
                if (!p || p->done || !p->assigned) {
                        rd_kafka_message_destroy(m);
                        continue;
                }
                if (p->stop >= 0 && m->offset >= p->stop) {
                        p->done = true;
                        pause_part(c, p);
                        rd_kafka_message_destroy(m);
                        continue;
                }
                if (c->pipe) {
                        put_frame(&bt->out, m, (size_t)(p - c->parts));
                        if (!p->touched) p->first = m->offset;
                } else {
                        format_record(c, &bt->out, m);
                }
                bt->count++;
                p->next = m->offset + 1;
                p->touched = true;
                p->touched_gen = p->gen;
                if (p->stop >= 0 && p->next >= p->stop) {
                        p->done = true;
                        pause_part(c, p);
                }
                rd_kafka_message_destroy(m);
        }
}

static void slab_unref(slab_t *slab) {
        if (--slab->refs > 0) return;
        free(slab->data);
        free(slab);
}

/* The JS Buffer over a slab was collected. */
static void slab_finalize(napi_env env, void *data, void *hint) { slab_unref(hint); }

/* A slab for the next batch: a recycled one when there is one. */
static slab_t *take_slab(consumer_t *c) {
        if (c->nfree > 0) return c->free_slabs[--c->nfree];
        slab_t *slab = calloc(1, sizeof(*slab));
        if (slab) slab->refs = 1;
        return slab;
}

/* The consumer keeps a slab for reuse, unless it holds enough or the slab grew for a large record. */
static void keep_slab(consumer_t *c, slab_t *slab) {
        if (c->nfree < FREE_SLABS && slab->cap <= SLAB_KEEP_MAX) c->free_slabs[c->nfree++] = slab;
        else slab_unref(slab);
}

/* A slab handed to JS; without a place to track it, the consumer lets go (the GC frees it). */
static void track_slab(consumer_t *c, slab_t *slab) {
        int i;
        for (i = 0; i < OUTSTANDING_SLABS; i++) {
                if (!c->outstanding[i]) {
                        c->outstanding[i] = slab;
                        return;
                }
        }
        slab_unref(slab);
}

static void release_slabs(consumer_t *c) {
        int i;
        for (i = 0; i < OUTSTANDING_SLABS; i++) {
                if (c->outstanding[i]) slab_unref(c->outstanding[i]);
                c->outstanding[i] = NULL;
        }
        while (c->nfree > 0) slab_unref(c->free_slabs[--c->nfree]);
}

static void batch_complete(napi_env env, napi_status status, void *data) {
        batch_t *bt = data;
        consumer_t *c = bt->c;
        napi_value result, buffer, positions, eofs, n;
        size_t i, touched = 0, eof_count = 0;
        c->busy = false;
        napi_create_object(env, &result);
        slab_t *slab = bt->slab;
        slab->data = bt->out.data, slab->cap = bt->out.cap;
        if (bt->out.len > 0 && napi_create_external_buffer(env, bt->out.len, bt->out.data, slab_finalize, slab, &buffer) == napi_ok) {
                slab->refs++;
                if (c->closed) slab_unref(slab);
                else track_slab(c, slab);
        } else {
                napi_create_buffer(env, 0, NULL, &buffer);
                if (c->closed) slab_unref(slab);
                else keep_slab(c, slab);
        }
        napi_set_named_property(env, result, "data", buffer);
        napi_create_double(env, (double)bt->count, &n);
        napi_set_named_property(env, result, "count", n);
        napi_create_double(env, (double)bt->bytes_in, &n);
        napi_set_named_property(env, result, "bytes", n);
        /* positions: [partIndex, next, done, generation] per partition with records; eofs: partIndex
         * list; assignment: [partIndex, assigned, generation] per partition whose assignment changed;
         * added: {topic, partition} for the partitions from index `nreported` on. */
        pthread_mutex_lock(&c->lock);
        size_t changed = 0;
        for (i = 0; i < c->nparts; i++) touched += c->parts[i].touched, eof_count += c->parts[i].eof, changed += c->parts[i].changed;
        napi_value assignment, added, firsts;
        napi_create_array_with_length(env, touched * 4, &positions);
        napi_create_array_with_length(env, c->pipe ? touched * 2 : 0, &firsts);
        uint32_t f = 0;
        napi_create_array_with_length(env, eof_count, &eofs);
        napi_create_array_with_length(env, changed * 3, &assignment);
        napi_create_array_with_length(env, c->nparts - c->nreported, &added);
        uint32_t k = 0, e = 0, a = 0;
        for (i = 0; i < c->nparts; i++) {
                part_t *p = &c->parts[i];
                if (p->touched) {
                        napi_create_double(env, (double)i, &n), napi_set_element(env, positions, k++, n);
                        napi_create_double(env, (double)p->next, &n), napi_set_element(env, positions, k++, n);
                        napi_create_double(env, p->done ? 1 : 0, &n), napi_set_element(env, positions, k++, n);
                        napi_create_double(env, (double)p->touched_gen, &n), napi_set_element(env, positions, k++, n);
                        if (c->pipe) {
                                napi_create_double(env, (double)i, &n), napi_set_element(env, firsts, f++, n);
                                napi_create_double(env, (double)p->first, &n), napi_set_element(env, firsts, f++, n);
                        }
                }
                if (p->eof) napi_create_double(env, (double)i, &n), napi_set_element(env, eofs, e++, n);
                if (p->changed) {
                        napi_create_double(env, (double)i, &n), napi_set_element(env, assignment, a++, n);
                        napi_create_double(env, p->assigned ? 1 : 0, &n), napi_set_element(env, assignment, a++, n);
                        napi_create_double(env, (double)p->gen, &n), napi_set_element(env, assignment, a++, n);
                }
                if (i >= c->nreported) {
                        napi_value tp;
                        napi_create_object(env, &tp);
                        set_str(env, tp, "topic", p->topic);
                        set_num(env, tp, "partition", p->partition);
                        napi_set_element(env, added, (uint32_t)(i - c->nreported), tp);
                }
                p->touched = false, p->eof = false, p->changed = false;
        }
        c->nreported = c->nparts;
        napi_set_named_property(env, result, "positions", positions);
        napi_set_named_property(env, result, "eofs", eofs);
        napi_set_named_property(env, result, "assignment", assignment);
        napi_set_named_property(env, result, "added", added);
        set_bool(env, result, "rebalanced", c->rebalanced);
        c->rebalanced = false;
        if (c->pipe) {
                napi_set_named_property(env, result, "firsts", firsts);
                set_bool(env, result, "assignedNow", c->assigned_event);
                set_bool(env, result, "revokePending", c->revoke_pending != NULL);
        }
        c->assigned_event = false;
        if (c->commit_error[0]) {
                set_str(env, result, "commitError", c->commit_error);
                c->commit_error[0] = 0;
        }
        pthread_mutex_unlock(&c->lock);
        if (bt->err) {
                napi_value code, msg;
                napi_create_string_utf8(env, rd_kafka_err2name(bt->err), NAPI_AUTO_LENGTH, &code);
                napi_create_string_utf8(env, bt->errstr, NAPI_AUTO_LENGTH, &msg);
                napi_set_named_property(env, result, "errorCode", code);
                napi_set_named_property(env, result, "errorMessage", msg);
        }
        napi_resolve_deferred(env, bt->deferred, result);
        napi_delete_async_work(env, bt->work);
        free(bt);
}

/* consume(handle, maxRecords, maxBytes, timeoutMs, limit) -> Promise<{data, count, bytes, positions, eofs}> */
static napi_value js_consume(napi_env env, napi_callback_info info) {
        size_t argc = 5;
        napi_value argv[5], promise, name;
        double max_records, max_bytes, timeout, limit;
        napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
        consumer_t *c = argc == 5 ? get_consumer(env, argv[0]) : NULL;
        if (!c) return NULL;
        if (c->busy) {
                throw_coded(env, "_STATE", "a batch is already being read");
                return NULL;
        }
        napi_get_value_double(env, argv[1], &max_records);
        napi_get_value_double(env, argv[2], &max_bytes);
        napi_get_value_double(env, argv[3], &timeout);
        napi_get_value_double(env, argv[4], &limit);
        batch_t *bt = calloc(1, sizeof(*bt));
        bt->c = c;
        bt->slab = take_slab(c);
        if (!bt->slab) {
                free(bt);
                throw_coded(env, "_NO_MEMORY", "out of memory");
                return NULL;
        }
        bt->out.data = bt->slab->data, bt->out.cap = bt->slab->cap;
        bt->max_records = (int)max_records;
        bt->max_bytes = (size_t)max_bytes;
        bt->timeout_ms = (int)timeout;
        bt->limit = (int64_t)limit;
        napi_create_promise(env, &bt->deferred, &promise);
        napi_create_string_utf8(env, "kafkit.consume", NAPI_AUTO_LENGTH, &name);
        napi_create_async_work(env, NULL, name, batch_execute, batch_complete, bt, &bt->work);
        c->busy = true;
        napi_queue_async_work(env, bt->work);
        return promise;
}

/*
 * recycle(handle, buffer): a batch's data is written; its memory formats a later batch. JS must
 * not read the buffer afterwards.
 */
static napi_value js_recycle(napi_env env, napi_callback_info info) {
        size_t argc = 2, len = 0;
        napi_value argv[2];
        void *data = NULL;
        int i;
        napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
        consumer_t *c = argc == 2 ? get_consumer(env, argv[0]) : NULL;
        if (!c || napi_get_buffer_info(env, argv[1], &data, &len) != napi_ok || !data) return NULL;
        for (i = 0; i < OUTSTANDING_SLABS; i++) {
                slab_t *slab = c->outstanding[i];
                if (slab && slab->data == data) {
                        c->outstanding[i] = NULL;
                        keep_slab(c, slab);
                        break;
                }
        }
        return NULL;
}

/* ---------- create / assign / close ---------- */

/* Client errors reach JS through each batch's errorCode/errorMessage; this keeps them off stderr. */
static void error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque) {}

static void log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf) { /* kept quiet: errors come through error_cb */ }

/* Pipe mode: the deferred revoke's partitions stop being ours, and librdkafka may go on with the rebalance. */
static void release_revoke(consumer_t *c) {
        int i;
        pthread_mutex_lock(&c->lock);
        rd_kafka_topic_partition_list_t *tps = c->revoke_pending;
        c->revoke_pending = NULL;
        if (tps) {
                for (i = 0; i < tps->cnt; i++) {
                        part_t *p = find_tp(c, tps->elems[i].topic, tps->elems[i].partition);
                        if (p && p->assigned) p->assigned = false, p->changed = true, p->gen++;
                }
                c->rebalanced = true;
        }
        pthread_mutex_unlock(&c->lock);
        if (!tps) return;
        rd_kafka_assign(c->rk, NULL);
        rd_kafka_topic_partition_list_destroy(tps);
}

static void destroy_consumer(consumer_t *c) {
        size_t i;
        if (c->closed) return;
        c->closed = true;
        if (c->rk) {
                /* Leaves the group at once (the revoke it triggers commits nothing: closing). */
                pthread_mutex_lock(&c->lock);
                c->closing = true;
                pthread_mutex_unlock(&c->lock);
                release_revoke(c);
                rd_kafka_consumer_close(c->rk);
                rd_kafka_destroy(c->rk);
        }
        c->rk = NULL;
        for (i = 0; i < c->nparts; i++) free(c->parts[i].topic);
        free(c->parts), free(c->ops), free(c->literals);
        release_slabs(c);
        c->parts = NULL, c->ops = NULL, c->literals = NULL, c->nparts = 0, c->cap_parts = 0;
}

static void consumer_finalize(napi_env env, void *data, void *hint) {
        consumer_t *c = data;
        if (!c->busy) destroy_consumer(c);
        pthread_mutex_destroy(&c->lock);
        free(c);
}

/* create(config: Record<string, string>) -> handle */
static napi_value js_create(napi_env env, napi_callback_info info) {
        size_t argc = 1;
        napi_value argv[1], ext;
        napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
        if (argc < 1) {
                throw_coded(env, "_INVALID_ARG", "create(config)");
                return NULL;
        }
        consumer_t *c = calloc(1, sizeof(*c));
        pthread_mutex_init(&c->lock, NULL);
        c->iso_secs = -1;
        rd_kafka_conf_t *conf = kafkit_conf_from_js(env, argv[0], NULL, NULL);
        if (!conf) {
                c->closed = true;
                consumer_finalize(env, c, NULL);
                return NULL;
        }
        rd_kafka_conf_set_opaque(conf, c);
        rd_kafka_conf_set_error_cb(conf, error_cb);
        rd_kafka_conf_set_log_cb(conf, log_cb);
        /* Only a subscription (group mode) ever calls it. */
        rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
        rd_kafka_conf_set_offset_commit_cb(conf, offset_commit_cb);
        c->rk = kafkit_client_new(env, RD_KAFKA_CONSUMER, conf, argv[0]);
        if (!c->rk) {
                c->closed = true;
                consumer_finalize(env, c, NULL);
                return NULL;
        }
        rd_kafka_poll_set_consumer(c->rk);
        napi_create_external(env, c, consumer_finalize, NULL, &ext);
        return ext;
}

/*
 * The plan both modes start from: the format program, and the planned partitions with their
 * explicit starts (RD_KAFKA_OFFSET_INVALID: the committed offset) and stops (-1: none).
 * argv: topics: string[], partitions: Int32Array, starts: Float64Array, stops: Float64Array,
 *       program: Int32Array, literals: Buffer, exitAtEnd: boolean
 */
#define PLAN_ARGS 7
static bool load_plan(napi_env env, consumer_t *c, napi_value *argv) {
        napi_typedarray_type type;
        napi_value ab;
        size_t off, count, nops, len, i;
        int32_t *partitions, *ops;
        double *starts, *stops;
        void *lit;
        size_t lit_len;
        bool eof_done = false;
        if (c->ops) {
                throw_coded(env, "_STATE", "the consumer already has its plan");
                return false;
        }
        napi_get_typedarray_info(env, argv[1], &type, &count, (void **)&partitions, &ab, &off);
        napi_get_typedarray_info(env, argv[2], &type, &count, (void **)&starts, &ab, &off);
        napi_get_typedarray_info(env, argv[3], &type, &count, (void **)&stops, &ab, &off);
        napi_get_typedarray_info(env, argv[4], &type, &nops, (void **)&ops, &ab, &off);
        napi_get_buffer_info(env, argv[5], &lit, &lit_len);
        napi_get_value_bool(env, argv[6], &eof_done);
        if (nops < LITERAL_SLOTS * 2) {
                napi_throw_error(env, NULL, "format program without its literal slots");
                return false;
        }
        c->ops = malloc(nops * sizeof(int32_t));
        memcpy(c->ops, ops, nops * sizeof(int32_t));
        c->nops = nops;
        c->literals = malloc(lit_len ? lit_len : 1);
        memcpy(c->literals, lit, lit_len);
        c->literals_len = lit_len;
        c->eof_done = eof_done;
        pthread_mutex_lock(&c->lock);
        for (i = 0; i < count; i++) {
                napi_value t;
                char topic[512];
                napi_get_element(env, argv[0], (uint32_t)i, &t);
                napi_get_value_string_utf8(env, t, topic, sizeof(topic), &len);
                if (!add_part(c, topic, partitions[i], starts[i] < 0 ? RD_KAFKA_OFFSET_INVALID : (int64_t)starts[i], (int64_t)stops[i])) break;
        }
        c->nreported = c->nparts;
        pthread_mutex_unlock(&c->lock);
        return true;
}

/* assign(handle, ...plan): direct mode, every planned partition from its start (planned ones only). */
static napi_value js_assign(napi_env env, napi_callback_info info) {
        size_t argc = 1 + PLAN_ARGS, i;
        napi_value argv[1 + PLAN_ARGS];
        napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
        consumer_t *c = argc == 1 + PLAN_ARGS ? get_consumer(env, argv[0]) : NULL;
        if (!c || !load_plan(env, c, argv + 1)) return NULL;
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)c->nparts);
        for (i = 0; i < c->nparts; i++) {
                c->parts[i].assigned = true;
                rd_kafka_topic_partition_list_add(l, c->parts[i].topic, c->parts[i].partition)->offset = c->parts[i].start;
        }
        rd_kafka_resp_err_t err = rd_kafka_assign(c->rk, l);
        rd_kafka_topic_partition_list_destroy(l);
        if (err) throw_coded(env, rd_kafka_err2name(err), rd_kafka_err2str(err));
        return NULL;
}

/* subscribe(handle, subscription: string[], ...plan, pipe?: boolean): group mode; a `^...` entry is a
 * librdkafka pattern. `pipe`: pipe mode (see the top; the program is ignored: records are framed). */
static napi_value js_subscribe(napi_env env, napi_callback_info info) {
        size_t argc = 3 + PLAN_ARGS, len;
        uint32_t n = 0, i;
        napi_value argv[3 + PLAN_ARGS];
        bool pipe = false;
        napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
        consumer_t *c = argc >= 2 + PLAN_ARGS ? get_consumer(env, argv[0]) : NULL;
        if (!c || !load_plan(env, c, argv + 2)) return NULL;
        if (argc > 2 + PLAN_ARGS) napi_get_value_bool(env, argv[2 + PLAN_ARGS], &pipe);
        c->pipe = pipe;
        napi_get_array_length(env, argv[1], &n);
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)n);
        for (i = 0; i < n; i++) {
                napi_value t;
                char topic[1024];
                napi_get_element(env, argv[1], i, &t);
                napi_get_value_string_utf8(env, t, topic, sizeof(topic), &len);
                rd_kafka_topic_partition_list_add(l, topic, RD_KAFKA_PARTITION_UA);
        }
        rd_kafka_resp_err_t err = rd_kafka_subscribe(c->rk, l);
        rd_kafka_topic_partition_list_destroy(l);
        if (err) throw_coded(env, rd_kafka_err2name(err), rd_kafka_err2str(err));
        return NULL;
}

/*
 * written(handle, notices: Float64Array of (partIndex, next, generation) triples): what reached
 * stdout. A notice for a partition this member no longer owns, or owns in a newer generation, is
 * ignored: those records belong to an assignment that is gone.
 */
static napi_value js_written(napi_env env, napi_callback_info info) {
        size_t argc = 2, count, off, i;
        napi_value argv[2], ab;
        napi_typedarray_type type;
        double *notices;
        napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
        consumer_t *c = argc == 2 ? get_consumer(env, argv[0]) : NULL;
        if (!c) return NULL;
        napi_get_typedarray_info(env, argv[1], &type, &count, (void **)&notices, &ab, &off);
        pthread_mutex_lock(&c->lock);
        for (i = 0; i + 3 <= count; i += 3) {
                size_t index = (size_t)notices[i];
                if (index >= c->nparts) continue;
                part_t *p = &c->parts[index];
                int64_t next = (int64_t)notices[i + 1];
                if (p->assigned && p->gen == (int32_t)notices[i + 2] && next > p->written) p->written = next;
        }
        pthread_mutex_unlock(&c->lock);
        return NULL;
}

/* commit(handle, sync: boolean) -> error message | undefined: commits what was written and not yet committed. */
static napi_value js_commit(napi_env env, napi_callback_info info) {
        size_t argc = 2;
        napi_value argv[2], result = NULL;
        bool sync = false;
        napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
        consumer_t *c = argc == 2 ? get_consumer(env, argv[0]) : NULL;
        if (!c) return NULL;
        napi_get_value_bool(env, argv[1], &sync);
        /* Under the lock: a rebalance on the polling thread waits, so it never sees a half-made commit. */
        pthread_mutex_lock(&c->lock);
        rd_kafka_resp_err_t err = commit_written(c, !sync);
        pthread_mutex_unlock(&c->lock);
        if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) make_str(env, rd_kafka_err2str(err), &result);
        return result;
}

/* release(handle): pipe mode: the revoke a batch reported (revokePending) may go ahead. */
static napi_value js_release(napi_env env, napi_callback_info info) {
        size_t argc = 1;
        napi_value argv[1];
        napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
        consumer_t *c = argc == 1 ? get_consumer(env, argv[0]) : NULL;
        if (c) release_revoke(c);
        return NULL;
}

/* seek(handle, partIndex, offset, timeoutMs) -> error message | undefined: reads the partition again from offset. */
static napi_value js_seek(napi_env env, napi_callback_info info) {
        size_t argc = 4;
        napi_value argv[4], result = NULL;
        double index = -1, offset = 0, timeout = 10000;
        napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
        consumer_t *c = argc == 4 ? get_consumer(env, argv[0]) : NULL;
        if (!c) return NULL;
        napi_get_value_double(env, argv[1], &index);
        napi_get_value_double(env, argv[2], &offset);
        napi_get_value_double(env, argv[3], &timeout);
        if (index < 0 || (size_t)index >= c->nparts) {
                throw_coded(env, "_INVALID_ARG", "seek: no such partition index");
                return NULL;
        }
        pthread_mutex_lock(&c->lock);
        part_t *p = &c->parts[(size_t)index];
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(l, p->topic, p->partition)->offset = (int64_t)offset;
        p->next = (int64_t)offset;
        pthread_mutex_unlock(&c->lock);
        rd_kafka_error_t *error = rd_kafka_seek_partitions(c->rk, l, (int)timeout);
        if (error) {
                make_str(env, rd_kafka_error_string(error), &result);
                rd_kafka_error_destroy(error);
        } else if (l->elems[0].err) {
                make_str(env, rd_kafka_err2str(l->elems[0].err), &result);
        }
        rd_kafka_topic_partition_list_destroy(l);
        return result;
}

/* groupMetadata(handle) -> Buffer: the member's group metadata now (its generation changes with each rebalance), serialized for the producer's sendOffsetsToTransaction. */
static napi_value js_group_metadata(napi_env env, napi_callback_info info) {
        consumer_t *c = first_external(env, info);
        napi_value result;
        void *data = NULL, *copy;
        size_t size = 0;
        if (!c || c->closed) {
                throw_coded(env, "_STATE", "the consumer is closed");
                return NULL;
        }
        rd_kafka_consumer_group_metadata_t *md = rd_kafka_consumer_group_metadata(c->rk);
        if (!md) {
                throw_coded(env, "_STATE", "the consumer has no group metadata");
                return NULL;
        }
        rd_kafka_error_t *error = rd_kafka_consumer_group_metadata_write(md, &data, &size);
        rd_kafka_consumer_group_metadata_destroy(md);
        if (error) {
                throw_coded(env, rd_kafka_error_name(error), rd_kafka_error_string(error));
                rd_kafka_error_destroy(error);
                return NULL;
        }
        napi_status st = napi_create_buffer_copy(env, size, data, &copy, &result);
        rd_kafka_mem_free(c->rk, data);
        if (st != napi_ok) {
                throw_napi_failure(env, "napi_create_buffer_copy");
                return NULL;
        }
        return result;
}

/* lag(handle) -> records behind the high watermark (as last fetched) on the assigned partitions read from. */
static napi_value js_lag(napi_env env, napi_callback_info info) {
        consumer_t *c = first_external(env, info);
        napi_value result;
        double lag = 0;
        size_t i;
        if (c && !c->closed) {
                pthread_mutex_lock(&c->lock);
                for (i = 0; i < c->nparts; i++) {
                        part_t *p = &c->parts[i];
                        int64_t low, high;
                        if (!p->assigned || p->next < 0) continue;
                        if (rd_kafka_get_watermark_offsets(c->rk, p->topic, p->partition, &low, &high) == RD_KAFKA_RESP_ERR_NO_ERROR && high > p->next)
                                lag += (double)(high - p->next);
                }
                pthread_mutex_unlock(&c->lock);
        }
        napi_create_double(env, lag, &result);
        return result;
}

/* close(handle): leaves and destroys the client; call only when no batch is being read. */
static napi_value js_close(napi_env env, napi_callback_info info) {
        consumer_t *c = first_external(env, info);
        if (c && !c->busy) destroy_consumer(c);
        return NULL;
}

/*
 * outputClosed(fd) -> boolean: whether the reader of a pipe has gone (`| head` exited). A write
 * would fail with EPIPE, but a consumer that is following a quiet topic writes nothing: this
 * lets it notice without writing. Files and terminals never report it.
 */
static napi_value js_output_closed(napi_env env, napi_callback_info info) {
        size_t argc = 1;
        napi_value argv[1], result;
        int32_t fd = 1;
        napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
        if (argc >= 1) napi_get_value_int32(env, argv[0], &fd);
        struct pollfd p = {.fd = fd, .events = POLLOUT, .revents = 0};
        bool closed = poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP)) != 0;
        napi_get_boolean(env, closed, &result);
        return result;
}

/* The contract's op table and modes, as the TS side names them. */
static bool define_consume_contract(napi_env env, napi_value exports) {
        static const struct {
                const char *name;
                int value;
        } ops[] = {{"LIT", OP_LIT},         {"TOPIC", OP_TOPIC},         {"PARTITION", OP_PARTITION},
                   {"OFFSET", OP_OFFSET},   {"KEY", OP_KEY},             {"VALUE", OP_VALUE},
                   {"KEY_LEN", OP_KEY_LEN}, {"VALUE_LEN", OP_VALUE_LEN}, {"TIMESTAMP", OP_TIMESTAMP},
                   {"HEADERS", OP_HEADERS}, {"VALUE_LEN_BE32", OP_VALUE_LEN_BE32}, {"JSONL", OP_JSONL}},
          modes[] = {{"ms", TS_MS}, {"s", TS_S}, {"iso", TS_ISO}, {"type", TS_TYPED}},
          bytes[] = {{"raw", MODE_RAW}, {"base64", MODE_BASE64}, {"hex", MODE_HEX}};
        napi_value contract, o;
        size_t i;
        if (!define_contract(env, exports, CONSUME_CONTRACT_VERSION, &contract) ||
            !set_num(env, contract, "literalSlots", LITERAL_SLOTS) || !set_num(env, contract, "frameFixed", FRAME_FIXED))
                return false;
        NAPI_OK(napi_create_object(env, &o));
        for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
                if (!set_num(env, o, ops[i].name, ops[i].value)) return false;
        NAPI_OK(napi_set_named_property(env, contract, "ops", o));
        NAPI_OK(napi_create_object(env, &o));
        for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
                if (!set_num(env, o, modes[i].name, modes[i].value)) return false;
        NAPI_OK(napi_set_named_property(env, contract, "timestampModes", o));
        NAPI_OK(napi_create_object(env, &o));
        for (i = 0; i < sizeof(bytes) / sizeof(bytes[0]); i++)
                if (!set_num(env, o, bytes[i].name, bytes[i].value)) return false;
        NAPI_OK(napi_set_named_property(env, contract, "byteModes", o));
        return true;
}

static napi_value init(napi_env env, napi_value exports) {
        napi_property_descriptor props[] = {
            {"create", NULL, js_create, NULL, NULL, NULL, napi_default, NULL},
            {"assign", NULL, js_assign, NULL, NULL, NULL, napi_default, NULL},
            {"subscribe", NULL, js_subscribe, NULL, NULL, NULL, napi_default, NULL},
            {"written", NULL, js_written, NULL, NULL, NULL, napi_default, NULL},
            {"commit", NULL, js_commit, NULL, NULL, NULL, napi_default, NULL},
            {"consume", NULL, js_consume, NULL, NULL, NULL, napi_default, NULL},
            {"recycle", NULL, js_recycle, NULL, NULL, NULL, napi_default, NULL},
            {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
            {"release", NULL, js_release, NULL, NULL, NULL, napi_default, NULL},
            {"seek", NULL, js_seek, NULL, NULL, NULL, napi_default, NULL},
            {"groupMetadata", NULL, js_group_metadata, NULL, NULL, NULL, napi_default, NULL},
            {"lag", NULL, js_lag, NULL, NULL, NULL, napi_default, NULL},
            {"outputClosed", NULL, js_output_closed, NULL, NULL, NULL, napi_default, NULL},
            {"versions", NULL, js_versions, NULL, NULL, NULL, napi_default, NULL},
        };
        if (!init_module(env, exports, props, sizeof(props) / sizeof(props[0])) || !define_consume_contract(env, exports))
                return NULL;
        return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
