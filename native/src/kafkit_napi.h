/*
 * kafkit_napi.h: the N-API helpers kafkit's three extensions (kafkit_admin.c, kafkit_produce.c,
 * kafkit_consume.c) share: checked calls, property setters, coded errors, string copies, the
 * module's versions() and contract, and the one init step with its librdkafka check.
 */
#ifndef KAFKIT_NAPI_H
#define KAFKIT_NAPI_H

#include <node_api.h>
#include <librdkafka/rdkafka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KAFKIT_STR_(x) #x
#define KAFKIT_STR(x) KAFKIT_STR_(x)
/* "kafkit_admin", "kafkit_produce" or "kafkit_consume": node-gyp names each target's module. */
#define KAFKIT_MODULE KAFKIT_STR(NODE_GYP_MODULE_NAME)

/* Throws a generic error for a failed N-API call unless one is already pending. */
static inline void throw_napi_failure(napi_env env, const char *what) {
        bool pending = false;
        napi_is_exception_pending(env, &pending);
        if (pending)
                return;
        const napi_extended_error_info *info = NULL;
        napi_get_last_error_info(env, &info);
        char msg[256];
        snprintf(msg, sizeof(msg), KAFKIT_MODULE ": %s failed: %s", what,
                 info && info->error_message ? info->error_message : "unknown N-API error");
        napi_throw_error(env, NULL, msg);
}

/* In a function returning bool: a failed call throws and returns false. */
#define NAPI_OK(call)                                                          \
        do {                                                                   \
                if ((call) != napi_ok) {                                       \
                        throw_napi_failure(env, #call);                        \
                        return false;                                          \
                }                                                              \
        } while (0)

/* A JS string, or null for NULL. */
static inline bool make_str(napi_env env, const char *s, napi_value *out) {
        if (!s) {
                NAPI_OK(napi_get_null(env, out));
                return true;
        }
        NAPI_OK(napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, out));
        return true;
}

static inline bool set_str(napi_env env, napi_value obj, const char *key, const char *s) {
        napi_value v;
        if (!make_str(env, s, &v))
                return false;
        NAPI_OK(napi_set_named_property(env, obj, key, v));
        return true;
}

static inline bool set_num(napi_env env, napi_value obj, const char *key, double d) {
        napi_value v;
        NAPI_OK(napi_create_double(env, d, &v));
        NAPI_OK(napi_set_named_property(env, obj, key, v));
        return true;
}

static inline bool set_bool(napi_env env, napi_value obj, const char *key, bool b) {
        napi_value v;
        NAPI_OK(napi_get_boolean(env, b, &v));
        NAPI_OK(napi_set_named_property(env, obj, key, v));
        return true;
}

/* An Error object with a `code` property; NULL if it could not be made. */
static inline napi_value make_error(napi_env env, const char *code, const char *msg) {
        napi_value jcode = NULL, jmsg = NULL, err = NULL;
        if (napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &jcode) != napi_ok ||
            napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &jmsg) != napi_ok ||
            napi_create_error(env, jcode, jmsg, &err) != napi_ok)
                return NULL;
        return err;
}

/* Throws an Error with a `code` property (librdkafka's error name or ERR_KAFKIT_*). */
static inline void throw_coded(napi_env env, const char *code, const char *msg) {
        napi_value err = make_error(env, code, msg);
        if (err)
                napi_throw(env, err);
        else
                napi_throw_error(env, code, msg);
}

/* A malloc'ed copy of a JS string; NULL with a TypeError thrown otherwise. */
static inline char *dup_str(napi_env env, napi_value v, const char *what) {
        napi_valuetype t;
        size_t len = 0;
        if (napi_typeof(env, v, &t) != napi_ok || t != napi_string) {
                char msg[200];
                snprintf(msg, sizeof(msg), "%s must be a string", what);
                napi_throw_type_error(env, NULL, msg);
                return NULL;
        }
        if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) {
                throw_napi_failure(env, "napi_get_value_string_utf8");
                return NULL;
        }
        char *s = malloc(len + 1);
        if (!s) {
                napi_throw_error(env, NULL, KAFKIT_MODULE ": out of memory");
                return NULL;
        }
        if (napi_get_value_string_utf8(env, v, s, len + 1, &len) != napi_ok) {
                free(s);
                throw_napi_failure(env, "napi_get_value_string_utf8");
                return NULL;
        }
        if (strlen(s) != len) {
                char msg[200];
                snprintf(msg, sizeof(msg), "%s must not contain NUL", what);
                free(s);
                napi_throw_type_error(env, NULL, msg);
                return NULL;
        }
        return s;
}

/* The external (a handle) that a call's first argument holds; NULL when there is none. */
static inline void *first_external(napi_env env, napi_callback_info info) {
        size_t argc = 1;
        napi_value argv[1];
        void *p = NULL;
        if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
            napi_get_value_external(env, argv[0], &p) != napi_ok)
                return NULL;
        return p;
}

/* versions() -> {librdkafka, librdkafkaInt, headerInt}: the librdkafka this runs on, and the
 * one it was compiled against. */
static inline napi_value js_versions(napi_env env, napi_callback_info info) {
        napi_value o;
        if (napi_create_object(env, &o) != napi_ok || !set_str(env, o, "librdkafka", rd_kafka_version_str()) ||
            !set_num(env, o, "librdkafkaInt", rd_kafka_version()) || !set_num(env, o, "headerInt", RD_KAFKA_VERSION))
                return NULL;
        return o;
}

/*
 * exports.contract = {version, ...}: the layout this build speaks, which the TS side checks at
 * load (src/lib/native/contracts.ts) so that a stale build is refused instead of misread.
 * The caller adds its own fields to *out.
 */
static inline bool define_contract(napi_env env, napi_value exports, int version, napi_value *out) {
        NAPI_OK(napi_create_object(env, out));
        if (!set_num(env, *out, "version", version))
                return false;
        NAPI_OK(napi_set_named_property(env, exports, "contract", *out));
        return true;
}

/*
 * The module's init: refuses an older librdkafka than the headers it was built against (loaded
 * next to the system's by mistake, functions would be missing or behave differently), then
 * defines the exported functions. NULL with an error thrown on failure.
 */
static inline napi_value init_module(napi_env env, napi_value exports, const napi_property_descriptor *props,
                                     size_t count) {
        if (rd_kafka_version() < RD_KAFKA_VERSION) {
                char msg[300];
                snprintf(msg, sizeof(msg), KAFKIT_MODULE " was built against librdkafka 0x%08x but loaded librdkafka %s",
                         RD_KAFKA_VERSION, rd_kafka_version_str());
                napi_throw_error(env, "ERR_KAFKIT_LIBRDKAFKA_VERSION", msg);
                return NULL;
        }
        if (napi_define_properties(env, exports, count, props) != napi_ok) {
                throw_napi_failure(env, "napi_define_properties");
                return NULL;
        }
        return exports;
}

#endif
