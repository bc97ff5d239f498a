/*
 * kafkit_config.h: the one client-config builder of kafkit's extensions. It turns a JS object of
 * strings into an rd_kafka_conf_t and creates the client, and its errors never show a value: a
 * secret given to the wrong property (or a bad value for a secret one) stays out of the message.
 */
#ifndef KAFKIT_CONFIG_H
#define KAFKIT_CONFIG_H

#include <node_api.h>
#include <librdkafka/rdkafka.h>

#include <stdbool.h>

/*
 * A new librdkafka config from `config` ({name: string}), with client.id preset to
 * `client_id` when that is not NULL (the object may override it). `*debug` (when not NULL)
 * says whether the `debug` property is set. On failure: NULL, with an Error thrown whose code
 * is ERR_KAFKIT_CONFIG, whose `property` names the offending property and whose message never
 * contains the value.
 */
rd_kafka_conf_t *kafkit_conf_from_js(napi_env env, napi_value config, const char *client_id, bool *debug);

/*
 * rd_kafka_new with the same error rule: ERR_KAFKIT_CONFIG, and the values of `config`'s
 * secret-looking properties masked. On failure `conf` is destroyed and NULL returned with the
 * error thrown; on success librdkafka owns it.
 */
rd_kafka_t *kafkit_client_new(napi_env env, rd_kafka_type_t type, rd_kafka_conf_t *conf, napi_value config);

#endif
