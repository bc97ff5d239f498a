/* kafkit_config.c: the client-config builder shared by kafkit's extensions (see kafkit_config.h). */
#include "kafkit_config.h"
#include "kafkit_napi.h"

#include <ctype.h>

#define ERRSTR_SIZE 512
#define MASK "********"

/* A configuration error as thrown to JS: an Error with code ERR_KAFKIT_CONFIG and the
 * offending property name (never its value). */
static void throw_config_error(napi_env env, const char *property, const char *reason) {
        char msg[ERRSTR_SIZE + 300];
        napi_value e, jprop;
        if (property)
                snprintf(msg, sizeof(msg), "invalid client property '%s': %s", property, reason);
        else
                snprintf(msg, sizeof(msg), "invalid client configuration: %s", reason);
        e = make_error(env, "ERR_KAFKIT_CONFIG", msg);
        if (!e) {
                napi_throw_error(env, NULL, msg);
                return;
        }
        if (property && napi_create_string_utf8(env, property, NAPI_AUTO_LENGTH, &jprop) == napi_ok)
                napi_set_named_property(env, e, "property", jprop);
        napi_throw(env, e);
}

/* The names src/lib/secrets.ts treats as secret, and a little more. */
static bool looks_sensitive(const char *name) {
        static const char *const words[] = {"password", "secret", "jaas", "token", "key", "credential", "private",
                                            "sasl.oauthbearer.config"};
        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
                if (strstr(name, words[i]))
                        return true;
        return false;
}

/* Replaces every `secret` in `text` (of size `size`) by MASK. */
static void mask_in(char *text, size_t size, const char *secret) {
        size_t slen = strlen(secret), mlen = strlen(MASK);
        char *p = text;
        while ((p = strstr(p, secret))) {
                size_t tail = strlen(p + slen);
                if ((size_t)(p - text) + mlen >= size) {
                        *p = '\0';
                        return;
                }
                if ((size_t)(p - text) + mlen + tail + 1 > size)
                        tail = size - 1 - (size_t)(p - text) - mlen;
                memmove(p + mlen, p + slen, tail);
                memcpy(p, MASK, mlen);
                p[mlen + tail] = '\0';
                p += mlen;
        }
}

/* librdkafka's reason for rejecting `name`, without `value` in it. Its messages put the value
 * after `"name": ` or between double quotes. */
static void redact_reason(const char *name, const char *value, const char *errstr, char *out, size_t out_size) {
        char quoted_name[300];
        const char *p;
        size_t o = 0;

        snprintf(quoted_name, sizeof(quoted_name), "\"%s\"", name);
        for (p = errstr; *p && o + 1 < out_size;) {
                if (!strncmp(p, quoted_name, strlen(quoted_name))) {
                        /* The property name: keep it, drop a ": value" after it. */
                        size_t n = strlen(quoted_name);
                        if (o + n >= out_size)
                                break;
                        memcpy(out + o, p, n);
                        o += n;
                        p += n;
                        /* "Invalid value for configuration property \"name\": <value>"
                         * (left-trimmed value). */
                        if (!strncmp(p, ": ", 2) && value) {
                                const char *tv = value;
                                while (isspace((unsigned char)*tv))
                                        tv++;
                                if (*tv && !strncmp(p + 2, tv, strlen(tv)))
                                        p += 2 + strlen(tv);
                        }
                } else if (*p == '"') {
                        /* Any other quoted text may be (part of) the value. */
                        const char *end = strchr(p + 1, '"');
                        const char *rep = "\"<redacted>\"";
                        if (!end)
                                break;
                        if (o + strlen(rep) >= out_size)
                                break;
                        memcpy(out + o, rep, strlen(rep));
                        o += strlen(rep);
                        p = end + 1;
                } else
                        out[o++] = *p++;
        }
        out[o] = '\0';
        /* Trailing newline / spaces. */
        while (o > 0 && isspace((unsigned char)out[o - 1]))
                out[--o] = '\0';
        /* Belt and braces for secrets. */
        if (value && *value && looks_sensitive(name) && strstr(out, value))
                snprintf(out, out_size, "invalid value");
}

/* The config object's property names; false with an error thrown if it is not an object. */
static bool config_names(napi_env env, napi_value config, napi_value *names, uint32_t *count) {
        napi_valuetype t;
        if (napi_typeof(env, config, &t) != napi_ok || t != napi_object) {
                napi_throw_type_error(env, NULL, "config must be an object of strings");
                return false;
        }
        NAPI_OK(napi_get_property_names(env, config, names));
        NAPI_OK(napi_get_array_length(env, *names, count));
        return true;
}

/* One property: its name and value as malloc'ed strings; false with an error thrown. */
static bool config_entry(napi_env env, napi_value config, napi_value names, uint32_t i, char **key, char **value) {
        napi_value k, v;
        napi_valuetype t;
        *key = *value = NULL;
        if (napi_get_element(env, names, i, &k) != napi_ok) {
                throw_napi_failure(env, "napi_get_element");
                return false;
        }
        if (!(*key = dup_str(env, k, "config name")))
                return false;
        if (napi_get_property(env, config, k, &v) != napi_ok) {
                throw_napi_failure(env, "napi_get_property");
                goto fail;
        }
        if (napi_typeof(env, v, &t) != napi_ok || t != napi_string) {
                char msg[400];
                snprintf(msg, sizeof(msg), "the value must be a string (got %s)",
                         t == napi_number ? "a number" : t == napi_boolean ? "a boolean" : "something else");
                throw_config_error(env, *key, msg);
                goto fail;
        }
        if ((*value = dup_str(env, v, "config value")))
                return true;
fail:
        free(*key);
        *key = NULL;
        return false;
}

rd_kafka_conf_t *kafkit_conf_from_js(napi_env env, napi_value config, const char *client_id, bool *debug) {
        napi_value names;
        uint32_t count = 0, i;
        char errstr[ERRSTR_SIZE];
        rd_kafka_conf_t *conf;

        if (debug)
                *debug = false;
        if (!config_names(env, config, &names, &count))
                return NULL;
        conf = rd_kafka_conf_new();
        if (client_id)
                rd_kafka_conf_set(conf, "client.id", client_id, NULL, 0);
        for (i = 0; i < count; i++) {
                char *key, *value;
                if (!config_entry(env, config, names, i, &key, &value)) {
                        rd_kafka_conf_destroy(conf);
                        return NULL;
                }
                if (rd_kafka_conf_set(conf, key, value, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
                        char reason[ERRSTR_SIZE];
                        redact_reason(key, value, errstr, reason, sizeof(reason));
                        throw_config_error(env, key, reason);
                        free(key);
                        free(value);
                        rd_kafka_conf_destroy(conf);
                        return NULL;
                }
                if (debug && !strcmp(key, "debug") && *value)
                        *debug = true;
                free(key);
                free(value);
        }
        return conf;
}

rd_kafka_t *kafkit_client_new(napi_env env, rd_kafka_type_t type, rd_kafka_conf_t *conf, napi_value config) {
        char errstr[ERRSTR_SIZE];
        napi_value names;
        uint32_t count = 0, i;
        rd_kafka_t *rk = rd_kafka_new(type, conf, errstr, sizeof(errstr));
        if (rk)
                return rk;
        /* conf is still ours on failure. */
        rd_kafka_conf_destroy(conf);
        /* Its checks at creation (a PEM key, an OAUTHBEARER config) may quote what they reject. */
        if (napi_get_property_names(env, config, &names) == napi_ok && napi_get_array_length(env, names, &count) == napi_ok) {
                for (i = 0; i < count; i++) {
                        char *key, *value;
                        if (!config_entry(env, config, names, i, &key, &value)) {
                                /* Unreadable now (it was read before): mask the whole reason. */
                                napi_value ignored;
                                napi_get_and_clear_last_exception(env, &ignored);
                                snprintf(errstr, sizeof(errstr), "the client could not be created");
                                break;
                        }
                        if (looks_sensitive(key) && strlen(value) >= 3)
                                mask_in(errstr, sizeof(errstr), value);
                        free(key);
                        free(value);
                }
        }
        throw_config_error(env, NULL, errstr);
        return NULL;
}
