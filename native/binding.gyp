# kafkit's three N-API extensions (native/src): kafkit_admin (the admin calls the JS client lacks),
# kafkit_produce and kafkit_consume (the produce and consume hot loops). All three share
# kafkit_napi.h (N-API helpers) and kafkit_config.c (the client-config builder), and the same flags.
# They link the librdkafka.so that @confluentinc/kafka-javascript built (build/deps), never the
# system one: the include and library directories are resolved here through Node's module
# resolution (the client may sit beside kafkit or inside its node_modules), and the runpath is
# relative ($ORIGIN) from build/Release to that directory.
{
  "variables": {
    "rdkafka_deps_dir": "<!(node -p \"const p=require('path'),fs=require('fs');fs.realpathSync(p.join(p.dirname(require.resolve('@confluentinc/kafka-javascript/package.json')),'build','deps'))\")",
    "rdkafka_deps_rel": "<!(node -p \"const p=require('path'),fs=require('fs');p.relative(p.join(fs.realpathSync('.'),'build','Release'),fs.realpathSync(p.join(p.dirname(require.resolve('@confluentinc/kafka-javascript/package.json')),'build','deps')))\")"
  },
  "target_defaults": {
    "include_dirs": ["<(rdkafka_deps_dir)/include"],
    "defines": ["NAPI_VERSION=8"],
    "cflags": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-ignored-qualifiers", "-Werror=implicit-function-declaration"],
    "libraries": [
      "-L<(rdkafka_deps_dir)",
      "-lrdkafka",
      "-Wl,-rpath,'$$ORIGIN/<(rdkafka_deps_rel)'",
      "-lpthread"
    ]
  },
  "targets": [
    {"target_name": "kafkit_produce", "sources": ["src/kafkit_produce.c", "src/kafkit_config.c"]},
    {"target_name": "kafkit_consume", "sources": ["src/kafkit_consume.c", "src/kafkit_config.c"]},
    {"target_name": "kafkit_admin", "sources": ["src/kafkit_admin.c", "src/kafkit_config.c"]}
  ]
}
