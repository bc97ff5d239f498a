/*
 * kafkit_admin: the admin calls @confluentinc/kafka-javascript does not expose
 * (DescribeCluster, DescribeConfigs, IncrementalAlterConfigs, CreateTopics with
 * validate_only, AlterConsumerGroupOffsets, DeleteConsumerGroupOffsets), and
 * DescribeConsumerGroups, which the package exposes but crashes on (see
 * build_describe_groups), as a small N-API addon over the same librdkafka.so that
 * package built.
 *
 * Threading model
 *   - One rd_kafka_t (type producer: admin requests work on any handle) per handle,
 *     created with a background_event_cb, so librdkafka starts its background thread.
 *   - Each request is enqueued with the handle's background queue as reply queue; the
 *     call itself does not block. The result event arrives on librdkafka's background
 *     thread, which hands it to the JS thread through a napi threadsafe function.
 *     The JS thread never waits on librdkafka.
 *   - librdkafka enforces the request timeout (AdminOptions request_timeout) with its
 *     own timer and always answers with a result event (_TIMED_OUT at worst). The TS
 *     wrapper adds a second deadline on top, in case that ever fails.
 *   - The client's main queue (error events) is forwarded to the background queue too;
 *     the last broker/connection error is kept and attached to request-level failures
 *     (a wrong address or failed authentication shows up there, not in the admin result).
 *
 * Lifetime
 *   - `pending` counts running requests (JS thread only). While > 0 the threadsafe
 *     function is ref'ed (keeps the event loop alive) and each request holds a
 *     reference on the handle's JS external (so it is not garbage-collected).
 *   - close() marks the handle closed; rd_kafka_destroy() runs on a libuv worker
 *     thread once no request is pending; close()'s promise resolves after that.
 *   - A handle that is garbage-collected without close() is destroyed in its finalizer.
 *   - The handle struct is freed when the JS external, the threadsafe function and
 *     the destroy work are all gone.
 */
#include "kafkit_config.h"
#include "kafkit_napi.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERRSTR_SIZE 512

/* The layout of this module's arguments and results, checked by the TS side at load
 * (ADMIN_CONTRACT in src/lib/native/contracts.ts): raise both together. */
#define ADMIN_CONTRACT_VERSION 4 /* 2: describeCluster and describeConfigs take a target broker id;
                                    3: describeConsumerGroups;
                                    4: ACLs, SCRAM credentials, describeCluster's
                                       authorized operations */

/* Live objects, for tests that check nothing leaks (see js_counters). */
static volatile int cnt_rk, cnt_handles, cnt_ops;
#define COUNT(var, n) __atomic_add_fetch(&(var), (n), __ATOMIC_SEQ_CST)

typedef enum {
        OP_DESCRIBE_CLUSTER,
        OP_DESCRIBE_CONFIGS,
        OP_INCREMENTAL_ALTER_CONFIGS,
        OP_CREATE_TOPICS,
        OP_DELETE_TOPICS,
        OP_ALTER_GROUP_OFFSETS,
        OP_DELETE_GROUP_OFFSETS,
        OP_DESCRIBE_GROUPS,
        OP_CREATE_ACLS,
        OP_DESCRIBE_ACLS,
        OP_DELETE_ACLS,
        OP_DESCRIBE_SCRAM,
        OP_ALTER_SCRAM,
} op_kind_t;

enum { DESTROY_NONE = 0, DESTROY_RUNNING = 1, DESTROY_DONE = 2 };

typedef struct handle_s {
        rd_kafka_t *rk;
        rd_kafka_queue_t *bgq;
        napi_threadsafe_function tsfn;

        /* Shared with librdkafka's background thread, under lock. */
        pthread_mutex_t lock;
        bool tsfn_open; /* the background thread may call tsfn */
        rd_kafka_resp_err_t last_err;
        char last_errstr[ERRSTR_SIZE];

        /* JS thread only. */
        int pending;
        bool closed;
        int destroy_state;
        bool js_alive;
        bool tsfn_alive;
        napi_async_work destroy_work;
        napi_deferred *close_deferreds;
        size_t close_deferred_cnt;
} handle_t;

typedef struct op_s {
        handle_t *h;
        op_kind_t kind;
        napi_deferred deferred;
        napi_ref keep; /* keeps the handle's JS external alive */
} op_t;


/* ------------------------------------------------------------------ */
/* N-API helpers of this extension (the shared ones: kafkit_napi.h)     */
/* ------------------------------------------------------------------ */

/* {code, message} as a plain object (per-item errors in results). */
static bool set_err(napi_env env, napi_value obj, rd_kafka_resp_err_t err,
                    const char *msg) {
        napi_value e;
        NAPI_OK(napi_create_object(env, &e));
        if (!set_str(env, e, "code", rd_kafka_err2name(err)) ||
            !set_str(env, e, "message",
                     msg && *msg ? msg : rd_kafka_err2str(err)))
                return false;
        NAPI_OK(napi_set_named_property(env, obj, "error", e));
        return true;
}

static bool get_named(napi_env env, napi_value obj, const char *key,
                      napi_value *out) {
        NAPI_OK(napi_get_named_property(env, obj, key, out));
        return true;
}

static bool is_nullish(napi_env env, napi_value v) {
        napi_valuetype t;
        if (napi_typeof(env, v, &t) != napi_ok)
                return true;
        return t == napi_undefined || t == napi_null;
}

static char *dup_named_str(napi_env env, napi_value obj, const char *key,
                           const char *what) {
        napi_value v;
        if (!get_named(env, obj, key, &v))
                return NULL;
        return dup_str(env, v, what);
}

static bool get_i64(napi_env env, napi_value v, const char *what,
                    int64_t *out) {
        napi_valuetype t;
        if (napi_typeof(env, v, &t) != napi_ok || t != napi_number) {
                char msg[200];
                snprintf(msg, sizeof(msg), "%s must be a number", what);
                napi_throw_type_error(env, NULL, msg);
                return false;
        }
        NAPI_OK(napi_get_value_int64(env, v, out));
        return true;
}

static bool get_named_i64(napi_env env, napi_value obj, const char *key,
                          const char *what, int64_t *out) {
        napi_value v;
        return get_named(env, obj, key, &v) && get_i64(env, v, what, out);
}

static bool get_int_range(napi_env env, napi_value v, const char *what,
                          int64_t min, int64_t max, int *out) {
        int64_t i;
        if (!get_i64(env, v, what, &i))
                return false;
        if (i < min || i > max) {
                char msg[200];
                snprintf(msg, sizeof(msg), "%s must be in %lld..%lld", what,
                         (long long)min, (long long)max);
                napi_throw_range_error(env, NULL, msg);
                return false;
        }
        *out = (int)i;
        return true;
}

static bool get_bool_arg(napi_env env, napi_value v, bool *out) {
        napi_valuetype t;
        if (napi_typeof(env, v, &t) != napi_ok || t != napi_boolean) {
                napi_throw_type_error(env, NULL, "expected a boolean");
                return false;
        }
        NAPI_OK(napi_get_value_bool(env, v, out));
        return true;
}

static bool get_array(napi_env env, napi_value v, const char *what,
                      uint32_t *len) {
        bool is_array = false;
        NAPI_OK(napi_is_array(env, v, &is_array));
        if (!is_array) {
                char msg[200];
                snprintf(msg, sizeof(msg), "%s must be an array", what);
                napi_throw_type_error(env, NULL, msg);
                return false;
        }
        NAPI_OK(napi_get_array_length(env, v, len));
        return true;
}

static bool get_element(napi_env env, napi_value arr, uint32_t i,
                        napi_value *out) {
        NAPI_OK(napi_get_element(env, arr, i, out));
        return true;
}

/* Resource type names as the TS API spells them. */
static bool parse_restype(napi_env env, napi_value v,
                          rd_kafka_ResourceType_t *out) {
        char *s = dup_str(env, v, "resource type");
        if (!s)
                return false;
        bool ok = true;
        if (!strcmp(s, "topic"))
                *out = RD_KAFKA_RESOURCE_TOPIC;
        else if (!strcmp(s, "broker"))
                *out = RD_KAFKA_RESOURCE_BROKER;
        else if (!strcmp(s, "group"))
                *out = RD_KAFKA_RESOURCE_GROUP;
        else {
                napi_throw_type_error(
                    env, NULL,
                    "resource type must be 'topic', 'broker' or 'group'");
                ok = false;
        }
        free(s);
        return ok;
}

static const char *restype_name(rd_kafka_ResourceType_t t) {
        switch (t) {
        case RD_KAFKA_RESOURCE_TOPIC:
                return "topic";
        case RD_KAFKA_RESOURCE_BROKER:
                return "broker";
        case RD_KAFKA_RESOURCE_GROUP:
                return "group";
        default:
                return "unknown";
        }
}


/* ------------------------------------------------------------------ */
/* Handle lifetime                                                      */
/* ------------------------------------------------------------------ */

static void handle_maybe_free(handle_t *h) {
        if (h->js_alive || h->tsfn_alive || h->destroy_state == DESTROY_RUNNING)
                return;
        pthread_mutex_destroy(&h->lock);
        free(h->close_deferreds);
        free(h);
        COUNT(cnt_handles, -1);
}

/* Stops the background thread from handing events to JS. */
static void handle_close_tsfn_gate(handle_t *h) {
        pthread_mutex_lock(&h->lock);
        h->tsfn_open = false;
        pthread_mutex_unlock(&h->lock);
}

/* Destroys the librdkafka objects. Blocking: runs on a worker thread, or in a
 * finalizer as the last resort. */
static void handle_destroy_rk(handle_t *h) {
        if (!h->rk)
                return;
        rd_kafka_queue_t *mainq = rd_kafka_queue_get_main(h->rk);
        if (mainq) {
                rd_kafka_queue_forward(mainq, NULL);
                rd_kafka_queue_destroy(mainq);
        }
        if (h->bgq) {
                rd_kafka_queue_destroy(h->bgq);
                h->bgq = NULL;
        }
        rd_kafka_destroy(h->rk);
        h->rk = NULL;
        COUNT(cnt_rk, -1);
}

static void destroy_execute(napi_env env, void *data) {
        handle_destroy_rk((handle_t *)data);
}

static void destroy_complete(napi_env env, napi_status status, void *data) {
        handle_t *h = (handle_t *)data;
        size_t i;

        h->destroy_state = DESTROY_DONE;
        napi_delete_async_work(env, h->destroy_work);
        h->destroy_work = NULL;
        if (h->tsfn_alive)
                napi_release_threadsafe_function(h->tsfn, napi_tsfn_release);

        for (i = 0; i < h->close_deferred_cnt; i++) {
                napi_value undef;
                napi_get_undefined(env, &undef);
                napi_resolve_deferred(env, h->close_deferreds[i], undef);
        }
        h->close_deferred_cnt = 0;
        handle_maybe_free(h);
}

/* Called on the JS thread when the handle is closed and idle. */
static void handle_start_destroy(napi_env env, handle_t *h) {
        napi_value name;

        if (h->destroy_state != DESTROY_NONE)
                return;
        handle_close_tsfn_gate(h);
        h->destroy_state = DESTROY_RUNNING;
        if (napi_create_string_utf8(env, "kafkit_admin:destroy",
                                    NAPI_AUTO_LENGTH, &name) == napi_ok &&
            napi_create_async_work(env, NULL, name, destroy_execute,
                                   destroy_complete, h,
                                   &h->destroy_work) == napi_ok &&
            napi_queue_async_work(env, h->destroy_work) == napi_ok)
                return;

        /* Could not queue the work: destroy here, then complete as usual. */
        if (h->destroy_work) {
                napi_delete_async_work(env, h->destroy_work);
                h->destroy_work = NULL;
        }
        handle_destroy_rk(h);
        h->destroy_state = DESTROY_DONE;
        if (h->tsfn_alive)
                napi_release_threadsafe_function(h->tsfn, napi_tsfn_release);
        for (size_t i = 0; i < h->close_deferred_cnt; i++) {
                napi_value undef;
                napi_get_undefined(env, &undef);
                napi_resolve_deferred(env, h->close_deferreds[i], undef);
        }
        h->close_deferred_cnt = 0;
}

/* Finalizer of the JS external: the handle was garbage-collected (without
 * close(), since pending requests keep it alive), or the environment is being
 * torn down. */
static void handle_finalize(napi_env env, void *data, void *hint) {
        handle_t *h = (handle_t *)data;

        h->js_alive = false;
        h->closed   = true;
        if (h->destroy_state == DESTROY_NONE) {
                handle_close_tsfn_gate(h);
                handle_destroy_rk(h);
                h->destroy_state = DESTROY_DONE;
                if (h->tsfn_alive)
                        napi_release_threadsafe_function(h->tsfn,
                                                         napi_tsfn_abort);
        }
        handle_maybe_free(h);
}

static void tsfn_finalize(napi_env env, void *data, void *hint) {
        handle_t *h = (handle_t *)data;
        handle_close_tsfn_gate(h);
        h->tsfn_alive = false;
        handle_maybe_free(h);
}


/* ------------------------------------------------------------------ */
/* librdkafka background thread                                         */
/* ------------------------------------------------------------------ */

static bool is_admin_result(rd_kafka_event_type_t t) {
        switch (t) {
        case RD_KAFKA_EVENT_CREATETOPICS_RESULT:
        case RD_KAFKA_EVENT_DELETETOPICS_RESULT:
        case RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT:
        case RD_KAFKA_EVENT_INCREMENTALALTERCONFIGS_RESULT:
        case RD_KAFKA_EVENT_ALTERCONSUMERGROUPOFFSETS_RESULT:
        case RD_KAFKA_EVENT_DELETECONSUMERGROUPOFFSETS_RESULT:
        case RD_KAFKA_EVENT_DESCRIBECLUSTER_RESULT:
        case RD_KAFKA_EVENT_DESCRIBECONSUMERGROUPS_RESULT:
        case RD_KAFKA_EVENT_CREATEACLS_RESULT:
        case RD_KAFKA_EVENT_DESCRIBEACLS_RESULT:
        case RD_KAFKA_EVENT_DELETEACLS_RESULT:
        case RD_KAFKA_EVENT_DESCRIBEUSERSCRAMCREDENTIALS_RESULT:
        case RD_KAFKA_EVENT_ALTERUSERSCRAMCREDENTIALS_RESULT:
                return true;
        default:
                return false;
        }
}

static void background_event_cb(rd_kafka_t *rk, rd_kafka_event_t *ev,
                                void *opaque) {
        handle_t *h             = (handle_t *)opaque;
        rd_kafka_event_type_t t = rd_kafka_event_type(ev);

        if (t == RD_KAFKA_EVENT_ERROR) {
                rd_kafka_resp_err_t err = rd_kafka_event_error(ev);
                const char *msg         = rd_kafka_event_error_string(ev);
                pthread_mutex_lock(&h->lock);
                /* "n/n brokers are down" says less than the error before it. */
                if (!(err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN &&
                      h->last_err)) {
                        h->last_err = err;
                        snprintf(h->last_errstr, sizeof(h->last_errstr), "%s",
                                 msg ? msg : rd_kafka_err2str(err));
                }
                pthread_mutex_unlock(&h->lock);
                rd_kafka_event_destroy(ev);
                return;
        }

        if (!is_admin_result(t)) {
                rd_kafka_event_destroy(ev);
                return;
        }

        pthread_mutex_lock(&h->lock);
        if (h->tsfn_open &&
            napi_call_threadsafe_function(h->tsfn, ev,
                                          napi_tsfn_nonblocking) == napi_ok)
                ev = NULL;
        pthread_mutex_unlock(&h->lock);
        if (ev) /* only while tearing down */
                rd_kafka_event_destroy(ev);
}


/* ------------------------------------------------------------------ */
/* Results (JS thread)                                                  */
/* ------------------------------------------------------------------ */

static bool build_node(napi_env env, const rd_kafka_Node_t *node,
                       napi_value *out) {
        NAPI_OK(napi_create_object(env, out));
        return set_num(env, *out, "id", rd_kafka_Node_id(node)) &&
               set_str(env, *out, "host", rd_kafka_Node_host(node)) &&
               set_num(env, *out, "port", rd_kafka_Node_port(node)) &&
               set_str(env, *out, "rack", rd_kafka_Node_rack(node));
}

static bool build_describe_cluster(napi_env env, rd_kafka_event_t *ev,
                                   napi_value *out) {
        const rd_kafka_DescribeCluster_result_t *res =
            rd_kafka_event_DescribeCluster_result(ev);
        size_t cnt = 0, i;
        napi_value brokers;

        if (!res) {
                napi_throw_error(env, NULL, "unexpected result event");
                return false;
        }
        const rd_kafka_Node_t **nodes =
            rd_kafka_DescribeCluster_result_nodes(res, &cnt);
        const rd_kafka_Node_t *controller =
            rd_kafka_DescribeCluster_result_controller(res);

        NAPI_OK(napi_create_object(env, out));
        if (!set_str(env, *out, "clusterId",
                     rd_kafka_DescribeCluster_result_cluster_id(res)) ||
            !set_num(env, *out, "controllerId",
                     controller ? rd_kafka_Node_id(controller) : -1))
                return false;
        NAPI_OK(napi_create_array_with_length(env, cnt, &brokers));
        for (i = 0; i < cnt; i++) {
                napi_value b;
                if (!build_node(env, nodes[i], &b))
                        return false;
                NAPI_OK(napi_set_element(env, brokers, (uint32_t)i, b));
        }
        NAPI_OK(napi_set_named_property(env, *out, "brokers", brokers));

        /* Only when asked for (include_authorized_operations): the operations
         * the client's principal may do on the cluster, as AclOperation numbers. */
        size_t ocnt = 0;
        const rd_kafka_AclOperation_t *ops =
            rd_kafka_DescribeCluster_result_authorized_operations(res, &ocnt);
        napi_value arr;
        if (ops) {
                NAPI_OK(napi_create_array_with_length(env, ocnt, &arr));
                for (i = 0; i < ocnt; i++) {
                        napi_value n;
                        NAPI_OK(napi_create_int32(env, ops[i], &n));
                        NAPI_OK(napi_set_element(env, arr, (uint32_t)i, n));
                }
        } else
                NAPI_OK(napi_get_null(env, &arr));
        NAPI_OK(napi_set_named_property(env, *out, "authorizedOperations", arr));
        return true;
}

static bool build_config_entry(napi_env env, const rd_kafka_ConfigEntry_t *e,
                               bool with_synonyms, napi_value *out) {
        NAPI_OK(napi_create_object(env, out));
        if (!set_str(env, *out, "name", rd_kafka_ConfigEntry_name(e)) ||
            !set_str(env, *out, "value", rd_kafka_ConfigEntry_value(e)) ||
            !set_str(env, *out, "source",
                     rd_kafka_ConfigSource_name(
                         rd_kafka_ConfigEntry_source(e))))
                return false;
        if (!with_synonyms) /* a synonym itself: name, value, source */
                return true;
        if (!set_bool(env, *out, "isDefault",
                      rd_kafka_ConfigEntry_is_default(e) == 1) ||
            !set_bool(env, *out, "isReadOnly",
                      rd_kafka_ConfigEntry_is_read_only(e) == 1) ||
            !set_bool(env, *out, "isSensitive",
                      rd_kafka_ConfigEntry_is_sensitive(e) == 1))
                return false;

        size_t cnt = 0, i;
        const rd_kafka_ConfigEntry_t **syn =
            rd_kafka_ConfigEntry_synonyms(e, &cnt);
        napi_value arr;
        NAPI_OK(napi_create_array_with_length(env, cnt, &arr));
        for (i = 0; i < cnt; i++) {
                napi_value s;
                if (!build_config_entry(env, syn[i], false, &s))
                        return false;
                NAPI_OK(napi_set_element(env, arr, (uint32_t)i, s));
        }
        NAPI_OK(napi_set_named_property(env, *out, "synonyms", arr));
        return true;
}

/* DescribeConfigs (with_configs) and IncrementalAlterConfigs results. */
static bool build_config_resources(napi_env env,
                                   const rd_kafka_ConfigResource_t **rs,
                                   size_t cnt, bool with_configs,
                                   napi_value *out) {
        size_t i, j;
        NAPI_OK(napi_create_array_with_length(env, cnt, out));
        for (i = 0; i < cnt; i++) {
                const rd_kafka_ConfigResource_t *r = rs[i];
                napi_value o;
                NAPI_OK(napi_create_object(env, &o));
                if (!set_str(env, o, "type",
                             restype_name(rd_kafka_ConfigResource_type(r))) ||
                    !set_str(env, o, "name", rd_kafka_ConfigResource_name(r)))
                        return false;
                if (rd_kafka_ConfigResource_error(r) &&
                    !set_err(env, o, rd_kafka_ConfigResource_error(r),
                             rd_kafka_ConfigResource_error_string(r)))
                        return false;
                if (with_configs) {
                        size_t ccnt = 0;
                        const rd_kafka_ConfigEntry_t **entries =
                            rd_kafka_ConfigResource_configs(r, &ccnt);
                        napi_value configs;
                        NAPI_OK(napi_create_array_with_length(env, ccnt,
                                                              &configs));
                        for (j = 0; j < ccnt; j++) {
                                napi_value e;
                                if (!build_config_entry(env, entries[j], true,
                                                        &e))
                                        return false;
                                NAPI_OK(napi_set_element(env, configs,
                                                         (uint32_t)j, e));
                        }
                        NAPI_OK(
                            napi_set_named_property(env, o, "configs", configs));
                }
                NAPI_OK(napi_set_element(env, *out, (uint32_t)i, o));
        }
        return true;
}

/* Create/DeleteTopics: [{name, error?}]. */
static bool build_topic_results(napi_env env, const rd_kafka_topic_result_t **topics,
                                size_t cnt, napi_value *out) {
        size_t i;
        NAPI_OK(napi_create_array_with_length(env, cnt, out));
        for (i = 0; i < cnt; i++) {
                napi_value o;
                NAPI_OK(napi_create_object(env, &o));
                if (!set_str(env, o, "name",
                             rd_kafka_topic_result_name(topics[i])))
                        return false;
                if (rd_kafka_topic_result_error(topics[i]) &&
                    !set_err(env, o, rd_kafka_topic_result_error(topics[i]),
                             rd_kafka_topic_result_error_string(topics[i])))
                        return false;
                NAPI_OK(napi_set_element(env, *out, (uint32_t)i, o));
        }
        return true;
}

/* Alter/DeleteConsumerGroupOffsets: {group, error?, partitions: [...]}. */
static bool build_group_offsets(napi_env env,
                                const rd_kafka_group_result_t **groups,
                                size_t cnt, bool with_offset,
                                napi_value *out) {
        int i;
        if (cnt < 1) {
                napi_throw_error(env, NULL, "empty group result");
                return false;
        }
        const rd_kafka_group_result_t *g = groups[0];
        const rd_kafka_error_t *gerr     = rd_kafka_group_result_error(g);
        const rd_kafka_topic_partition_list_t *parts =
            rd_kafka_group_result_partitions(g);
        napi_value arr;

        NAPI_OK(napi_create_object(env, out));
        if (!set_str(env, *out, "group", rd_kafka_group_result_name(g)))
                return false;
        if (gerr && rd_kafka_error_code(gerr) &&
            !set_err(env, *out, rd_kafka_error_code(gerr),
                     rd_kafka_error_string(gerr)))
                return false;
        NAPI_OK(napi_create_array_with_length(env, parts ? parts->cnt : 0,
                                              &arr));
        for (i = 0; parts && i < parts->cnt; i++) {
                const rd_kafka_topic_partition_t *p = &parts->elems[i];
                napi_value o;
                NAPI_OK(napi_create_object(env, &o));
                if (!set_str(env, o, "topic", p->topic) ||
                    !set_num(env, o, "partition", p->partition))
                        return false;
                if (with_offset &&
                    !set_num(env, o, "offset", (double)p->offset))
                        return false;
                if (p->err && !set_err(env, o, p->err, NULL))
                        return false;
                NAPI_OK(napi_set_element(env, arr, (uint32_t)i, o));
        }
        NAPI_OK(napi_set_named_property(env, *out, "partitions", arr));
        return true;
}

/* [{topic, partition}] of a member's assignment (NULL: none). */
static bool build_assignment(napi_env env,
                             const rd_kafka_topic_partition_list_t *parts,
                             napi_value *out) {
        int i;
        NAPI_OK(napi_create_array_with_length(env, parts ? parts->cnt : 0, out));
        for (i = 0; parts && i < parts->cnt; i++) {
                napi_value o;
                NAPI_OK(napi_create_object(env, &o));
                if (!set_str(env, o, "topic", parts->elems[i].topic) ||
                    !set_num(env, o, "partition", parts->elems[i].partition))
                        return false;
                NAPI_OK(napi_set_element(env, *out, (uint32_t)i, o));
        }
        return true;
}

/*
 * DescribeConsumerGroups: [{group, error?, state, type, isSimple, partitionAssignor,
 * coordinator, members: [{memberId, clientId, host, groupInstanceId, assignment}]}].
 *
 * Why here and not the JS client's describeGroups(): a group that failed (the group's
 * coordinator not available, e.g. while __consumer_offsets is being created on a new
 * cluster, or a timeout) comes from librdkafka as a description made from the error alone,
 * whose partition assignor (and coordinator) are NULL. The JS client's binding
 * (FromConsumerGroupDescription) passes that NULL to v8::String::NewFromUtf8, which
 * strlen()s it: SIGSEGV on the JS thread (confluent-kafka-javascript issue #531, open).
 * Every string here goes through make_str/set_str, which turn NULL into null.
 */
static bool build_describe_groups(napi_env env, rd_kafka_event_t *ev,
                                  napi_value *out) {
        const rd_kafka_DescribeConsumerGroups_result_t *res =
            rd_kafka_event_DescribeConsumerGroups_result(ev);
        size_t cnt = 0, i, j;

        if (!res) {
                napi_throw_error(env, NULL, "unexpected result event");
                return false;
        }
        const rd_kafka_ConsumerGroupDescription_t **groups =
            rd_kafka_DescribeConsumerGroups_result_groups(res, &cnt);
        NAPI_OK(napi_create_array_with_length(env, cnt, out));
        for (i = 0; i < cnt; i++) {
                const rd_kafka_ConsumerGroupDescription_t *g = groups[i];
                const rd_kafka_error_t *gerr =
                    rd_kafka_ConsumerGroupDescription_error(g);
                const rd_kafka_Node_t *coord =
                    rd_kafka_ConsumerGroupDescription_coordinator(g);
                size_t mcnt = rd_kafka_ConsumerGroupDescription_member_count(g);
                napi_value o, c, members;

                NAPI_OK(napi_create_object(env, &o));
                if (!set_str(env, o, "group",
                             rd_kafka_ConsumerGroupDescription_group_id(g)) ||
                    (gerr && rd_kafka_error_code(gerr) &&
                     !set_err(env, o, rd_kafka_error_code(gerr),
                              rd_kafka_error_string(gerr))) ||
                    !set_num(env, o, "state",
                             rd_kafka_ConsumerGroupDescription_state(g)) ||
                    !set_num(env, o, "type",
                             rd_kafka_ConsumerGroupDescription_type(g)) ||
                    !set_bool(env, o, "isSimple",
                              rd_kafka_ConsumerGroupDescription_is_simple_consumer_group(g)) ||
                    !set_str(env, o, "partitionAssignor",
                             rd_kafka_ConsumerGroupDescription_partition_assignor(g)))
                        return false;
                if (coord) {
                        if (!build_node(env, coord, &c))
                                return false;
                } else
                        NAPI_OK(napi_get_null(env, &c));
                NAPI_OK(napi_set_named_property(env, o, "coordinator", c));

                NAPI_OK(napi_create_array_with_length(env, mcnt, &members));
                for (j = 0; j < mcnt; j++) {
                        const rd_kafka_MemberDescription_t *m =
                            rd_kafka_ConsumerGroupDescription_member(g, j);
                        const rd_kafka_MemberAssignment_t *a =
                            rd_kafka_MemberDescription_assignment(m);
                        napi_value mo, assignment;
                        NAPI_OK(napi_create_object(env, &mo));
                        if (!set_str(env, mo, "memberId",
                                     rd_kafka_MemberDescription_consumer_id(m)) ||
                            !set_str(env, mo, "clientId",
                                     rd_kafka_MemberDescription_client_id(m)) ||
                            !set_str(env, mo, "host",
                                     rd_kafka_MemberDescription_host(m)) ||
                            !set_str(env, mo, "groupInstanceId",
                                     rd_kafka_MemberDescription_group_instance_id(m)) ||
                            !build_assignment(
                                env, a ? rd_kafka_MemberAssignment_partitions(a) : NULL,
                                &assignment))
                                return false;
                        NAPI_OK(napi_set_named_property(env, mo, "assignment",
                                                        assignment));
                        NAPI_OK(napi_set_element(env, members, (uint32_t)j, mo));
                }
                NAPI_OK(napi_set_named_property(env, o, "members", members));
                NAPI_OK(napi_set_element(env, *out, (uint32_t)i, o));
        }
        return true;
}

/* An ACL binding as {resourceType, name, patternType, principal, host, operation,
 * permission}: the enums as librdkafka's numbers (the TS side names them). */
static bool build_acl_binding(napi_env env, const rd_kafka_AclBinding_t *a,
                              napi_value *out) {
        NAPI_OK(napi_create_object(env, out));
        return set_num(env, *out, "resourceType", rd_kafka_AclBinding_restype(a)) &&
               set_str(env, *out, "name", rd_kafka_AclBinding_name(a)) &&
               set_num(env, *out, "patternType",
                       rd_kafka_AclBinding_resource_pattern_type(a)) &&
               set_str(env, *out, "principal", rd_kafka_AclBinding_principal(a)) &&
               set_str(env, *out, "host", rd_kafka_AclBinding_host(a)) &&
               set_num(env, *out, "operation", rd_kafka_AclBinding_operation(a)) &&
               set_num(env, *out, "permission",
                       rd_kafka_AclBinding_permission_type(a));
}

static bool build_acl_bindings(napi_env env, const rd_kafka_AclBinding_t **as,
                               size_t cnt, napi_value *out) {
        NAPI_OK(napi_create_array_with_length(env, cnt, out));
        for (size_t i = 0; i < cnt; i++) {
                napi_value b;
                if (!build_acl_binding(env, as[i], &b))
                        return false;
                NAPI_OK(napi_set_element(env, *out, (uint32_t)i, b));
        }
        return true;
}

static bool set_error_obj(napi_env env, napi_value obj,
                          const rd_kafka_error_t *err) {
        if (!err || !rd_kafka_error_code(err))
                return true;
        return set_err(env, obj, rd_kafka_error_code(err),
                       rd_kafka_error_string(err));
}

/* CreateAcls: [{error?}], one per binding, in the order given. */
static bool build_create_acls(napi_env env, rd_kafka_event_t *ev,
                              napi_value *out) {
        const rd_kafka_CreateAcls_result_t *res =
            rd_kafka_event_CreateAcls_result(ev);
        size_t cnt = 0;
        if (!res) {
                napi_throw_error(env, NULL, "unexpected result event");
                return false;
        }
        const rd_kafka_acl_result_t **rs = rd_kafka_CreateAcls_result_acls(res, &cnt);
        NAPI_OK(napi_create_array_with_length(env, cnt, out));
        for (size_t i = 0; i < cnt; i++) {
                napi_value o;
                NAPI_OK(napi_create_object(env, &o));
                if (!set_error_obj(env, o, rd_kafka_acl_result_error(rs[i])))
                        return false;
                NAPI_OK(napi_set_element(env, *out, (uint32_t)i, o));
        }
        return true;
}

/* DeleteAcls: [{error?, matching: [binding]}], one per filter, in order. */
static bool build_delete_acls(napi_env env, rd_kafka_event_t *ev,
                              napi_value *out) {
        const rd_kafka_DeleteAcls_result_t *res =
            rd_kafka_event_DeleteAcls_result(ev);
        size_t cnt = 0;
        if (!res) {
                napi_throw_error(env, NULL, "unexpected result event");
                return false;
        }
        const rd_kafka_DeleteAcls_result_response_t **rs =
            rd_kafka_DeleteAcls_result_responses(res, &cnt);
        NAPI_OK(napi_create_array_with_length(env, cnt, out));
        for (size_t i = 0; i < cnt; i++) {
                size_t mcnt = 0;
                const rd_kafka_AclBinding_t **matching =
                    rd_kafka_DeleteAcls_result_response_matching_acls(rs[i], &mcnt);
                napi_value o, arr;
                NAPI_OK(napi_create_object(env, &o));
                if (!set_error_obj(env, o,
                                   rd_kafka_DeleteAcls_result_response_error(rs[i])) ||
                    !build_acl_bindings(env, matching, mcnt, &arr))
                        return false;
                NAPI_OK(napi_set_named_property(env, o, "matching", arr));
                NAPI_OK(napi_set_element(env, *out, (uint32_t)i, o));
        }
        return true;
}

/* DescribeUserScramCredentials: [{user, error?, credentials: [{mechanism, iterations}]}]. */
static bool build_describe_scram(napi_env env, rd_kafka_event_t *ev,
                                 napi_value *out) {
        const rd_kafka_DescribeUserScramCredentials_result_t *res =
            rd_kafka_event_DescribeUserScramCredentials_result(ev);
        size_t cnt = 0;
        if (!res) {
                napi_throw_error(env, NULL, "unexpected result event");
                return false;
        }
        const rd_kafka_UserScramCredentialsDescription_t **ds =
            rd_kafka_DescribeUserScramCredentials_result_descriptions(res, &cnt);
        NAPI_OK(napi_create_array_with_length(env, cnt, out));
        for (size_t i = 0; i < cnt; i++) {
                const rd_kafka_UserScramCredentialsDescription_t *d = ds[i];
                size_t ccnt =
                    rd_kafka_UserScramCredentialsDescription_scramcredentialinfo_count(d);
                napi_value o, arr;
                NAPI_OK(napi_create_object(env, &o));
                if (!set_str(env, o, "user",
                             rd_kafka_UserScramCredentialsDescription_user(d)) ||
                    !set_error_obj(env, o,
                                   rd_kafka_UserScramCredentialsDescription_error(d)))
                        return false;
                NAPI_OK(napi_create_array_with_length(env, ccnt, &arr));
                for (size_t j = 0; j < ccnt; j++) {
                        const rd_kafka_ScramCredentialInfo_t *c =
                            rd_kafka_UserScramCredentialsDescription_scramcredentialinfo(d, j);
                        napi_value co;
                        NAPI_OK(napi_create_object(env, &co));
                        if (!set_num(env, co, "mechanism",
                                     rd_kafka_ScramCredentialInfo_mechanism(c)) ||
                            !set_num(env, co, "iterations",
                                     rd_kafka_ScramCredentialInfo_iterations(c)))
                                return false;
                        NAPI_OK(napi_set_element(env, arr, (uint32_t)j, co));
                }
                NAPI_OK(napi_set_named_property(env, o, "credentials", arr));
                NAPI_OK(napi_set_element(env, *out, (uint32_t)i, o));
        }
        return true;
}

/* AlterUserScramCredentials: [{user, error?}], one per user. */
static bool build_alter_scram(napi_env env, rd_kafka_event_t *ev,
                              napi_value *out) {
        const rd_kafka_AlterUserScramCredentials_result_t *res =
            rd_kafka_event_AlterUserScramCredentials_result(ev);
        size_t cnt = 0;
        if (!res) {
                napi_throw_error(env, NULL, "unexpected result event");
                return false;
        }
        const rd_kafka_AlterUserScramCredentials_result_response_t **rs =
            rd_kafka_AlterUserScramCredentials_result_responses(res, &cnt);
        NAPI_OK(napi_create_array_with_length(env, cnt, out));
        for (size_t i = 0; i < cnt; i++) {
                napi_value o;
                NAPI_OK(napi_create_object(env, &o));
                if (!set_str(env, o, "user",
                             rd_kafka_AlterUserScramCredentials_result_response_user(rs[i])) ||
                    !set_error_obj(env, o,
                                   rd_kafka_AlterUserScramCredentials_result_response_error(rs[i])))
                        return false;
                NAPI_OK(napi_set_element(env, *out, (uint32_t)i, o));
        }
        return true;
}

static bool build_result(napi_env env, op_t *op, rd_kafka_event_t *ev,
                         napi_value *out) {
        size_t cnt = 0;
        switch (op->kind) {
        case OP_DESCRIBE_CLUSTER:
                return build_describe_cluster(env, ev, out);
        case OP_DESCRIBE_CONFIGS: {
                const rd_kafka_DescribeConfigs_result_t *res =
                    rd_kafka_event_DescribeConfigs_result(ev);
                if (!res)
                        break;
                const rd_kafka_ConfigResource_t **rs =
                    rd_kafka_DescribeConfigs_result_resources(res, &cnt);
                return build_config_resources(env, rs, cnt, true, out);
        }
        case OP_INCREMENTAL_ALTER_CONFIGS: {
                const rd_kafka_IncrementalAlterConfigs_result_t *res =
                    rd_kafka_event_IncrementalAlterConfigs_result(ev);
                if (!res)
                        break;
                const rd_kafka_ConfigResource_t **rs =
                    rd_kafka_IncrementalAlterConfigs_result_resources(res,
                                                                      &cnt);
                return build_config_resources(env, rs, cnt, false, out);
        }
        case OP_CREATE_TOPICS: {
                const rd_kafka_CreateTopics_result_t *res =
                    rd_kafka_event_CreateTopics_result(ev);
                if (!res)
                        break;
                const rd_kafka_topic_result_t **ts =
                    rd_kafka_CreateTopics_result_topics(res, &cnt);
                return build_topic_results(env, ts, cnt, out);
        }
        case OP_DELETE_TOPICS: {
                const rd_kafka_DeleteTopics_result_t *res =
                    rd_kafka_event_DeleteTopics_result(ev);
                if (!res)
                        break;
                const rd_kafka_topic_result_t **ts =
                    rd_kafka_DeleteTopics_result_topics(res, &cnt);
                return build_topic_results(env, ts, cnt, out);
        }
        case OP_ALTER_GROUP_OFFSETS: {
                const rd_kafka_AlterConsumerGroupOffsets_result_t *res =
                    rd_kafka_event_AlterConsumerGroupOffsets_result(ev);
                if (!res)
                        break;
                const rd_kafka_group_result_t **gs =
                    rd_kafka_AlterConsumerGroupOffsets_result_groups(res, &cnt);
                return build_group_offsets(env, gs, cnt, true, out);
        }
        case OP_DELETE_GROUP_OFFSETS: {
                const rd_kafka_DeleteConsumerGroupOffsets_result_t *res =
                    rd_kafka_event_DeleteConsumerGroupOffsets_result(ev);
                if (!res)
                        break;
                const rd_kafka_group_result_t **gs =
                    rd_kafka_DeleteConsumerGroupOffsets_result_groups(res,
                                                                      &cnt);
                return build_group_offsets(env, gs, cnt, false, out);
        }
        case OP_DESCRIBE_GROUPS:
                return build_describe_groups(env, ev, out);
        case OP_CREATE_ACLS:
                return build_create_acls(env, ev, out);
        case OP_DESCRIBE_ACLS: {
                const rd_kafka_DescribeAcls_result_t *res =
                    rd_kafka_event_DescribeAcls_result(ev);
                if (!res)
                        break;
                const rd_kafka_AclBinding_t **as =
                    rd_kafka_DescribeAcls_result_acls(res, &cnt);
                return build_acl_bindings(env, as, cnt, out);
        }
        case OP_DELETE_ACLS:
                return build_delete_acls(env, ev, out);
        case OP_DESCRIBE_SCRAM:
                return build_describe_scram(env, ev, out);
        case OP_ALTER_SCRAM:
                return build_alter_scram(env, ev, out);
        }
        napi_throw_error(env, NULL, "unexpected result event");
        return false;
}

static bool is_auth_err(rd_kafka_resp_err_t err) {
        return err == RD_KAFKA_RESP_ERR__AUTHENTICATION ||
               err == RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED ||
               err == RD_KAFKA_RESP_ERR__SSL;
}

/* The rejection for a request-level failure. A timeout caused by a connection or
 * authentication problem carries that problem (as brokerError; an authentication
 * failure also becomes the code, since it is the real cause). */
static napi_value make_request_error(napi_env env, handle_t *h,
                                     rd_kafka_resp_err_t err,
                                     const char *errstr) {
        rd_kafka_resp_err_t last;
        char last_str[ERRSTR_SIZE];
        char msg[ERRSTR_SIZE * 2 + 64];
        const char *code = rd_kafka_err2name(err);
        napi_value e;

        pthread_mutex_lock(&h->lock);
        last = h->last_err;
        memcpy(last_str, h->last_errstr, sizeof(last_str));
        pthread_mutex_unlock(&h->lock);

        /* A broker error librdkafka reports as a failed response parse (e.g. a
         * group-level OffsetDelete error): its own text says it better. */
        if (!errstr || !*errstr ||
            (err > 0 && strstr(errstr, "failed to parse response")))
                errstr = rd_kafka_err2str(err);

        if (last && err == RD_KAFKA_RESP_ERR__TIMED_OUT) {
                snprintf(msg, sizeof(msg), "%s (last broker error: %s)",
                         errstr, last_str);
                if (is_auth_err(last))
                        code = rd_kafka_err2name(last);
        } else
                snprintf(msg, sizeof(msg), "%s", errstr);

        e = make_error(env, code, msg);
        if (e && last && err == RD_KAFKA_RESP_ERR__TIMED_OUT) {
                napi_value be;
                if (napi_create_object(env, &be) == napi_ok &&
                    set_str(env, be, "code", rd_kafka_err2name(last)) &&
                    set_str(env, be, "message", last_str))
                        napi_set_named_property(env, e, "brokerError", be);
        }
        return e;
}

static void op_finish(napi_env env, op_t *op) {
        handle_t *h = op->h;
        if (op->keep)
                napi_delete_reference(env, op->keep);
        free(op);
        COUNT(cnt_ops, -1);
        if (--h->pending == 0) {
                if (h->tsfn_alive)
                        napi_unref_threadsafe_function(env, h->tsfn);
                if (h->closed)
                        handle_start_destroy(env, h);
        }
}

static void reject_with_exception(napi_env env, napi_deferred d) {
        bool pending = false;
        napi_value exc = NULL;
        napi_is_exception_pending(env, &pending);
        if (pending)
                napi_get_and_clear_last_exception(env, &exc);
        else
                exc = make_error(env, "_FAIL",
                                 "kafkit_admin: could not build the result");
        napi_reject_deferred(env, d, exc);
}

/* Threadsafe-function callback: a result event on the JS thread. */
static void call_js(napi_env env, napi_value js_cb, void *context,
                    void *data) {
        handle_t *h          = (handle_t *)context;
        rd_kafka_event_t *ev = (rd_kafka_event_t *)data;
        op_t *op;

        if (!env) {
                /* Environment teardown: drop the event while rk still lives. */
                if (h->rk)
                        rd_kafka_event_destroy(ev);
                return;
        }

        op = (op_t *)rd_kafka_event_opaque(ev);
        if (!op) {
                rd_kafka_event_destroy(ev);
                return;
        }

        rd_kafka_resp_err_t err = rd_kafka_event_error(ev);
        /* librdkafka 2.15's DescribeUserScramCredentials keeps a request-level
         * error (e.g. CLUSTER_AUTHORIZATION_FAILED) as a pointer to stack or
         * static memory, which its error string returns and its destroy frees
         * (glibc aborts). Such an event is neither read for its text nor
         * destroyed: a small leak instead of a crash. */
        bool scram_bug = err && op->kind == OP_DESCRIBE_SCRAM;
        if (err) {
                napi_value e = make_request_error(
                    env, h, err, scram_bug ? NULL : rd_kafka_event_error_string(ev));
                if (e)
                        napi_reject_deferred(env, op->deferred, e);
                else
                        reject_with_exception(env, op->deferred);
        } else {
                napi_value result;
                pthread_mutex_lock(&h->lock);
                h->last_err       = RD_KAFKA_RESP_ERR_NO_ERROR;
                h->last_errstr[0] = '\0';
                pthread_mutex_unlock(&h->lock);
                if (build_result(env, op, ev, &result))
                        napi_resolve_deferred(env, op->deferred, result);
                else
                        reject_with_exception(env, op->deferred);
        }
        if (!scram_bug)
                rd_kafka_event_destroy(ev);
        op_finish(env, op);
}


/* ------------------------------------------------------------------ */
/* Starting requests (JS thread)                                        */
/* ------------------------------------------------------------------ */

static bool get_handle(napi_env env, napi_value v, handle_t **out) {
        napi_valuetype t;
        void *data = NULL;
        if (napi_typeof(env, v, &t) != napi_ok || t != napi_external) {
                napi_throw_type_error(env, NULL,
                                      "expected a kafkit_admin handle");
                return false;
        }
        NAPI_OK(napi_get_value_external(env, v, &data));
        *out = (handle_t *)data;
        return true;
}

/* Arguments: (handle, ...). Fills argv (argc values) and the handle. */
static bool get_args(napi_env env, napi_callback_info info, size_t argc,
                     napi_value *argv, handle_t **h) {
        size_t n = argc;
        NAPI_OK(napi_get_cb_info(env, info, &n, argv, NULL, NULL));
        if (n < argc) {
                napi_throw_type_error(env, NULL, "missing arguments");
                return false;
        }
        return get_handle(env, argv[0], h);
}

static napi_value rejected(napi_env env, const char *code, const char *msg) {
        napi_deferred d;
        napi_value promise, e = make_error(env, code, msg);
        if (!e || napi_create_promise(env, &d, &promise) != napi_ok) {
                throw_napi_failure(env, "napi_create_promise");
                return NULL;
        }
        napi_reject_deferred(env, d, e);
        return promise;
}

/* AdminOptions with the request timeout (and the operation timeout and
 * validate_only where given: pass -1 to leave them unset). */
static rd_kafka_AdminOptions_t *make_options(napi_env env, handle_t *h,
                                             rd_kafka_admin_op_t api,
                                             int timeout_ms,
                                             int operation_timeout_ms,
                                             int validate_only) {
        char errstr[ERRSTR_SIZE];
        rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(h->rk, api);
        if (!o) {
                napi_throw_error(env, NULL,
                                 "kafkit_admin: could not create admin options");
                return NULL;
        }
        if (rd_kafka_AdminOptions_set_request_timeout(o, timeout_ms, errstr,
                                                      sizeof(errstr)) ||
            (operation_timeout_ms >= 0 &&
             rd_kafka_AdminOptions_set_operation_timeout(
                 o, operation_timeout_ms, errstr, sizeof(errstr))) ||
            (validate_only >= 0 &&
             rd_kafka_AdminOptions_set_validate_only(o, validate_only, errstr,
                                                     sizeof(errstr)))) {
                rd_kafka_AdminOptions_destroy(o);
                napi_throw_range_error(env, NULL, errstr);
                return NULL;
        }
        return o;
}

/* Sends the request to one broker instead of librdkafka's default target (the
 * controller the metadata names, which after a broker died may be that dead
 * broker). broker_id < 0 keeps the default. */
static bool set_target_broker(napi_env env, rd_kafka_AdminOptions_t *o,
                              int broker_id) {
        char errstr[ERRSTR_SIZE];
        if (broker_id < 0)
                return true;
        if (rd_kafka_AdminOptions_set_broker(o, broker_id, errstr,
                                             sizeof(errstr))) {
                napi_throw_range_error(env, NULL, errstr);
                return false;
        }
        return true;
}

/* Registers a request: creates its promise, counts it as pending and sets it
 * as the options' opaque. Nothing can fail after this except the request
 * itself, which then reports through the result event. */
static op_t *op_begin(napi_env env, handle_t *h, napi_value handle_value,
                      op_kind_t kind, rd_kafka_AdminOptions_t *options,
                      napi_value *promise) {
        op_t *op = calloc(1, sizeof(*op));
        if (!op) {
                napi_throw_error(env, NULL, "kafkit_admin: out of memory");
                return NULL;
        }
        op->h    = h;
        op->kind = kind;
        if (napi_create_promise(env, &op->deferred, promise) != napi_ok ||
            napi_create_reference(env, handle_value, 1, &op->keep) != napi_ok) {
                /* A created but never settled deferred is collected with its
                 * promise. */
                throw_napi_failure(env, "napi_create_promise");
                free(op);
                return NULL;
        }
        COUNT(cnt_ops, 1);
        if (h->pending++ == 0)
                napi_ref_threadsafe_function(env, h->tsfn);
        rd_kafka_AdminOptions_set_opaque(options, op);
        return op;
}

#define CLOSED_CHECK(h)                                                        \
        do {                                                                   \
                if ((h)->closed)                                               \
                        return rejected(env, "_DESTROY",                       \
                                        "the native admin client is closed");  \
        } while (0)

/* describeCluster(handle, timeoutMs, brokerId, withAuthorizedOperations): brokerId -1
 * for the default target */
static napi_value js_describe_cluster(napi_env env, napi_callback_info info) {
        napi_value argv[4], promise;
        handle_t *h;
        int timeout, broker_id;
        bool with_ops;
        rd_kafka_AdminOptions_t *o;
        rd_kafka_error_t *error;

        if (!get_args(env, info, 4, argv, &h) ||
            !get_int_range(env, argv[1], "timeoutMs", 0, 3600000, &timeout) ||
            !get_int_range(env, argv[2], "brokerId", -1, INT32_MAX, &broker_id) ||
            !get_bool_arg(env, argv[3], &with_ops))
                return NULL;
        CLOSED_CHECK(h);
        if (!(o = make_options(env, h, RD_KAFKA_ADMIN_OP_DESCRIBECLUSTER,
                               timeout, -1, -1)))
                return NULL;
        if (!set_target_broker(env, o, broker_id)) {
                rd_kafka_AdminOptions_destroy(o);
                return NULL;
        }
        if (with_ops &&
            (error = rd_kafka_AdminOptions_set_include_authorized_operations(o, 1))) {
                napi_throw_range_error(env, NULL, rd_kafka_error_string(error));
                rd_kafka_error_destroy(error);
                rd_kafka_AdminOptions_destroy(o);
                return NULL;
        }
        if (!op_begin(env, h, argv[0], OP_DESCRIBE_CLUSTER, o, &promise)) {
                rd_kafka_AdminOptions_destroy(o);
                return NULL;
        }
        rd_kafka_DescribeCluster(h->rk, o, h->bgq);
        rd_kafka_AdminOptions_destroy(o);
        return promise;
}

static void destroy_config_resources(rd_kafka_ConfigResource_t **rs,
                                     uint32_t cnt) {
        if (!rs)
                return;
        for (uint32_t i = 0; i < cnt; i++)
                if (rs[i])
                        rd_kafka_ConfigResource_destroy(rs[i]);
        free(rs);
}

/* Builds ConfigResources from [{type, name, ops?: [{name, op, value}]}]. */
static rd_kafka_ConfigResource_t **parse_config_resources(napi_env env,
                                                          napi_value arr,
                                                          bool with_ops,
                                                          uint32_t *cntp) {
        uint32_t cnt, i, j;
        rd_kafka_ConfigResource_t **rs;

        if (!get_array(env, arr, "resources", &cnt))
                return NULL;
        if (cnt == 0) {
                napi_throw_range_error(env, NULL, "no resources given");
                return NULL;
        }
        rs = calloc(cnt, sizeof(*rs));
        if (!rs) {
                napi_throw_error(env, NULL, "kafkit_admin: out of memory");
                return NULL;
        }
        for (i = 0; i < cnt; i++) {
                napi_value r, v, ops;
                rd_kafka_ResourceType_t type;
                char *name;
                uint32_t opcnt;

                if (!get_element(env, arr, i, &r) ||
                    !get_named(env, r, "type", &v) ||
                    !parse_restype(env, v, &type) ||
                    !(name = dup_named_str(env, r, "name", "resource name")))
                        goto fail;
                rs[i] = rd_kafka_ConfigResource_new(type, name);
                free(name);
                if (!rs[i]) {
                        napi_throw_range_error(env, NULL,
                                               "invalid config resource");
                        goto fail;
                }
                if (!with_ops)
                        continue;
                if (!get_named(env, r, "ops", &ops) ||
                    !get_array(env, ops, "ops", &opcnt))
                        goto fail;
                for (j = 0; j < opcnt; j++) {
                        napi_value o, jval;
                        char *cname = NULL, *opname = NULL, *value = NULL;
                        rd_kafka_AlterConfigOpType_t optype;
                        rd_kafka_error_t *error;

                        if (!get_element(env, ops, j, &o) ||
                            !(cname = dup_named_str(env, o, "name",
                                                    "config name")))
                                goto fail;
                        if (!(opname = dup_named_str(env, o, "op", "op"))) {
                                free(cname);
                                goto fail;
                        }
                        if (!strcmp(opname, "set"))
                                optype = RD_KAFKA_ALTER_CONFIG_OP_TYPE_SET;
                        else if (!strcmp(opname, "delete"))
                                optype = RD_KAFKA_ALTER_CONFIG_OP_TYPE_DELETE;
                        else if (!strcmp(opname, "append"))
                                optype = RD_KAFKA_ALTER_CONFIG_OP_TYPE_APPEND;
                        else if (!strcmp(opname, "subtract"))
                                optype = RD_KAFKA_ALTER_CONFIG_OP_TYPE_SUBTRACT;
                        else {
                                free(cname);
                                free(opname);
                                napi_throw_type_error(
                                    env, NULL,
                                    "op must be 'set', 'delete', 'append' "
                                    "or 'subtract'");
                                goto fail;
                        }
                        free(opname);
                        if (!get_named(env, o, "value", &jval)) {
                                free(cname);
                                goto fail;
                        }
                        if (!is_nullish(env, jval) &&
                            !(value = dup_str(env, jval, "config value"))) {
                                free(cname);
                                goto fail;
                        }
                        error = rd_kafka_ConfigResource_add_incremental_config(
                            rs[i], cname, optype, value);
                        free(cname);
                        free(value);
                        if (error) {
                                napi_throw_range_error(
                                    env, NULL, rd_kafka_error_string(error));
                                rd_kafka_error_destroy(error);
                                goto fail;
                        }
                }
        }
        *cntp = cnt;
        return rs;

fail:
        destroy_config_resources(rs, cnt);
        return NULL;
}

/* describeConfigs(handle, [{type, name}], timeoutMs, brokerId): brokerId -1 for the
 * default target (a broker resource always goes to that broker) */
static napi_value js_describe_configs(napi_env env, napi_callback_info info) {
        napi_value argv[4], promise;
        handle_t *h;
        int timeout, broker_id;
        uint32_t cnt = 0;
        rd_kafka_ConfigResource_t **rs;
        rd_kafka_AdminOptions_t *o;

        if (!get_args(env, info, 4, argv, &h) ||
            !get_int_range(env, argv[2], "timeoutMs", 0, 3600000, &timeout) ||
            !get_int_range(env, argv[3], "brokerId", -1, INT32_MAX, &broker_id))
                return NULL;
        CLOSED_CHECK(h);
        if (!(rs = parse_config_resources(env, argv[1], false, &cnt)))
                return NULL;
        if (!(o = make_options(env, h, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS,
                               timeout, -1, -1)) ||
            !set_target_broker(env, o, broker_id)) {
                if (o)
                        rd_kafka_AdminOptions_destroy(o);
                destroy_config_resources(rs, cnt);
                return NULL;
        }
        if (!op_begin(env, h, argv[0], OP_DESCRIBE_CONFIGS, o, &promise)) {
                rd_kafka_AdminOptions_destroy(o);
                destroy_config_resources(rs, cnt);
                return NULL;
        }
        rd_kafka_DescribeConfigs(h->rk, rs, cnt, o, h->bgq);
        rd_kafka_AdminOptions_destroy(o);
        destroy_config_resources(rs, cnt);
        return promise;
}

/* incrementalAlterConfigs(handle, [{type, name, ops}], validateOnly, timeoutMs) */
static napi_value js_incremental_alter_configs(napi_env env,
                                               napi_callback_info info) {
        napi_value argv[4], promise;
        handle_t *h;
        int timeout;
        bool validate_only;
        uint32_t cnt = 0;
        rd_kafka_ConfigResource_t **rs;
        rd_kafka_AdminOptions_t *o;

        if (!get_args(env, info, 4, argv, &h) ||
            !get_bool_arg(env, argv[2], &validate_only) ||
            !get_int_range(env, argv[3], "timeoutMs", 0, 3600000, &timeout))
                return NULL;
        CLOSED_CHECK(h);
        if (!(rs = parse_config_resources(env, argv[1], true, &cnt)))
                return NULL;
        if (!(o = make_options(env, h,
                               RD_KAFKA_ADMIN_OP_INCREMENTALALTERCONFIGS,
                               timeout, -1, validate_only ? 1 : 0))) {
                destroy_config_resources(rs, cnt);
                return NULL;
        }
        if (!op_begin(env, h, argv[0], OP_INCREMENTAL_ALTER_CONFIGS, o,
                      &promise)) {
                rd_kafka_AdminOptions_destroy(o);
                destroy_config_resources(rs, cnt);
                return NULL;
        }
        rd_kafka_IncrementalAlterConfigs(h->rk, rs, cnt, o, h->bgq);
        rd_kafka_AdminOptions_destroy(o);
        destroy_config_resources(rs, cnt);
        return promise;
}

static void destroy_new_topics(rd_kafka_NewTopic_t **ts, uint32_t cnt) {
        if (!ts)
                return;
        for (uint32_t i = 0; i < cnt; i++)
                if (ts[i])
                        rd_kafka_NewTopic_destroy(ts[i]);
        free(ts);
}

/* createTopics(handle, [{name, partitions, replicationFactor, configs: {k: v}}],
 *              validateOnly, timeoutMs) */
static napi_value js_create_topics(napi_env env, napi_callback_info info) {
        napi_value argv[4], promise;
        handle_t *h;
        int timeout;
        bool validate_only;
        uint32_t cnt = 0, i, j;
        rd_kafka_NewTopic_t **ts = NULL;
        rd_kafka_AdminOptions_t *o;
        char errstr[ERRSTR_SIZE];

        if (!get_args(env, info, 4, argv, &h) ||
            !get_bool_arg(env, argv[2], &validate_only) ||
            !get_int_range(env, argv[3], "timeoutMs", 0, 3600000, &timeout))
                return NULL;
        CLOSED_CHECK(h);
        if (!get_array(env, argv[1], "topics", &cnt))
                return NULL;
        if (cnt == 0) {
                napi_throw_range_error(env, NULL, "no topics given");
                return NULL;
        }
        if (!(ts = calloc(cnt, sizeof(*ts)))) {
                napi_throw_error(env, NULL, "kafkit_admin: out of memory");
                return NULL;
        }
        for (i = 0; i < cnt; i++) {
                napi_value t, v, configs, keys;
                char *name;
                int partitions, rf;
                uint32_t kcnt = 0;

                if (!get_element(env, argv[1], i, &t) ||
                    !get_named(env, t, "partitions", &v) ||
                    !get_int_range(env, v, "partitions", -1, 100000,
                                   &partitions) ||
                    !get_named(env, t, "replicationFactor", &v) ||
                    !get_int_range(env, v, "replicationFactor", -1, 10000,
                                   &rf) ||
                    !(name = dup_named_str(env, t, "name", "topic name")))
                        goto fail;
                ts[i] = rd_kafka_NewTopic_new(name, partitions, rf, errstr,
                                              sizeof(errstr));
                free(name);
                if (!ts[i]) {
                        napi_throw_range_error(env, NULL, errstr);
                        goto fail;
                }
                if (!get_named(env, t, "configs", &configs))
                        goto fail;
                if (is_nullish(env, configs))
                        continue;
                if (napi_get_property_names(env, configs, &keys) != napi_ok ||
                    napi_get_array_length(env, keys, &kcnt) != napi_ok) {
                        throw_napi_failure(env, "napi_get_property_names");
                        goto fail;
                }
                for (j = 0; j < kcnt; j++) {
                        napi_value k, val;
                        char *key, *value;
                        rd_kafka_resp_err_t err;
                        if (!get_element(env, keys, j, &k) ||
                            !(key = dup_str(env, k, "config name")))
                                goto fail;
                        if (napi_get_property(env, configs, k, &val) !=
                                napi_ok ||
                            !(value = dup_str(env, val, "config value"))) {
                                free(key);
                                goto fail;
                        }
                        err = rd_kafka_NewTopic_set_config(ts[i], key, value);
                        free(key);
                        free(value);
                        if (err) {
                                napi_throw_range_error(env, NULL,
                                                       rd_kafka_err2str(err));
                                goto fail;
                        }
                }
        }
        /* The broker waits this long for the creation (or validation) to
         * finish; 0 would let it answer before, and librdkafka then hides
         * the broker's REQUEST_TIMED_OUT. */
        if (!(o = make_options(env, h, RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout,
                               timeout, validate_only ? 1 : 0)))
                goto fail;
        if (!op_begin(env, h, argv[0], OP_CREATE_TOPICS, o, &promise)) {
                rd_kafka_AdminOptions_destroy(o);
                goto fail;
        }
        rd_kafka_CreateTopics(h->rk, ts, cnt, o, h->bgq);
        rd_kafka_AdminOptions_destroy(o);
        destroy_new_topics(ts, cnt);
        return promise;

fail:
        destroy_new_topics(ts, cnt);
        return NULL;
}

/* deleteTopics(handle, names, timeoutMs): one request for all of them (the client library
 * sends one per topic, and the controller takes ~30 ms for each). */
static napi_value js_delete_topics(napi_env env, napi_callback_info info) {
        napi_value argv[3], promise;
        handle_t *h;
        int timeout;
        uint32_t cnt = 0, i;
        rd_kafka_DeleteTopic_t **ts = NULL;
        rd_kafka_AdminOptions_t *o;

        if (!get_args(env, info, 3, argv, &h) ||
            !get_int_range(env, argv[2], "timeoutMs", 0, 3600000, &timeout))
                return NULL;
        CLOSED_CHECK(h);
        if (!get_array(env, argv[1], "names", &cnt))
                return NULL;
        if (cnt == 0) {
                napi_throw_range_error(env, NULL, "no topics given");
                return NULL;
        }
        if (!(ts = calloc(cnt, sizeof(*ts)))) {
                napi_throw_error(env, NULL, "kafkit_admin: out of memory");
                return NULL;
        }
        for (i = 0; i < cnt; i++) {
                napi_value v;
                char *name;
                if (!get_element(env, argv[1], i, &v) ||
                    !(name = dup_str(env, v, "topic name")))
                        goto fail;
                ts[i] = rd_kafka_DeleteTopic_new(name);
                free(name);
        }
        if (!(o = make_options(env, h, RD_KAFKA_ADMIN_OP_DELETETOPICS, timeout,
                               timeout, -1)))
                goto fail;
        if (!op_begin(env, h, argv[0], OP_DELETE_TOPICS, o, &promise)) {
                rd_kafka_AdminOptions_destroy(o);
                goto fail;
        }
        rd_kafka_DeleteTopics(h->rk, ts, cnt, o, h->bgq);
        rd_kafka_AdminOptions_destroy(o);
        rd_kafka_DeleteTopic_destroy_array(ts, cnt);
        free(ts);
        return promise;

fail:
        for (i = 0; i < cnt; i++)
                if (ts[i])
                        rd_kafka_DeleteTopic_destroy(ts[i]);
        free(ts);
        return NULL;
}

/* [{topic, partition, offset?}] -> topic partition list */
static rd_kafka_topic_partition_list_t *
parse_partitions(napi_env env, napi_value arr, bool with_offset) {
        uint32_t cnt, i;
        rd_kafka_topic_partition_list_t *l;

        if (!get_array(env, arr, "partitions", &cnt))
                return NULL;
        if (cnt == 0) {
                napi_throw_range_error(env, NULL, "no partitions given");
                return NULL;
        }
        l = rd_kafka_topic_partition_list_new((int)cnt);
        for (i = 0; i < cnt; i++) {
                napi_value p, v;
                char *topic;
                int partition;
                int64_t offset = RD_KAFKA_OFFSET_INVALID;
                if (!get_element(env, arr, i, &p) ||
                    !get_named(env, p, "partition", &v) ||
                    !get_int_range(env, v, "partition", 0, INT32_MAX,
                                   &partition) ||
                    (with_offset &&
                     !get_named_i64(env, p, "offset", "offset", &offset)))
                        goto fail;
                if (with_offset && offset < 0) {
                        napi_throw_range_error(
                            env, NULL, "offset must be a non-negative number");
                        goto fail;
                }
                if (!(topic = dup_named_str(env, p, "topic", "topic")))
                        goto fail;
                rd_kafka_topic_partition_list_add(l, topic, partition)
                    ->offset = offset;
                free(topic);
        }
        return l;

fail:
        rd_kafka_topic_partition_list_destroy(l);
        return NULL;
}

/* alterConsumerGroupOffsets(handle, group, [{topic, partition, offset}], timeoutMs) with `alter`,
 * deleteConsumerGroupOffsets(handle, group, [{topic, partition}], timeoutMs) without. */
static napi_value group_offsets_call(napi_env env, napi_callback_info info, bool alter) {
        napi_value argv[4], promise;
        handle_t *h;
        int timeout;
        char *group;
        rd_kafka_topic_partition_list_t *parts;
        rd_kafka_AdminOptions_t *o;

        if (!get_args(env, info, 4, argv, &h) ||
            !get_int_range(env, argv[3], "timeoutMs", 0, 3600000, &timeout))
                return NULL;
        CLOSED_CHECK(h);
        if (!(group = dup_str(env, argv[1], "group")))
                return NULL;
        if (!(parts = parse_partitions(env, argv[2], alter))) {
                free(group);
                return NULL;
        }
        o = make_options(env, h,
                         alter ? RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS
                               : RD_KAFKA_ADMIN_OP_DELETECONSUMERGROUPOFFSETS,
                         timeout, -1, -1);
        if (o && !op_begin(env, h, argv[0], alter ? OP_ALTER_GROUP_OFFSETS : OP_DELETE_GROUP_OFFSETS, o, &promise)) {
                rd_kafka_AdminOptions_destroy(o);
                o = NULL;
        }
        if (o && alter) {
                rd_kafka_AlterConsumerGroupOffsets_t *req = rd_kafka_AlterConsumerGroupOffsets_new(group, parts);
                rd_kafka_AlterConsumerGroupOffsets(h->rk, &req, 1, o, h->bgq);
                rd_kafka_AlterConsumerGroupOffsets_destroy(req);
        } else if (o) {
                rd_kafka_DeleteConsumerGroupOffsets_t *req = rd_kafka_DeleteConsumerGroupOffsets_new(group, parts);
                rd_kafka_DeleteConsumerGroupOffsets(h->rk, &req, 1, o, h->bgq);
                rd_kafka_DeleteConsumerGroupOffsets_destroy(req);
        }
        if (o)
                rd_kafka_AdminOptions_destroy(o);
        free(group);
        rd_kafka_topic_partition_list_destroy(parts);
        return o ? promise : NULL;
}

static napi_value js_alter_group_offsets(napi_env env, napi_callback_info info) {
        return group_offsets_call(env, info, true);
}

static napi_value js_delete_group_offsets(napi_env env, napi_callback_info info) {
        return group_offsets_call(env, info, false);
}

/* describeConsumerGroups(handle, groups, timeoutMs): one result per group (librdkafka asks
 * each group's coordinator). */
static napi_value js_describe_groups(napi_env env, napi_callback_info info) {
        napi_value argv[3], promise = NULL;
        handle_t *h;
        int timeout;
        uint32_t cnt = 0, i;
        char **groups = NULL;
        rd_kafka_AdminOptions_t *o = NULL;

        if (!get_args(env, info, 3, argv, &h) ||
            !get_int_range(env, argv[2], "timeoutMs", 0, 3600000, &timeout))
                return NULL;
        CLOSED_CHECK(h);
        if (!get_array(env, argv[1], "groups", &cnt))
                return NULL;
        if (cnt == 0) {
                napi_throw_range_error(env, NULL, "no groups given");
                return NULL;
        }
        if (!(groups = calloc(cnt, sizeof(*groups)))) {
                napi_throw_error(env, NULL, "kafkit_admin: out of memory");
                return NULL;
        }
        for (i = 0; i < cnt; i++) {
                napi_value v;
                if (!get_element(env, argv[1], i, &v) ||
                    !(groups[i] = dup_str(env, v, "group")))
                        goto done;
        }
        if (!(o = make_options(env, h, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS,
                               timeout, -1, -1)))
                goto done;
        if (!op_begin(env, h, argv[0], OP_DESCRIBE_GROUPS, o, &promise)) {
                promise = NULL;
                goto done;
        }
        rd_kafka_DescribeConsumerGroups(h->rk, (const char **)groups, cnt, o,
                                        h->bgq);

done:
        if (o)
                rd_kafka_AdminOptions_destroy(o);
        for (i = 0; i < cnt; i++)
                free(groups[i]);
        free(groups);
        return promise;
}


/* An ACL binding or filter from {resourceType, name, patternType, principal,
 * host, operation, permission} (name, principal, host: null in a filter for
 * "any"). librdkafka validates the combination; its reason is the error. */
static rd_kafka_AclBinding_t *parse_acl(napi_env env, napi_value obj,
                                        bool filter) {
        napi_value v;
        int restype, pattern, operation, permission;
        char *name = NULL, *principal = NULL, *host = NULL;
        char errstr[ERRSTR_SIZE];
        rd_kafka_AclBinding_t *acl = NULL;
        const char *keys[3] = {"name", "principal", "host"};
        char **dst[3]       = {&name, &principal, &host};

        if (!get_named(env, obj, "resourceType", &v) ||
            !get_int_range(env, v, "resourceType", 0, 127, &restype) ||
            !get_named(env, obj, "patternType", &v) ||
            !get_int_range(env, v, "patternType", 0, 127, &pattern) ||
            !get_named(env, obj, "operation", &v) ||
            !get_int_range(env, v, "operation", 0, 127, &operation) ||
            !get_named(env, obj, "permission", &v) ||
            !get_int_range(env, v, "permission", 0, 127, &permission))
                return NULL;
        for (int i = 0; i < 3; i++) {
                if (!get_named(env, obj, keys[i], &v))
                        goto done;
                if (!is_nullish(env, v) && !(*dst[i] = dup_str(env, v, keys[i])))
                        goto done;
        }
        errstr[0] = '\0';
        acl = filter ? rd_kafka_AclBindingFilter_new(
                           (rd_kafka_ResourceType_t)restype, name,
                           (rd_kafka_ResourcePatternType_t)pattern, principal,
                           host, (rd_kafka_AclOperation_t)operation,
                           (rd_kafka_AclPermissionType_t)permission, errstr,
                           sizeof(errstr))
                     : rd_kafka_AclBinding_new(
                           (rd_kafka_ResourceType_t)restype, name,
                           (rd_kafka_ResourcePatternType_t)pattern, principal,
                           host, (rd_kafka_AclOperation_t)operation,
                           (rd_kafka_AclPermissionType_t)permission, errstr,
                           sizeof(errstr));
        if (!acl)
                throw_coded(env, "ERR_KAFKIT_ACL",
                            *errstr ? errstr : "invalid ACL binding");
done:
        free(name);
        free(principal);
        free(host);
        return acl;
}

static void destroy_acls(rd_kafka_AclBinding_t **as, uint32_t cnt) {
        if (!as)
                return;
        for (uint32_t i = 0; i < cnt; i++)
                if (as[i])
                        rd_kafka_AclBinding_destroy(as[i]);
        free(as);
}

static rd_kafka_AclBinding_t **parse_acls(napi_env env, napi_value arr,
                                          bool filter, uint32_t *cntp) {
        uint32_t cnt, i;
        rd_kafka_AclBinding_t **as;
        if (!get_array(env, arr, "acls", &cnt))
                return NULL;
        if (cnt == 0) {
                napi_throw_range_error(env, NULL, "no ACLs given");
                return NULL;
        }
        if (!(as = calloc(cnt, sizeof(*as)))) {
                napi_throw_error(env, NULL, "kafkit_admin: out of memory");
                return NULL;
        }
        for (i = 0; i < cnt; i++) {
                napi_value o;
                if (!get_element(env, arr, i, &o) ||
                    !(as[i] = parse_acl(env, o, filter))) {
                        destroy_acls(as, cnt);
                        return NULL;
                }
        }
        *cntp = cnt;
        return as;
}

/* createAcls(handle, [binding], timeoutMs), deleteAcls(handle, [filter], timeoutMs) */
static napi_value acls_call(napi_env env, napi_callback_info info, bool create) {
        napi_value argv[3], promise;
        handle_t *h;
        int timeout;
        uint32_t cnt = 0;
        rd_kafka_AclBinding_t **as;
        rd_kafka_AdminOptions_t *o;

        if (!get_args(env, info, 3, argv, &h) ||
            !get_int_range(env, argv[2], "timeoutMs", 0, 3600000, &timeout))
                return NULL;
        CLOSED_CHECK(h);
        if (!(as = parse_acls(env, argv[1], !create, &cnt)))
                return NULL;
        if (!(o = make_options(env, h,
                               create ? RD_KAFKA_ADMIN_OP_CREATEACLS
                                      : RD_KAFKA_ADMIN_OP_DELETEACLS,
                               timeout, -1, -1))) {
                destroy_acls(as, cnt);
                return NULL;
        }
        if (!op_begin(env, h, argv[0], create ? OP_CREATE_ACLS : OP_DELETE_ACLS,
                      o, &promise)) {
                rd_kafka_AdminOptions_destroy(o);
                destroy_acls(as, cnt);
                return NULL;
        }
        if (create)
                rd_kafka_CreateAcls(h->rk, as, cnt, o, h->bgq);
        else
                rd_kafka_DeleteAcls(h->rk, as, cnt, o, h->bgq);
        rd_kafka_AdminOptions_destroy(o);
        destroy_acls(as, cnt);
        return promise;
}

static napi_value js_create_acls(napi_env env, napi_callback_info info) {
        return acls_call(env, info, true);
}

static napi_value js_delete_acls(napi_env env, napi_callback_info info) {
        return acls_call(env, info, false);
}

/* describeAcls(handle, filter, timeoutMs) -> [binding] */
static napi_value js_describe_acls(napi_env env, napi_callback_info info) {
        napi_value argv[3], promise;
        handle_t *h;
        int timeout;
        rd_kafka_AclBinding_t *filter;
        rd_kafka_AdminOptions_t *o;

        if (!get_args(env, info, 3, argv, &h) ||
            !get_int_range(env, argv[2], "timeoutMs", 0, 3600000, &timeout))
                return NULL;
        CLOSED_CHECK(h);
        if (!(filter = parse_acl(env, argv[1], true)))
                return NULL;
        if (!(o = make_options(env, h, RD_KAFKA_ADMIN_OP_DESCRIBEACLS, timeout,
                               -1, -1))) {
                rd_kafka_AclBinding_destroy(filter);
                return NULL;
        }
        if (!op_begin(env, h, argv[0], OP_DESCRIBE_ACLS, o, &promise)) {
                rd_kafka_AdminOptions_destroy(o);
                rd_kafka_AclBinding_destroy(filter);
                return NULL;
        }
        rd_kafka_DescribeAcls(h->rk, filter, o, h->bgq);
        rd_kafka_AdminOptions_destroy(o);
        rd_kafka_AclBinding_destroy(filter);
        return promise;
}

/* describeUserScramCredentials(handle, users, timeoutMs): users [] for every user. */
static napi_value js_describe_scram(napi_env env, napi_callback_info info) {
        napi_value argv[3], promise = NULL;
        handle_t *h;
        int timeout;
        uint32_t cnt = 0, i;
        char **users = NULL;
        rd_kafka_AdminOptions_t *o = NULL;

        if (!get_args(env, info, 3, argv, &h) ||
            !get_int_range(env, argv[2], "timeoutMs", 0, 3600000, &timeout))
                return NULL;
        CLOSED_CHECK(h);
        if (!get_array(env, argv[1], "users", &cnt))
                return NULL;
        if (cnt > 0 && !(users = calloc(cnt, sizeof(*users)))) {
                napi_throw_error(env, NULL, "kafkit_admin: out of memory");
                return NULL;
        }
        for (i = 0; i < cnt; i++) {
                napi_value v;
                if (!get_element(env, argv[1], i, &v) ||
                    !(users[i] = dup_str(env, v, "user")))
                        goto done;
        }
        if (!(o = make_options(env, h,
                               RD_KAFKA_ADMIN_OP_DESCRIBEUSERSCRAMCREDENTIALS,
                               timeout, -1, -1)))
                goto done;
        if (!op_begin(env, h, argv[0], OP_DESCRIBE_SCRAM, o, &promise)) {
                promise = NULL;
                goto done;
        }
        rd_kafka_DescribeUserScramCredentials(h->rk, (const char **)users, cnt,
                                              o, h->bgq);
done:
        if (o)
                rd_kafka_AdminOptions_destroy(o);
        for (i = 0; users && i < cnt; i++)
                free(users[i]);
        free(users);
        return promise;
}

/* alterUserScramCredentials(handle, [{user, mechanism, iterations, password}],
 * timeoutMs): with a password an upsertion (librdkafka salts it with OpenSSL's
 * random bytes and sends only the salted hash), without one a deletion. The
 * password's copy is wiped before it is freed. */
static napi_value js_alter_scram(napi_env env, napi_callback_info info) {
        napi_value argv[3], promise = NULL;
        handle_t *h;
        int timeout;
        uint32_t cnt = 0, i;
        rd_kafka_UserScramCredentialAlteration_t **as = NULL;
        rd_kafka_AdminOptions_t *o = NULL;

        if (!get_args(env, info, 3, argv, &h) ||
            !get_int_range(env, argv[2], "timeoutMs", 0, 3600000, &timeout))
                return NULL;
        CLOSED_CHECK(h);
        if (!get_array(env, argv[1], "alterations", &cnt))
                return NULL;
        if (cnt == 0) {
                napi_throw_range_error(env, NULL, "no alterations given");
                return NULL;
        }
        if (!(as = calloc(cnt, sizeof(*as)))) {
                napi_throw_error(env, NULL, "kafkit_admin: out of memory");
                return NULL;
        }
        for (i = 0; i < cnt; i++) {
                napi_value a, v;
                int mechanism, iterations = 0;
                char *user = NULL, *password = NULL;
                if (!get_element(env, argv[1], i, &a) ||
                    !get_named(env, a, "mechanism", &v) ||
                    !get_int_range(env, v, "mechanism", 1, 2, &mechanism) ||
                    !(user = dup_named_str(env, a, "user", "user")))
                        goto done;
                if (!get_named(env, a, "password", &v) ||
                    (!is_nullish(env, v) &&
                     !(password = dup_str(env, v, "password")))) {
                        free(user);
                        goto done;
                }
                if (password) {
                        size_t len = strlen(password);
                        if (!get_named(env, a, "iterations", &v) ||
                            !get_int_range(env, v, "iterations", 4096, 16384,
                                           &iterations) ||
                            len == 0) {
                                if (len == 0)
                                        napi_throw_range_error(
                                            env, NULL, "the password is empty");
                                memset(password, 0, len);
                                free(password);
                                free(user);
                                goto done;
                        }
                        as[i] = rd_kafka_UserScramCredentialUpsertion_new(
                            user, (rd_kafka_ScramMechanism_t)mechanism,
                            iterations, (const unsigned char *)password, len,
                            NULL, 0);
                        memset(password, 0, len);
                        free(password);
                } else
                        as[i] = rd_kafka_UserScramCredentialDeletion_new(
                            user, (rd_kafka_ScramMechanism_t)mechanism);
                free(user);
                if (!as[i]) {
                        napi_throw_range_error(env, NULL,
                                               "invalid SCRAM credential");
                        goto done;
                }
        }
        if (!(o = make_options(env, h,
                               RD_KAFKA_ADMIN_OP_ALTERUSERSCRAMCREDENTIALS,
                               timeout, -1, -1)))
                goto done;
        if (!op_begin(env, h, argv[0], OP_ALTER_SCRAM, o, &promise)) {
                promise = NULL;
                goto done;
        }
        rd_kafka_AlterUserScramCredentials(h->rk, as, cnt, o, h->bgq);
done:
        if (o)
                rd_kafka_AdminOptions_destroy(o);
        for (i = 0; i < cnt; i++)
                if (as[i])
                        rd_kafka_UserScramCredentialAlteration_destroy(as[i]);
        free(as);
        return promise;
}


/* ------------------------------------------------------------------ */
/* create / close                                                       */
/* ------------------------------------------------------------------ */

/* create(config: {[name]: string}) -> handle */
static napi_value js_create(napi_env env, napi_callback_info info) {
        size_t argc = 1;
        napi_value argv[1], ext, name;
        rd_kafka_conf_t *conf;
        handle_t *h;
        bool debug = false;

        if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) {
                napi_throw_type_error(env, NULL, "config must be an object of strings");
                return NULL;
        }
        if (!(conf = kafkit_conf_from_js(env, argv[0], "kafkit", &debug)))
                return NULL;

        /* librdkafka logs to stderr from its own threads by default; a CLI's
         * stderr is for its own messages. Errors still reach us as events.
         * With `debug` set, keep the default logger (that is what it is for). */
        if (!debug)
                rd_kafka_conf_set_log_cb(conf, NULL);
        rd_kafka_conf_set_background_event_cb(conf, background_event_cb);

        h = calloc(1, sizeof(*h));
        if (!h) {
                rd_kafka_conf_destroy(conf);
                napi_throw_error(env, NULL, "kafkit_admin: out of memory");
                return NULL;
        }
        pthread_mutex_init(&h->lock, NULL);
        COUNT(cnt_handles, 1);
        rd_kafka_conf_set_opaque(conf, h);

        /* The threadsafe function first: the background thread may need it as
         * soon as rd_kafka_new() returns. */
        if (napi_create_string_utf8(env, "kafkit_admin", NAPI_AUTO_LENGTH,
                                    &name) != napi_ok ||
            napi_create_threadsafe_function(env, NULL, NULL, name, 0, 1, h,
                                            tsfn_finalize, h, call_js,
                                            &h->tsfn) != napi_ok) {
                throw_napi_failure(env, "napi_create_threadsafe_function");
                rd_kafka_conf_destroy(conf);
                pthread_mutex_destroy(&h->lock);
                free(h);
                COUNT(cnt_handles, -1);
                return NULL;
        }
        h->tsfn_alive = true;
        h->tsfn_open  = true;
        napi_unref_threadsafe_function(env, h->tsfn);

        h->rk = kafkit_client_new(env, RD_KAFKA_PRODUCER, conf, argv[0]);
        if (!h->rk) {
                /* tsfn_finalize frees h. */
                h->destroy_state = DESTROY_DONE;
                handle_close_tsfn_gate(h);
                napi_release_threadsafe_function(h->tsfn, napi_tsfn_abort);
                return NULL;
        }
        COUNT(cnt_rk, 1);
        h->bgq = rd_kafka_queue_get_background(h->rk);
        {
                /* Error events (connection, authentication) to the background
                 * thread too, so they are seen and do not pile up. */
                rd_kafka_queue_t *mainq = rd_kafka_queue_get_main(h->rk);
                rd_kafka_queue_forward(mainq, h->bgq);
                rd_kafka_queue_destroy(mainq);
        }

        if (napi_create_external(env, h, handle_finalize, NULL, &ext) !=
            napi_ok) {
                throw_napi_failure(env, "napi_create_external");
                handle_close_tsfn_gate(h);
                handle_destroy_rk(h);
                h->destroy_state = DESTROY_DONE;
                napi_release_threadsafe_function(h->tsfn, napi_tsfn_abort);
                return NULL;
        }
        h->js_alive = true;
        return ext;
}

/* close(handle) -> Promise<void>, settled once librdkafka is destroyed.
 * Running requests finish first. Idempotent. */
static napi_value js_close(napi_env env, napi_callback_info info) {
        napi_value argv[1], promise;
        handle_t *h;
        napi_deferred d;

        if (!get_args(env, info, 1, argv, &h))
                return NULL;
        if (napi_create_promise(env, &d, &promise) != napi_ok) {
                throw_napi_failure(env, "napi_create_promise");
                return NULL;
        }
        if (h->destroy_state == DESTROY_DONE) {
                napi_value undef;
                napi_get_undefined(env, &undef);
                napi_resolve_deferred(env, d, undef);
                return promise;
        }
        {
                napi_deferred *nd =
                    realloc(h->close_deferreds,
                            (h->close_deferred_cnt + 1) * sizeof(*nd));
                if (!nd) {
                        napi_value e = make_error(env, "_FAIL", "out of memory");
                        napi_reject_deferred(env, d, e);
                        return promise;
                }
                h->close_deferreds                          = nd;
                h->close_deferreds[h->close_deferred_cnt++] = d;
        }
        if (!h->closed) {
                h->closed = true;
                if (h->pending == 0)
                        handle_start_destroy(env, h);
        }
        return promise;
}

/* Live librdkafka handles, handle structs and requests of this addon. */
static napi_value js_counters(napi_env env, napi_callback_info info) {
        napi_value o;
        if (napi_create_object(env, &o) != napi_ok ||
            !set_num(env, o, "clients", COUNT(cnt_rk, 0)) ||
            !set_num(env, o, "handles", COUNT(cnt_handles, 0)) ||
            !set_num(env, o, "requests", COUNT(cnt_ops, 0)))
                return NULL;
        return o;
}

static napi_value init(napi_env env, napi_value exports) {
        napi_property_descriptor props[] = {
            {"create", NULL, js_create, NULL, NULL, NULL, napi_enumerable, NULL},
            {"close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
            {"versions", NULL, js_versions, NULL, NULL, NULL, napi_enumerable,
             NULL},
            {"counters", NULL, js_counters, NULL, NULL, NULL, napi_enumerable,
             NULL},
            {"describeCluster", NULL, js_describe_cluster, NULL, NULL, NULL,
             napi_enumerable, NULL},
            {"describeConfigs", NULL, js_describe_configs, NULL, NULL, NULL,
             napi_enumerable, NULL},
            {"incrementalAlterConfigs", NULL, js_incremental_alter_configs,
             NULL, NULL, NULL, napi_enumerable, NULL},
            {"createTopics", NULL, js_create_topics, NULL, NULL, NULL,
             napi_enumerable, NULL},
            {"deleteTopics", NULL, js_delete_topics, NULL, NULL, NULL,
             napi_enumerable, NULL},
            {"alterConsumerGroupOffsets", NULL, js_alter_group_offsets, NULL,
             NULL, NULL, napi_enumerable, NULL},
            {"deleteConsumerGroupOffsets", NULL, js_delete_group_offsets, NULL,
             NULL, NULL, napi_enumerable, NULL},
            {"describeConsumerGroups", NULL, js_describe_groups, NULL, NULL,
             NULL, napi_enumerable, NULL},
            {"createAcls", NULL, js_create_acls, NULL, NULL, NULL,
             napi_enumerable, NULL},
            {"describeAcls", NULL, js_describe_acls, NULL, NULL, NULL,
             napi_enumerable, NULL},
            {"deleteAcls", NULL, js_delete_acls, NULL, NULL, NULL,
             napi_enumerable, NULL},
            {"describeUserScramCredentials", NULL, js_describe_scram, NULL,
             NULL, NULL, napi_enumerable, NULL},
            {"alterUserScramCredentials", NULL, js_alter_scram, NULL, NULL,
             NULL, napi_enumerable, NULL},
        };

        napi_value contract;
        if (!init_module(env, exports, props, sizeof(props) / sizeof(props[0])) ||
            !define_contract(env, exports, ADMIN_CONTRACT_VERSION, &contract))
                return NULL;
        return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
