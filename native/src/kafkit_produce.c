/*
 * kafkit_produce: the hot loop of `kafkit produce`, in C over the same librdkafka.so that
 * @confluentinc/kafka-javascript built.
 *
 * Why native: crossing from JavaScript into the client binding costs about 2.6 us per record,
 * which caps a JS producer far below kcat. Here JavaScript hands over many records at once
 * (one byte buffer plus an Int32Array of offsets), C calls rd_kafka_producev for each, and
 * only counts and failures come back.
 *
 * Threading model: everything runs on the JS thread. Delivery reports and error events are
 * served by rd_kafka_poll(), called from produce() (while the queue is full) and poll();
 * their callbacks append to plain C arrays that poll() turns into JS values. No call blocks
 * longer than the timeout it is given, so signal handlers and timers keep running between
 * calls. librdkafka's log lines are kept (under a lock: they come from its own threads)
 * and handed over by poll() instead of being printed.
 *
 * Record ids: every record carries a caller-chosen number (the input line number) as its
 * msg_opaque, so a failure names the line it came from. Failed records come back with
 * their key, value and headers, so the caller can write them to a dead-letter file
 * without keeping every record in memory until it is delivered.
 *
 * Record descriptor (Int32Array, DESC_FIELDS per record), offsets into `data`:
 *   keyOffset, keyLength (-1 = null key), valueOffset, valueLength (-1 = null value),
 *   partition (-1 = the partitioner decides), headerStart, headerCount, idDelta
 * (the record's id is firstId + idDelta)
 * Header descriptor (Int32Array, 4 per header), offsets into `headerData`:
 *   nameOffset, nameLength, valueOffset, valueLength (-1 = null value)
 *
 * `kafkit pipe` also uses: more topics than the first (create's otherTopics, produce's
 * topicIndex: its dead-letter topic), produceFrames (the consume extension's record frames,
 * produced as they are, kafkit_frame.h) and sendOffsetsToTransaction.
 */
#define _GNU_SOURCE /* memmem */
#include "kafkit_config.h"
#include "kafkit_frame.h"
#include "kafkit_napi.h"

#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/types.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The layout of the descriptors below, checked by the TS side at load (PRODUCE_CONTRACT in
 * src/lib/native/contracts.ts): raise the version with any change to them. */
#define PRODUCE_CONTRACT_VERSION 2
#define DESC_FIELDS 8
#define HDR_FIELDS 4
#define MAX_LOGS 64
#define MAX_ERRORS 64

typedef struct {
        double id;
        int32_t partition;
        rd_kafka_resp_err_t err;
        char *key;
        ssize_t key_len; /* -1 = null */
        char *value;
        ssize_t value_len;
        /* Headers serialized as: u32 count, then per header: u32 nameLen, name, i32 valueLen, value. */
        char *headers;
        size_t headers_len;
} failure_t;

typedef struct {
        int level;
        char *text;
} log_line_t;

typedef struct {
        rd_kafka_resp_err_t err;
        bool fatal;
        char *text;
} client_error_t;

typedef struct {
        rd_kafka_t *rk;
        rd_kafka_topic_t *rkt;
        /* create's otherTopics: topicIndex 1, 2, ... */
        rd_kafka_topic_t **other_rkts;
        uint32_t other_count;
        bool want_deliveries;

        /* Sticky partitioning of null-key records, done here for whole batches (see
         * sticky_slice). `avail` lists the partitions that had a leader in the last
         * metadata answer. */
        bool sticky;
        int64_t sticky_bytes;   /* batch.size */
        int64_t sticky_records; /* batch.num.messages */
        int64_t sticky_left, sticky_records_left;
        int32_t sticky_current;
        int sticky_index; /* of sticky_current in avail */
        int32_t *avail;
        int avail_cnt;
        unsigned int seed;

        double queue_full_ms; /* time spent waiting for room in librdkafka's queue */
        bool closed;
        bool busy; /* initTransactionsAsync runs: the client is destroyed when it settles */
        bool close_when_idle;

        double delivered; /* since the last poll() */
        double *deliveries; /* [id, partition, offset, timestamp] per record */
        size_t deliveries_len, deliveries_cap;

        failure_t *failures;
        size_t failures_len, failures_cap;

        client_error_t errors[MAX_ERRORS];
        size_t errors_len;

        pthread_mutex_t log_lock;
        log_line_t logs[MAX_LOGS];
        size_t logs_len;

        struct line_batch *line_batch; /* produceLines' batch, allocated on first use */
} producer_t;

static char empty_bytes[1] = {0};

/* ---------- N-API helpers of this extension (the shared ones: kafkit_napi.h) ---------- */

/* A librdkafka error as thrown to JS; transaction errors also say what to do next. */
static void throw_kafka(napi_env env, rd_kafka_resp_err_t err, const char *message,
                        const rd_kafka_error_t *error) {
        napi_value obj = make_error(env, rd_kafka_err2name(err), message);
        if (!obj) {
                throw_napi_failure(env, "napi_create_error");
                return;
        }
        if (error) {
                set_bool(env, obj, "retriable", rd_kafka_error_is_retriable(error));
                set_bool(env, obj, "abortable", rd_kafka_error_txn_requires_abort(error));
                set_bool(env, obj, "fatal", rd_kafka_error_is_fatal(error));
        }
        napi_throw(env, obj);
}

static void throw_usage(napi_env env, const char *message) {
        napi_throw_type_error(env, "ERR_KAFKIT_PRODUCE", message);
}

static bool set_bytes(napi_env env, napi_value o, const char *name, const char *p, ssize_t len) {
        napi_value v;
        if (len < 0) {
                napi_get_null(env, &v);
        } else {
                void *dst;
                if (napi_create_buffer_copy(env, (size_t)len, len ? p : empty_bytes, &dst, &v) != napi_ok) return false;
        }
        return napi_set_named_property(env, o, name, v) == napi_ok;
}

static producer_t *get_producer(napi_env env, napi_value v) {
        producer_t *p = NULL;
        if (napi_get_value_external(env, v, (void **)&p) != napi_ok || !p) {
                throw_usage(env, "not a producer handle");
                return NULL;
        }
        if (p->closed) {
                throw_usage(env, "the producer is closed");
                return NULL;
        }
        return p;
}

static bool get_typed(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *len) {
        napi_typedarray_type type;
        napi_value ab;
        size_t off;
        bool is;
        if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return false;
        if (napi_get_typedarray_info(env, v, &type, len, data, &ab, &off) != napi_ok || type != want) return false;
        return true;
}

static bool get_buffer(napi_env env, napi_value v, char **data, size_t *len) {
        bool is;
        if (napi_is_buffer(env, v, &is) != napi_ok || !is) return false;
        return napi_get_buffer_info(env, v, (void **)data, len) == napi_ok;
}

static double now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* librdkafka's queue is full: serve delivery reports for a moment, and count the wait (--debug reports it). */
static void wait_for_room(producer_t *p) {
        double started = now_ms();
        rd_kafka_poll(p->rk, 5);
        p->queue_full_ms += now_ms() - started;
}

/* After a refusal for a full queue: waits for room, unless max_wait has passed since the first refusal (false). */
static bool room_within(producer_t *p, double *deadline, double max_wait) {
        if (*deadline < 0) *deadline = now_ms() + max_wait;
        else if (now_ms() >= *deadline) return false;
        wait_for_room(p);
        return true;
}

/* One record to librdkafka (copied; timestamp 0: now). On success the headers are librdkafka's. */
static rd_kafka_resp_err_t send_record(producer_t *p, rd_kafka_topic_t *rkt, int32_t partition, const void *key, size_t key_len,
                                       const void *val, size_t val_len, int64_t timestamp, void *opaque, rd_kafka_headers_t *hdrs) {
        return hdrs ? rd_kafka_producev(p->rk, RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_PARTITION(partition), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                        RD_KAFKA_V_KEY(key, key_len), RD_KAFKA_V_VALUE((void *)val, val_len), RD_KAFKA_V_TIMESTAMP(timestamp),
                                        RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END)
                    : rd_kafka_producev(p->rk, RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_PARTITION(partition), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                        RD_KAFKA_V_KEY(key, key_len), RD_KAFKA_V_VALUE((void *)val, val_len), RD_KAFKA_V_TIMESTAMP(timestamp),
                                        RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
}

/* ---------- librdkafka callbacks ---------- */

static char *copy_bytes(const void *p, size_t len) {
        char *out = malloc(len ? len : 1);
        if (out && len) memcpy(out, p, len);
        return out;
}

static void serialize_headers(rd_kafka_headers_t *hdrs, failure_t *f) {
        size_t count = hdrs ? rd_kafka_header_cnt(hdrs) : 0, size = 4, i;
        const char *name;
        const void *val;
        size_t val_len;
        for (i = 0; i < count; i++) {
                rd_kafka_header_get_all(hdrs, i, &name, &val, &val_len);
                size += 8 + strlen(name) + (val ? val_len : 0);
        }
        char *out = malloc(size), *w = out;
        if (!out) return;
        uint32_t n32 = (uint32_t)count;
        memcpy(w, &n32, 4), w += 4;
        for (i = 0; i < count; i++) {
                rd_kafka_header_get_all(hdrs, i, &name, &val, &val_len);
                uint32_t nl = (uint32_t)strlen(name);
                int32_t vl = val ? (int32_t)val_len : -1;
                memcpy(w, &nl, 4), w += 4;
                memcpy(w, name, nl), w += nl;
                memcpy(w, &vl, 4), w += 4;
                if (vl > 0) memcpy(w, val, (size_t)vl), w += vl;
        }
        f->headers = out;
        f->headers_len = size;
}

static void add_failure(producer_t *p, double id, int32_t partition, rd_kafka_resp_err_t err, const void *key,
                        ssize_t key_len, const void *value, ssize_t value_len, rd_kafka_headers_t *hdrs) {
        if (p->failures_len == p->failures_cap) {
                size_t cap = p->failures_cap ? p->failures_cap * 2 : 64;
                failure_t *grown = realloc(p->failures, cap * sizeof(*grown));
                if (!grown) return;
                p->failures = grown, p->failures_cap = cap;
        }
        failure_t *f = &p->failures[p->failures_len++];
        memset(f, 0, sizeof(*f));
        f->id = id, f->partition = partition, f->err = err;
        f->key_len = key ? key_len : -1;
        f->key = key ? copy_bytes(key, (size_t)key_len) : NULL;
        f->value_len = value ? value_len : -1;
        f->value = value ? copy_bytes(value, (size_t)value_len) : NULL;
        serialize_headers(hdrs, f);
}

static void dr_msg_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
        producer_t *p = opaque;
        double id = (double)(intptr_t)m->_private;
        if (!m->err) {
                p->delivered += 1;
                if (!p->want_deliveries) return;
                if (p->deliveries_len + 4 > p->deliveries_cap) {
                        size_t cap = p->deliveries_cap ? p->deliveries_cap * 2 : 4096;
                        double *grown = realloc(p->deliveries, cap * sizeof(double));
                        if (!grown) return;
                        p->deliveries = grown, p->deliveries_cap = cap;
                }
                rd_kafka_timestamp_type_t tstype;
                double *d = p->deliveries + p->deliveries_len;
                d[0] = id, d[1] = m->partition, d[2] = (double)m->offset;
                d[3] = (double)rd_kafka_message_timestamp(m, &tstype);
                p->deliveries_len += 4;
                return;
        }
        rd_kafka_headers_t *hdrs = NULL;
        if (rd_kafka_message_headers(m, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR) hdrs = NULL;
        add_failure(p, id, m->partition, m->err, m->key, m->key ? (ssize_t)m->key_len : -1, m->payload,
                    m->payload ? (ssize_t)m->len : -1, hdrs);
}

static void error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque) {
        producer_t *p = opaque;
        bool fatal = err == RD_KAFKA_RESP_ERR__FATAL;
        char buf[512];
        if (fatal) {
                err = rd_kafka_fatal_error(rk, buf, sizeof(buf));
                reason = buf;
        }
        if (p->errors_len == MAX_ERRORS) return;
        client_error_t *e = &p->errors[p->errors_len++];
        e->err = err, e->fatal = fatal, e->text = strdup(reason ? reason : "");
}

static void log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
        producer_t *p = rd_kafka_opaque(rk);
        if (!p) return;
        pthread_mutex_lock(&p->log_lock);
        if (p->logs_len < MAX_LOGS) {
                size_t n = strlen(fac) + strlen(buf) + 3;
                char *text = malloc(n);
                if (text) {
                        snprintf(text, n, "%s: %s", fac, buf);
                        p->logs[p->logs_len].level = level;
                        p->logs[p->logs_len++].text = text;
                }
        }
        pthread_mutex_unlock(&p->log_lock);
}

/* ---------- create / close ---------- */

static void destroy_producer(producer_t *p) {
        if (p->closed) return;
        if (p->busy) {
                p->close_when_idle = true;
                return;
        }
        p->closed = true;
        if (p->rkt) rd_kafka_topic_destroy(p->rkt);
        for (uint32_t i = 0; i < p->other_count; i++)
                if (p->other_rkts[i]) rd_kafka_topic_destroy(p->other_rkts[i]);
        free(p->other_rkts);
        p->other_rkts = NULL, p->other_count = 0;
        if (p->rk) rd_kafka_destroy(p->rk);
        p->rkt = NULL, p->rk = NULL;
}

static void producer_finalize(napi_env env, void *data, void *hint) {
        producer_t *p = data;
        size_t i;
        destroy_producer(p);
        for (i = 0; i < p->failures_len; i++) free(p->failures[i].key), free(p->failures[i].value), free(p->failures[i].headers);
        for (i = 0; i < p->errors_len; i++) free(p->errors[i].text);
        for (i = 0; i < p->logs_len; i++) free(p->logs[i].text);
        free(p->failures);
        free(p->deliveries);
        free(p->line_batch);
        free(p->avail);
        pthread_mutex_destroy(&p->log_lock);
        free(p);
}

static int64_t conf_number(rd_kafka_conf_t *conf, const char *name, int64_t fallback) {
        char text[32];
        size_t len = sizeof(text);
        int64_t n = rd_kafka_conf_get(conf, name, text, &len) == RD_KAFKA_CONF_OK ? atoll(text) : 0;
        return n > 0 ? n : fallback;
}

/*
 * Whether librdkafka would spread null-key records with its sticky partitioner: the *_random
 * partitioners do (consistent_random is its default), unless sticky.partitioning.linger.ms is 0.
 * Then the batch paths may place whole batches of them themselves (sticky_slice).
 */
static bool spreads_null_keys(rd_kafka_conf_t *conf) {
        char text[64];
        size_t len = sizeof(text);
        if (rd_kafka_conf_get(conf, "partitioner", text, &len) == RD_KAFKA_CONF_OK && !strstr(text, "random")) return false;
        len = sizeof(text);
        return rd_kafka_conf_get(conf, "sticky.partitioning.linger.ms", text, &len) != RD_KAFKA_CONF_OK || atoll(text) > 0;
}

/* create(config: Record<string, string>, topic: string, wantDeliveries: boolean, otherTopics?: string[]) -> handle */
static napi_value js_create(napi_env env, napi_callback_info info) {
        size_t argc = 4;
        napi_value argv[4], ext;
        char topic[512];
        size_t len;
        bool want = false;
        if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3) {
                throw_usage(env, "create(config, topic, wantDeliveries)");
                return NULL;
        }
        if (napi_get_value_string_utf8(env, argv[1], topic, sizeof(topic), &len) != napi_ok) {
                throw_usage(env, "topic must be a string");
                return NULL;
        }
        napi_get_value_bool(env, argv[2], &want);

        /* Keep freed memory for reuse instead of returning it to the kernel: every record passes
         * through malloc (a copy in librdkafka's queue), every ProduceRequest through a ~1 MB
         * buffer, and with glibc's defaults those pages were handed back and faulted in again,
         * zeroed, over and over (a quarter of the producing thread's time, measured with perf).
         * The peak stays bounded by the queue limits. */
        mallopt(M_MMAP_THRESHOLD, 64 << 20);
        mallopt(M_TRIM_THRESHOLD, 512 << 20);

        producer_t *p = calloc(1, sizeof(*p));
        if (!p) return NULL;
        pthread_mutex_init(&p->log_lock, NULL);
        p->want_deliveries = want;
        p->sticky_current = -1;
        p->seed = (unsigned int)(now_ms() * 1000) ^ (unsigned int)(uintptr_t)p;
        rd_kafka_conf_t *conf = kafkit_conf_from_js(env, argv[0], NULL, NULL);
        if (!conf) {
                producer_finalize(env, p, NULL);
                return NULL;
        }
        p->sticky = spreads_null_keys(conf);
        p->sticky_bytes = conf_number(conf, "batch.size", 1000000);
        p->sticky_records = conf_number(conf, "batch.num.messages", 10000);
        rd_kafka_conf_set_opaque(conf, p);
        rd_kafka_conf_set_dr_msg_cb(conf, dr_msg_cb);
        rd_kafka_conf_set_error_cb(conf, error_cb);
        rd_kafka_conf_set_log_cb(conf, log_cb);
        p->rk = kafkit_client_new(env, RD_KAFKA_PRODUCER, conf, argv[0]);
        if (!p->rk) {
                p->closed = true;
                producer_finalize(env, p, NULL);
                return NULL;
        }
        p->rkt = rd_kafka_topic_new(p->rk, topic, NULL);
        if (!p->rkt) {
                producer_finalize(env, p, NULL);
                throw_kafka(env, rd_kafka_last_error(), "cannot create the topic handle", NULL);
                return NULL;
        }
        napi_valuetype others_type = napi_undefined;
        if (argc > 3) napi_typeof(env, argv[3], &others_type);
        if (others_type == napi_object) {
                uint32_t n = 0, i;
                napi_get_array_length(env, argv[3], &n);
                p->other_rkts = calloc(n ? n : 1, sizeof(rd_kafka_topic_t *));
                for (i = 0; p->other_rkts && i < n; i++) {
                        napi_value t;
                        char other[512];
                        napi_get_element(env, argv[3], i, &t);
                        if (napi_get_value_string_utf8(env, t, other, sizeof(other), &len) != napi_ok ||
                            !(p->other_rkts[i] = rd_kafka_topic_new(p->rk, other, NULL))) {
                                p->other_count = i;
                                producer_finalize(env, p, NULL);
                                throw_usage(env, "otherTopics: a topic name that cannot be used");
                                return NULL;
                        }
                        p->other_count = i + 1;
                }
        }
        if (napi_create_external(env, p, producer_finalize, NULL, &ext) != napi_ok) {
                producer_finalize(env, p, NULL);
                return NULL;
        }
        return ext;
}

/* close(handle): destroys the client (call purge() and poll() first if records are left). */
static napi_value js_close(napi_env env, napi_callback_info info) {
        producer_t *p = first_external(env, info);
        if (p) destroy_producer(p);
        return NULL;
}

/* ---------- produce ---------- */

/*
 * The headers descriptors [first, first + count) describe, or NULL (with a JS exception
 * thrown, naming `fn`) when one points outside headerData.
 */
static rd_kafka_headers_t *headers_from_desc(napi_env env, const char *fn, const int32_t *hdesc, int32_t first, int32_t count,
                                             const char *hdata, size_t hdata_len) {
        rd_kafka_headers_t *hdrs = rd_kafka_headers_new((size_t)count);
        int32_t h;
        for (h = first; h < first + count; h++) {
                const int32_t *hd = hdesc + (size_t)h * HDR_FIELDS;
                if ((size_t)hd[0] + (size_t)hd[1] > hdata_len || (hd[3] >= 0 && (size_t)hd[2] + (size_t)hd[3] > hdata_len)) {
                        char message[128];
                        rd_kafka_headers_destroy(hdrs);
                        snprintf(message, sizeof(message), "%s: a header descriptor points outside its buffer", fn);
                        throw_usage(env, message);
                        return NULL;
                }
                rd_kafka_header_add(hdrs, hdata + hd[0], hd[1], hd[3] < 0 ? NULL : hdata + hd[2], hd[3] < 0 ? 0 : hd[3]);
        }
        return hdrs;
}


/*
 * Batched hand-over for records without headers: rd_kafka_produce_batch reads the clock and
 * takes the topic lock once per batch instead of once per record, which is a large part of
 * librdkafka's per-record cost on the producing thread. Records of one call share a
 * timestamp (they are read within a millisecond or two of each other).
 */
#define LINE_BATCH 2048

typedef struct line_batch {
        rd_kafka_message_t msgs[LINE_BATCH];
        size_t ends[LINE_BATCH]; /* input position after each record */
        int count;
        bool keyed; /* some record has a key: the partitioner must place each record */
} line_batch_t;

static line_batch_t *get_line_batch(producer_t *p) {
        if (!p->line_batch) p->line_batch = calloc(1, sizeof(line_batch_t));
        return p->line_batch;
}

static void batch_clear(line_batch_t *b) {
        b->count = 0, b->keyed = false;
}

/* Appends a record (key/value NULL for null; the bytes stay the caller's until submit_batch). */
static void batch_add(line_batch_t *b, const char *key, size_t key_len, const char *val, size_t val_len, void *opaque) {
        rd_kafka_message_t *m = &b->msgs[b->count++];
        memset(m, 0, sizeof(*m));
        m->key = (void *)key, m->key_len = key_len;
        m->payload = (void *)val, m->len = val_len;
        m->_private = opaque;
        if (key) b->keyed = true;
}

/*
 * Null-key records are placed here, a window at a time, like librdkafka's sticky partitioner
 * but decided per slice of a batch instead of per record: a window fills one partition (with
 * a leader) up to exactly where librdkafka sees a full batch (batch.num.messages records, or
 * batch.size bytes of keys and values), so that batch is sent at once instead of after
 * linger.ms; then the next partition, round-robin from a random start. librdkafka would
 * otherwise run its partitioner per record, reading the clock twice for each (a sixth of the
 * producing thread's time, measured with perf). Round-robin keeps a partition's turns far
 * apart, so an idempotent producer seldom meets its limit of 5 requests in flight per
 * partition, where librdkafka's sending thread spins until one returns.
 *
 * sticky_slice() picks the partition for the next records and returns how many of the `n`
 * belong to the current window; sticky_taken() counts those librdkafka accepted.
 */
static bool sticky_applies(const producer_t *p, int32_t partition, const line_batch_t *b) {
        return partition < 0 && !b->keyed && p->sticky && p->avail_cnt > 0;
}

static int sticky_slice(producer_t *p, const rd_kafka_message_t *m, int n, int32_t *target) {
        int64_t bytes = p->sticky_left, records = p->sticky_records_left;
        int i;
        if (p->sticky_current < 0 || bytes <= 0 || records <= 0) {
                p->sticky_index = p->sticky_current < 0 ? rand_r(&p->seed) % p->avail_cnt : (p->sticky_index + 1) % p->avail_cnt;
                p->sticky_current = p->avail[p->sticky_index];
                bytes = p->sticky_left = p->sticky_bytes;
                records = p->sticky_records_left = p->sticky_records;
        }
        /* The record that reaches batch.size belongs to the window: it is what makes the batch full. */
        for (i = 0; i < n && records > 0 && bytes > 0; i++) bytes -= (int64_t)m[i].len + (int64_t)m[i].key_len, records--;
        *target = p->sticky_current;
        return i;
}

static void sticky_taken(producer_t *p, const rd_kafka_message_t *m, int n) {
        int i;
        for (i = 0; i < n; i++) p->sticky_left -= (int64_t)m[i].len + (int64_t)m[i].key_len;
        p->sticky_records_left -= n;
}

/*
 * Hands the batched records to librdkafka, waiting (up to max_wait from the first wait) while
 * its queue is full. Returns how many records were taken, from the first: accepted, or failed
 * for good and kept as failures. Fewer than batch->count only when the queue stayed full.
 */
static int submit_batch(producer_t *p, int32_t partition, line_batch_t *b, double *deadline, double max_wait) {
        bool sticky = sticky_applies(p, partition, b);
        int done = 0;
        while (done < b->count) {
                rd_kafka_message_t *m = b->msgs + done;
                int32_t target = partition;
                int n = sticky ? sticky_slice(p, m, b->count - done, &target) : b->count - done, i;
                for (i = 0; i < n; i++) m[i].err = RD_KAFKA_RESP_ERR_NO_ERROR;
                rd_kafka_produce_batch(p->rkt, target, RD_KAFKA_MSG_F_COPY, m, n);
                /* librdkafka gives every record after the first that met a full queue the same error. */
                for (i = 0; i < n && m[i].err != RD_KAFKA_RESP_ERR__QUEUE_FULL; i++) {
                        if (m[i].err)
                                add_failure(p, (double)(intptr_t)m[i]._private, target, m[i].err, m[i].key,
                                            m[i].key ? (ssize_t)m[i].key_len : -1, m[i].payload, m[i].payload ? (ssize_t)m[i].len : -1, NULL);
                }
                if (sticky) sticky_taken(p, m, i);
                done += i;
                if (i == n) continue;
                if (!room_within(p, deadline, max_wait)) break;
        }
        return done;
}


/*
 * produce(handle, data: Buffer, desc: Int32Array, count, headerData: Buffer|null,
 *         headerDesc: Int32Array|null, timestamps: Float64Array|null, firstId, maxWaitMs, topicIndex?)
 *   -> number of records taken (accepted, or failed at once and kept as failures).
 * topicIndex (default 0): the topic given to create (0) or one of its otherTopics (1, 2, ...).
 * Stops early when librdkafka's queue stays full for maxWaitMs: the caller polls and
 * calls again with the rest.
 */
static napi_value js_produce(napi_env env, napi_callback_info info) {
        size_t argc = 10, data_len, desc_len, hdata_len = 0, hdesc_len = 0, ts_len = 0;
        napi_value argv[10], out;
        uint32_t topic_index = 0;
        char *data, *hdata = NULL;
        int32_t *desc, *hdesc = NULL;
        double *ts = NULL, first_id, max_wait;
        uint32_t count, i;
        napi_valuetype t;
        if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 9) {
                throw_usage(env, "produce: 9 arguments expected");
                return NULL;
        }
        producer_t *p = get_producer(env, argv[0]);
        if (!p) return NULL;
        if (!get_buffer(env, argv[1], &data, &data_len) ||
            !get_typed(env, argv[2], napi_int32_array, (void **)&desc, &desc_len) ||
            napi_get_value_uint32(env, argv[3], &count) != napi_ok || (size_t)count * DESC_FIELDS > desc_len) {
                throw_usage(env, "produce: bad data, descriptors or count");
                return NULL;
        }
        napi_typeof(env, argv[4], &t);
        if (t != napi_null && t != napi_undefined &&
            (!get_buffer(env, argv[4], &hdata, &hdata_len) ||
             !get_typed(env, argv[5], napi_int32_array, (void **)&hdesc, &hdesc_len))) {
                throw_usage(env, "produce: bad header data");
                return NULL;
        }
        napi_typeof(env, argv[6], &t);
        if (t != napi_null && t != napi_undefined && !get_typed(env, argv[6], napi_float64_array, (void **)&ts, &ts_len)) {
                throw_usage(env, "produce: bad timestamps");
                return NULL;
        }
        napi_get_value_double(env, argv[7], &first_id);
        napi_get_value_double(env, argv[8], &max_wait);
        if (argc > 9) napi_get_value_uint32(env, argv[9], &topic_index);
        if (topic_index > p->other_count) {
                throw_usage(env, "produce: no such topicIndex");
                return NULL;
        }
        rd_kafka_topic_t *rkt = topic_index == 0 ? p->rkt : p->other_rkts[topic_index - 1];

        double deadline = -1;
        /* Records without headers or a timestamp of their own go out in batches (see
         * submit_batch), in runs of one partition setting; the others one by one, in order.
         * Only to the first topic: the sticky partitioning knows its partitions only. */
        line_batch_t *batch = topic_index == 0 ? get_line_batch(p) : NULL;
        uint32_t batch_first = 0;
        int32_t batch_partition = -1;
        if (batch) batch_clear(batch);
        for (i = 0; i < count; i++) {
                const int32_t *d = desc + (size_t)i * DESC_FIELDS;
                int32_t kl = d[1], vl = d[3], hstart = d[5], hcount = d[6];
                if ((kl >= 0 && ((size_t)d[0] + (size_t)kl > data_len)) || (vl >= 0 && ((size_t)d[2] + (size_t)vl > data_len)) ||
                    (hcount > 0 && (!hdesc || (size_t)(hstart + hcount) * HDR_FIELDS > hdesc_len))) {
                        throw_usage(env, "produce: a descriptor points outside its buffer");
                        return NULL;
                }
                const char *key = kl < 0 ? NULL : kl == 0 ? empty_bytes : data + d[0];
                const char *val = vl < 0 ? NULL : vl == 0 ? empty_bytes : data + d[2];
                int64_t timestamp = ts && i < ts_len ? (int64_t)ts[i] : 0;
                double id = first_id + d[7];
                void *opaque = (void *)(intptr_t)id;
                bool batchable = batch && hcount <= 0 && timestamp == 0;
                if (batch && batch->count > 0 && (!batchable || d[4] != batch_partition || batch->count == LINE_BATCH)) {
                        int sent = submit_batch(p, batch_partition, batch, &deadline, max_wait);
                        if (sent < batch->count) {
                                i = batch_first + (uint32_t)sent;
                                batch_clear(batch);
                                goto done;
                        }
                        batch_clear(batch);
                }
                if (batchable) {
                        if (batch->count == 0) batch_first = i, batch_partition = d[4];
                        batch_add(batch, key, kl < 0 ? 0 : (size_t)kl, val, vl < 0 ? 0 : (size_t)vl, opaque);
                        continue;
                }
                for (;;) {
                        rd_kafka_headers_t *hdrs = NULL;
                        if (hcount > 0 && !(hdrs = headers_from_desc(env, "produce", hdesc, hstart, hcount, hdata, hdata_len))) return NULL;
                        rd_kafka_resp_err_t err =
                            send_record(p, rkt, d[4], key, kl < 0 ? 0 : (size_t)kl, val, vl < 0 ? 0 : (size_t)vl, timestamp, opaque, hdrs);
                        if (!err) break;
                        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                                if (hdrs) rd_kafka_headers_destroy(hdrs);
                                /* Wait for deliveries to make room, but not longer than max_wait. */
                                if (!room_within(p, &deadline, max_wait)) goto done;
                                continue;
                        }
                        add_failure(p, id, d[4], err, key, kl, val, vl, hdrs);
                        if (hdrs) rd_kafka_headers_destroy(hdrs);
                        break;
                }
        }
        if (batch && batch->count > 0) {
                int sent = submit_batch(p, batch_partition, batch, &deadline, max_wait);
                if (sent < batch->count) i = batch_first + (uint32_t)sent;
                batch_clear(batch);
        }
done:
        /* Serve delivery reports now and then so their queue stays short. */
        rd_kafka_poll(p->rk, 0);
        napi_create_uint32(env, i, &out);
        return out;
}


/*
 * The line fast path: splits `data[start, end)` into records at `delim` and produces them, so
 * no JavaScript runs per record. For line input whose bytes are sent unchanged (str / bytes
 * formats, no fixed key).
 *
 * produceLines(handle, data, start, end, delim, keySep|null, nullMarker|null, emptyIsNull,
 *              partition, headerData|null, headerDesc|null, headerCount, firstId, maxWaitMs,
 *              final, state: Float64Array(2)) -> the position after the last record taken
 * state[0] = records taken (ids firstId, firstId+1, ...); state[1] = why it stopped:
 *   0 no complete record left (without `final`, the tail after the last delimiter stays),
 *   1 librdkafka's queue stayed full for maxWaitMs, 2 the record at the returned position has
 *   no key separator (the caller reports it and goes on after it).
 */
static bool is_null_field(const char *p, size_t len, bool empty_is_null, const char *marker, size_t marker_len, bool has_marker) {
        if (empty_is_null && len == 0) return true;
        return has_marker && len == marker_len && (len == 0 || memcmp(p, marker, len) == 0);
}

static napi_value js_produce_lines(napi_env env, napi_callback_info info) {
        size_t argc = 16, data_len, delim_len, sep_len = 0, marker_len = 0, hdata_len = 0, hdesc_len = 0, state_len;
        napi_value argv[16], out;
        char *data, *delim, *sep = NULL, *marker = NULL, *hdata = NULL;
        int32_t *hdesc = NULL;
        double *state, first_id, max_wait;
        uint32_t start, end;
        int32_t partition, hcount;
        bool empty_is_null = false, final = false, has_marker = false;
        napi_valuetype t;
        if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 16) {
                throw_usage(env, "produceLines: 16 arguments expected");
                return NULL;
        }
        producer_t *p = get_producer(env, argv[0]);
        if (!p) return NULL;
        if (!get_buffer(env, argv[1], &data, &data_len) || napi_get_value_uint32(env, argv[2], &start) != napi_ok ||
            napi_get_value_uint32(env, argv[3], &end) != napi_ok || end > data_len || start > end ||
            !get_buffer(env, argv[4], &delim, &delim_len) || delim_len == 0 ||
            !get_typed(env, argv[15], napi_float64_array, (void **)&state, &state_len) || state_len < 2) {
                throw_usage(env, "produceLines: bad arguments");
                return NULL;
        }
        napi_typeof(env, argv[5], &t);
        if (t != napi_null && (!get_buffer(env, argv[5], &sep, &sep_len) || sep_len == 0)) {
                throw_usage(env, "produceLines: bad key separator");
                return NULL;
        }
        napi_typeof(env, argv[6], &t);
        if (t != napi_null) {
                if (!get_buffer(env, argv[6], &marker, &marker_len)) {
                        throw_usage(env, "produceLines: bad null marker");
                        return NULL;
                }
                has_marker = true;
        }
        napi_get_value_bool(env, argv[7], &empty_is_null);
        napi_get_value_int32(env, argv[8], &partition);
        napi_get_value_int32(env, argv[11], &hcount);
        napi_typeof(env, argv[9], &t);
        if (hcount > 0 && (t == napi_null || !get_buffer(env, argv[9], &hdata, &hdata_len) ||
                           !get_typed(env, argv[10], napi_int32_array, (void **)&hdesc, &hdesc_len) ||
                           (size_t)hcount * HDR_FIELDS > hdesc_len)) {
                throw_usage(env, "produceLines: bad headers");
                return NULL;
        }
        napi_get_value_double(env, argv[12], &first_id);
        napi_get_value_double(env, argv[13], &max_wait);
        napi_get_value_bool(env, argv[14], &final);

        size_t pos = start, taken = 0;
        int status = 0;
        double deadline = -1;
        /* Records without headers go out in batches (see submit_batch); `batch_start` is where
         * the first batched record begins, so a batch cut short by a full queue resumes there. */
        line_batch_t *batch = hcount > 0 ? NULL : get_line_batch(p);
        size_t batch_start = pos;
        if (hcount == 0 && !batch) {
                throw_usage(env, "produceLines: out of memory");
                return NULL;
        }
        while (pos < end) {
                const char *rec = data + pos, *found;
                size_t avail = end - pos;
                found = delim_len == 1 ? memchr(rec, delim[0], avail) : memmem(rec, avail, delim, delim_len);
                if (!found && !final) break;
                size_t rec_len = found ? (size_t)(found - rec) : avail;
                size_t next = pos + rec_len + (found ? delim_len : 0);
                const char *key = NULL, *val = rec;
                size_t key_len = 0, val_len = rec_len;
                bool key_null = true;
                if (sep) {
                        const char *at = sep_len == 1 ? memchr(rec, sep[0], rec_len) : memmem(rec, rec_len, sep, sep_len);
                        if (!at) {
                                status = 2;
                                break;
                        }
                        key = rec, key_len = (size_t)(at - rec);
                        val = at + sep_len, val_len = rec_len - key_len - sep_len;
                        key_null = is_null_field(key, key_len, empty_is_null, marker, marker_len, has_marker);
                }
                bool val_null = is_null_field(val, val_len, empty_is_null, marker, marker_len, has_marker);
                if (key_null) key = NULL, key_len = 0;
                else if (key_len == 0) key = empty_bytes;
                if (val_null) val = NULL, val_len = 0;
                else if (val_len == 0) val = empty_bytes;
                double id = first_id + (double)taken;

                if (batch) {
                        batch->ends[batch->count] = next;
                        batch_add(batch, key, key_len, val, val_len, (void *)(intptr_t)id);
                        taken++;
                        pos = next;
                        if (batch->count == LINE_BATCH) {
                                int sent = submit_batch(p, partition, batch, &deadline, max_wait);
                                if (sent < batch->count) {
                                        /* The queue stayed full: resume at the first record not taken. */
                                        taken -= (size_t)(batch->count - sent);
                                        pos = sent ? batch->ends[sent - 1] : batch_start;
                                        batch_clear(batch);
                                        status = 1;
                                        break;
                                }
                                batch_clear(batch);
                                batch_start = pos;
                                rd_kafka_poll(p->rk, 0);
                        }
                        continue;
                }

                rd_kafka_resp_err_t err;
                for (;;) {
                        rd_kafka_headers_t *hdrs = NULL;
                        if (hcount > 0 && !(hdrs = headers_from_desc(env, "produceLines", hdesc, 0, hcount, hdata, hdata_len))) return NULL;
                        err = send_record(p, p->rkt, partition, key, key_len, val, val_len, 0, (void *)(intptr_t)id, hdrs);
                        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                                if (hdrs) rd_kafka_headers_destroy(hdrs);
                                if (!room_within(p, &deadline, max_wait)) break;
                                continue;
                        }
                        if (err) {
                                add_failure(p, id, partition, err, key, key ? (ssize_t)key_len : -1, val, val ? (ssize_t)val_len : -1, hdrs);
                                if (hdrs) rd_kafka_headers_destroy(hdrs);
                        }
                        break;
                }
                if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                        status = 1;
                        break;
                }
                taken++;
                pos = next;
                if ((taken & 1023) == 0) rd_kafka_poll(p->rk, 0);
        }
        if (batch && batch->count > 0) {
                /* The records batched before the loop ended (end of data, a line without a key
                 * separator, or a full queue). */
                int sent = submit_batch(p, partition, batch, &deadline, max_wait);
                if (sent < batch->count) {
                        taken -= (size_t)(batch->count - sent);
                        pos = sent ? batch->ends[sent - 1] : batch_start;
                        status = 1;
                }
                batch_clear(batch);
        }
        rd_kafka_poll(p->rk, 0);
        state[0] = (double)taken;
        state[1] = status;
        napi_create_double(env, (double)pos, &out);
        return out;
}

/*
 * produceFrames(handle, data: Buffer, start, keepPartitions, maxWaitMs) -> the position after the
 * last frame taken (data.length: all). `kafkit pipe`'s copy: each frame (kafkit_frame.h) is
 * produced to the first topic with its key, value, headers (null and empty kept apart) and
 * timestamp, to its own partition with keepPartitions, else where the partitioner puts it. Stops
 * early when librdkafka's queue stays full for maxWaitMs: the caller polls and calls again from there.
 */
static napi_value js_produce_frames(napi_env env, napi_callback_info info) {
        size_t argc = 5, data_len;
        napi_value argv[5], out;
        char *data;
        uint32_t start;
        bool keep = false;
        double max_wait = 100, deadline = -1;
        if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 5) {
                throw_usage(env, "produceFrames: 5 arguments expected");
                return NULL;
        }
        producer_t *p = get_producer(env, argv[0]);
        if (!p) return NULL;
        if (!get_buffer(env, argv[1], &data, &data_len) || napi_get_value_uint32(env, argv[2], &start) != napi_ok || start > data_len) {
                throw_usage(env, "produceFrames: bad arguments");
                return NULL;
        }
        napi_get_value_bool(env, argv[3], &keep);
        napi_get_value_double(env, argv[4], &max_wait);
        size_t pos = start;
        unsigned n = 0;
        while (pos + FRAME_FIXED <= data_len) {
                const unsigned char *f = (const unsigned char *)data + pos;
                int32_t partition = frame_i32(f + 4), kl = frame_i32(f + 24), vl = frame_i32(f + 28);
                int32_t hcount = frame_i32(f + 32), hbytes = frame_i32(f + 36);
                double ts = frame_f64(f + 16);
                size_t size = FRAME_FIXED + (size_t)(kl > 0 ? kl : 0) + (size_t)(vl > 0 ? vl : 0) + (size_t)(hbytes > 0 ? hbytes : 0);
                if (pos + size > data_len || hcount < 0 || hbytes < 0) {
                        throw_usage(env, "produceFrames: a frame is cut short");
                        return NULL;
                }
                const char *key = kl < 0 ? NULL : kl == 0 ? empty_bytes : (const char *)f + FRAME_FIXED;
                const char *val = vl < 0 ? NULL : vl == 0 ? empty_bytes : (const char *)f + FRAME_FIXED + (kl > 0 ? kl : 0);
                const unsigned char *h = f + FRAME_FIXED + (kl > 0 ? kl : 0) + (vl > 0 ? vl : 0);
                int64_t timestamp = ts >= 0 ? (int64_t)ts : 0;
                int32_t target = keep ? partition : RD_KAFKA_PARTITION_UA;
                rd_kafka_resp_err_t err;
                for (;;) {
                        rd_kafka_headers_t *hdrs = NULL;
                        if (hcount > 0) {
                                const unsigned char *r = h, *hend = h + hbytes;
                                int32_t i;
                                hdrs = rd_kafka_headers_new((size_t)hcount);
                                for (i = 0; i < hcount; i++) {
                                        int32_t nl = r + 8 <= hend ? frame_i32(r) : -1, hl = r + 8 <= hend ? frame_i32(r + 4) : 0;
                                        if (nl < 0 || r + 8 + nl + (hl > 0 ? hl : 0) > hend) {
                                                rd_kafka_headers_destroy(hdrs);
                                                throw_usage(env, "produceFrames: a frame's headers are cut short");
                                                return NULL;
                                        }
                                        r += 8;
                                        rd_kafka_header_add(hdrs, (const char *)r, nl, hl < 0 ? NULL : hl == 0 ? empty_bytes : (const char *)r + nl,
                                                            hl < 0 ? 0 : (size_t)hl);
                                        r += nl + (hl > 0 ? hl : 0);
                                }
                        }
                        err = send_record(p, p->rkt, target, key, kl < 0 ? 0 : (size_t)kl, val, vl < 0 ? 0 : (size_t)vl, timestamp, NULL, hdrs);
                        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                                if (hdrs) rd_kafka_headers_destroy(hdrs);
                                if (!room_within(p, &deadline, max_wait)) break;
                                continue;
                        }
                        if (err) {
                                add_failure(p, -1, target, err, key, kl, val, vl, hdrs);
                                if (hdrs) rd_kafka_headers_destroy(hdrs);
                        }
                        break;
                }
                if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) break;
                pos += size;
                if ((++n & 1023) == 0) rd_kafka_poll(p->rk, 0);
        }
        rd_kafka_poll(p->rk, 0);
        napi_create_double(env, (double)pos, &out);
        return out;
}

/* ---------- poll ---------- */

static napi_value failure_to_js(napi_env env, const failure_t *f) {
        napi_value o, headers;
        napi_create_object(env, &o);
        set_num(env, o, "id", f->id);
        set_num(env, o, "partition", f->partition);
        set_str(env, o, "code", rd_kafka_err2name(f->err));
        set_str(env, o, "message", rd_kafka_err2str(f->err));
        set_bytes(env, o, "key", f->key, f->key_len);
        set_bytes(env, o, "value", f->value, f->value_len);
        napi_create_array(env, &headers);
        if (f->headers) {
                const char *r = f->headers;
                uint32_t count, i;
                memcpy(&count, r, 4), r += 4;
                for (i = 0; i < count; i++) {
                        uint32_t nl;
                        int32_t vl;
                        napi_value pair, name, hv;
                        memcpy(&nl, r, 4), r += 4;
                        napi_create_string_utf8(env, r, nl, &name), r += nl;
                        memcpy(&vl, r, 4), r += 4;
                        if (vl < 0) napi_get_null(env, &hv);
                        else {
                                void *dst;
                                napi_create_buffer_copy(env, (size_t)vl, vl ? r : empty_bytes, &dst, &hv);
                                r += vl;
                        }
                        napi_create_array_with_length(env, 2, &pair);
                        napi_set_element(env, pair, 0, name);
                        napi_set_element(env, pair, 1, hv);
                        napi_set_element(env, headers, i, pair);
                }
        }
        napi_set_named_property(env, o, "headers", headers);
        return o;
}

/*
 * poll(handle, timeoutMs, flush?) -> {delivered, deliveries: Float64Array|null, failures, errors, logs, queued,
 *                                     queueFullMs (in all, since create)}
 * Serves delivery reports (waiting up to timeoutMs for the first) and hands over what
 * accumulated since the last call. With `flush` (at the end of the input) it waits up to
 * timeoutMs for the whole queue instead, and librdkafka sends partial batches at once
 * rather than after linger.ms.
 */
static napi_value js_poll(napi_env env, napi_callback_info info) {
        size_t argc = 3, i;
        napi_value argv[3], o, arr;
        double timeout = 0;
        bool flush = false;
        napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
        if (argc < 2) {
                throw_usage(env, "poll(handle, timeoutMs, flush?)");
                return NULL;
        }
        producer_t *p = get_producer(env, argv[0]);
        if (!p) return NULL;
        napi_get_value_double(env, argv[1], &timeout);
        if (argc > 2) napi_get_value_bool(env, argv[2], &flush);
        if (flush) rd_kafka_flush(p->rk, (int)timeout);
        else rd_kafka_poll(p->rk, (int)timeout);
        /* Drain whatever else is ready without waiting. */
        while (rd_kafka_poll(p->rk, 0) > 0) {
        }

        napi_create_object(env, &o);
        set_num(env, o, "delivered", p->delivered);
        p->delivered = 0;
        if (p->deliveries_len) {
                napi_value ab;
                void *dst;
                napi_create_arraybuffer(env, p->deliveries_len * sizeof(double), &dst, &ab);
                memcpy(dst, p->deliveries, p->deliveries_len * sizeof(double));
                napi_create_typedarray(env, napi_float64_array, p->deliveries_len, ab, 0, &arr);
                p->deliveries_len = 0;
        } else {
                napi_get_null(env, &arr);
        }
        napi_set_named_property(env, o, "deliveries", arr);

        napi_create_array_with_length(env, p->failures_len, &arr);
        for (i = 0; i < p->failures_len; i++) {
                failure_t *f = &p->failures[i];
                napi_set_element(env, arr, (uint32_t)i, failure_to_js(env, f));
                free(f->key), free(f->value), free(f->headers);
        }
        p->failures_len = 0;
        napi_set_named_property(env, o, "failures", arr);

        napi_create_array_with_length(env, p->errors_len, &arr);
        for (i = 0; i < p->errors_len; i++) {
                napi_value e, b;
                napi_create_object(env, &e);
                set_str(env, e, "code", rd_kafka_err2name(p->errors[i].err));
                set_str(env, e, "message", p->errors[i].text ? p->errors[i].text : "");
                napi_get_boolean(env, p->errors[i].fatal, &b);
                napi_set_named_property(env, e, "fatal", b);
                napi_set_element(env, arr, (uint32_t)i, e);
                free(p->errors[i].text);
        }
        p->errors_len = 0;
        napi_set_named_property(env, o, "errors", arr);

        pthread_mutex_lock(&p->log_lock);
        napi_create_array_with_length(env, p->logs_len, &arr);
        for (i = 0; i < p->logs_len; i++) {
                napi_value e;
                napi_create_object(env, &e);
                set_num(env, e, "level", p->logs[i].level);
                set_str(env, e, "message", p->logs[i].text);
                napi_set_element(env, arr, (uint32_t)i, e);
                free(p->logs[i].text);
        }
        p->logs_len = 0;
        pthread_mutex_unlock(&p->log_lock);
        napi_set_named_property(env, o, "logs", arr);

        set_num(env, o, "queued", rd_kafka_outq_len(p->rk));
        set_num(env, o, "queueFullMs", p->queue_full_ms);
        return o;
}

/* purge(handle): fails every record not yet delivered (they come back from poll() as _PURGE_*). */
static napi_value js_purge(napi_env env, napi_callback_info info) {
        size_t argc = 1;
        napi_value argv[1];
        napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
        producer_t *p = argc ? get_producer(env, argv[0]) : NULL;
        if (!p) return NULL;
        rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        return NULL;
}

/*
 * refreshMetadata(handle, timeoutMs) -> partition count of the topic, or throws (e.g.
 * UNKNOWN_TOPIC_OR_PART). Remembers which partitions have a leader, for sticky_slice.
 * Besides checking the topic, a metadata response makes an
 * idempotent producer ask for its producer id at once: librdkafka 2.15 otherwise asks
 * only on a 500 ms timer when its first try came before a broker connection was up.
 */
static napi_value js_refresh_metadata(napi_env env, napi_callback_info info) {
        size_t argc = 2;
        napi_value argv[2], out;
        double timeout = 1000;
        const struct rd_kafka_metadata *md = NULL;
        napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
        producer_t *p = argc ? get_producer(env, argv[0]) : NULL;
        if (!p) return NULL;
        if (argc > 1) napi_get_value_double(env, argv[1], &timeout);
        rd_kafka_resp_err_t err = rd_kafka_metadata(p->rk, 0, p->rkt, &md, (int)timeout);
        if (err) {
                throw_kafka(env, err, rd_kafka_err2str(err), NULL);
                return NULL;
        }
        if (md->topic_cnt < 1 || md->topics[0].err) {
                rd_kafka_resp_err_t terr = md->topic_cnt < 1 ? RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART : md->topics[0].err;
                rd_kafka_metadata_destroy(md);
                throw_kafka(env, terr, rd_kafka_err2str(terr), NULL);
                return NULL;
        }
        /* The partitions with a leader, for sticky_slice. */
        const rd_kafka_metadata_topic_t *mt = &md->topics[0];
        int32_t *avail = malloc(sizeof(int32_t) * (size_t)(mt->partition_cnt ? mt->partition_cnt : 1));
        if (avail) {
                int i, n = 0;
                for (i = 0; i < mt->partition_cnt; i++)
                        if (mt->partitions[i].leader >= 0 && !mt->partitions[i].err) avail[n++] = mt->partitions[i].id;
                free(p->avail);
                p->avail = avail, p->avail_cnt = n;
        }
        napi_create_int32(env, mt->partition_cnt, &out);
        rd_kafka_metadata_destroy(md);
        return out;
}

/* ---------- transactions ---------- */

typedef enum { TXN_INIT, TXN_BEGIN, TXN_COMMIT, TXN_ABORT } txn_op_t;

static napi_value txn_call(napi_env env, napi_callback_info info, txn_op_t op) {
        size_t argc = 2;
        napi_value argv[2];
        double timeout = 10000;
        napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
        producer_t *p = argc ? get_producer(env, argv[0]) : NULL;
        if (!p) return NULL;
        if (argc > 1) napi_get_value_double(env, argv[1], &timeout);
        rd_kafka_error_t *error = NULL;
        switch (op) {
        case TXN_INIT: error = rd_kafka_init_transactions(p->rk, (int)timeout); break;
        case TXN_BEGIN: error = rd_kafka_begin_transaction(p->rk); break;
        case TXN_COMMIT: error = rd_kafka_commit_transaction(p->rk, (int)timeout); break;
        case TXN_ABORT: error = rd_kafka_abort_transaction(p->rk, (int)timeout); break;
        }
        if (error) {
                throw_kafka(env, rd_kafka_error_code(error), rd_kafka_error_string(error), error);
                rd_kafka_error_destroy(error);
        }
        return NULL;
}

/*
 * sendOffsetsToTransaction(handle, topics: string[], partitions: Int32Array, offsets: Float64Array,
 *                          groupMetadata: Buffer, timeoutMs): the consumer's next offsets join the
 * open transaction, with the group metadata the consume extension's groupMetadata() wrote (so the
 * coordinator refuses them from a member that lost its partitions: KIP-447).
 */
static napi_value js_send_offsets(napi_env env, napi_callback_info info) {
        size_t argc = 6, np = 0, no = 0, md_len = 0;
        napi_value argv[6];
        int32_t *partitions;
        double *offsets, timeout = 10000;
        char *md_data;
        uint32_t n = 0, i;
        napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
        producer_t *p = argc == 6 ? get_producer(env, argv[0]) : NULL;
        if (!p) return NULL;
        if (napi_get_array_length(env, argv[1], &n) != napi_ok || !get_typed(env, argv[2], napi_int32_array, (void **)&partitions, &np) ||
            !get_typed(env, argv[3], napi_float64_array, (void **)&offsets, &no) || np < n || no < n ||
            !get_buffer(env, argv[4], &md_data, &md_len)) {
                throw_usage(env, "sendOffsetsToTransaction: bad arguments");
                return NULL;
        }
        napi_get_value_double(env, argv[5], &timeout);
        rd_kafka_consumer_group_metadata_t *md = NULL;
        rd_kafka_error_t *error = rd_kafka_consumer_group_metadata_read(&md, md_data, md_len);
        if (error) {
                throw_kafka(env, rd_kafka_error_code(error), rd_kafka_error_string(error), error);
                rd_kafka_error_destroy(error);
                return NULL;
        }
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)(n ? n : 1));
        for (i = 0; i < n; i++) {
                napi_value t;
                char topic[512];
                size_t len;
                napi_get_element(env, argv[1], i, &t);
                napi_get_value_string_utf8(env, t, topic, sizeof(topic), &len);
                rd_kafka_topic_partition_list_add(l, topic, partitions[i])->offset = (int64_t)offsets[i];
        }
        error = rd_kafka_send_offsets_to_transaction(p->rk, l, md, (int)timeout);
        rd_kafka_topic_partition_list_destroy(l);
        rd_kafka_consumer_group_metadata_destroy(md);
        if (error) {
                throw_kafka(env, rd_kafka_error_code(error), rd_kafka_error_string(error), error);
                rd_kafka_error_destroy(error);
        }
        return NULL;
}

/* initTransactionsAsync(handle, timeoutMs) -> Promise: init_transactions on a worker thread, so
 * that the caller reads meanwhile. No other transaction call may run until it settles. */
typedef struct {
        producer_t *p;
        int timeout_ms;
        rd_kafka_error_t *error;
        napi_deferred deferred;
        napi_async_work work;
} txn_init_t;

static void txn_init_execute(napi_env env, void *data) {
        txn_init_t *t = data;
        t->error = rd_kafka_init_transactions(t->p->rk, t->timeout_ms);
}

static void txn_init_complete(napi_env env, napi_status status, void *data) {
        txn_init_t *t = data;
        napi_value undefined;
        if (t->error) {
                napi_value obj = make_error(env, rd_kafka_error_name(t->error), rd_kafka_error_string(t->error));
                if (obj) {
                        set_bool(env, obj, "retriable", rd_kafka_error_is_retriable(t->error));
                        set_bool(env, obj, "abortable", rd_kafka_error_txn_requires_abort(t->error));
                        set_bool(env, obj, "fatal", rd_kafka_error_is_fatal(t->error));
                        napi_reject_deferred(env, t->deferred, obj);
                } else {
                        napi_get_undefined(env, &undefined);
                        napi_reject_deferred(env, t->deferred, undefined);
                }
                rd_kafka_error_destroy(t->error);
        } else {
                napi_get_undefined(env, &undefined);
                napi_resolve_deferred(env, t->deferred, undefined);
        }
        t->p->busy = false;
        if (t->p->close_when_idle) destroy_producer(t->p);
        napi_delete_async_work(env, t->work);
        free(t);
}

static napi_value js_init_transactions_async(napi_env env, napi_callback_info info) {
        size_t argc = 2;
        napi_value argv[2], promise, name;
        double timeout = 10000;
        napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
        producer_t *p = argc ? get_producer(env, argv[0]) : NULL;
        if (!p) return NULL;
        if (argc > 1) napi_get_value_double(env, argv[1], &timeout);
        txn_init_t *t = calloc(1, sizeof(*t));
        if (!t) {
                napi_throw_error(env, NULL, "out of memory");
                return NULL;
        }
        t->p = p, t->timeout_ms = (int)timeout;
        napi_create_promise(env, &t->deferred, &promise);
        napi_create_string_utf8(env, "kafkit.initTransactions", NAPI_AUTO_LENGTH, &name);
        napi_create_async_work(env, NULL, name, txn_init_execute, txn_init_complete, t, &t->work);
        p->busy = true;
        napi_queue_async_work(env, t->work);
        return promise;
}

static napi_value js_init_transactions(napi_env env, napi_callback_info info) { return txn_call(env, info, TXN_INIT); }
static napi_value js_begin_transaction(napi_env env, napi_callback_info info) { return txn_call(env, info, TXN_BEGIN); }
static napi_value js_commit_transaction(napi_env env, napi_callback_info info) { return txn_call(env, info, TXN_COMMIT); }
static napi_value js_abort_transaction(napi_env env, napi_callback_info info) { return txn_call(env, info, TXN_ABORT); }

static napi_value init(napi_env env, napi_value exports) {
        napi_property_descriptor props[] = {
            {"create", NULL, js_create, NULL, NULL, NULL, napi_default, NULL},
            {"produce", NULL, js_produce, NULL, NULL, NULL, napi_default, NULL},
            {"produceLines", NULL, js_produce_lines, NULL, NULL, NULL, napi_default, NULL},
            {"produceFrames", NULL, js_produce_frames, NULL, NULL, NULL, napi_default, NULL},
            {"sendOffsetsToTransaction", NULL, js_send_offsets, NULL, NULL, NULL, napi_default, NULL},
            {"poll", NULL, js_poll, NULL, NULL, NULL, napi_default, NULL},
            {"refreshMetadata", NULL, js_refresh_metadata, NULL, NULL, NULL, napi_default, NULL},
            {"purge", NULL, js_purge, NULL, NULL, NULL, napi_default, NULL},
            {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
            {"initTransactions", NULL, js_init_transactions, NULL, NULL, NULL, napi_default, NULL},
            {"initTransactionsAsync", NULL, js_init_transactions_async, NULL, NULL, NULL, napi_default, NULL},
            {"beginTransaction", NULL, js_begin_transaction, NULL, NULL, NULL, napi_default, NULL},
            {"commitTransaction", NULL, js_commit_transaction, NULL, NULL, NULL, napi_default, NULL},
            {"abortTransaction", NULL, js_abort_transaction, NULL, NULL, NULL, napi_default, NULL},
            {"versions", NULL, js_versions, NULL, NULL, NULL, napi_default, NULL},
        };
        napi_value contract;
        if (!init_module(env, exports, props, sizeof(props) / sizeof(props[0])) ||
            !define_contract(env, exports, PRODUCE_CONTRACT_VERSION, &contract) ||
            !set_num(env, contract, "descFields", DESC_FIELDS) || !set_num(env, contract, "headerFields", HDR_FIELDS) ||
            !set_num(env, contract, "frameFixed", FRAME_FIXED))
                return NULL;
        return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
