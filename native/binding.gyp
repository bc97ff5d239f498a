# kafkit's own N-API addon for the admin calls @confluentinc/kafka-javascript lacks.
# It links the librdkafka.so that package built (build/deps), never the system one:
# the include and library directories are resolved here through Node's module resolution,
# and the runpath is relative ($ORIGIN) from build/Release to that directory.
{
  "variables": {
    "rdkafka_deps_dir": "<!(node -p \"const p=require('path'),fs=require('fs');fs.realpathSync(p.join(p.dirname(require.resolve('@confluentinc/kafka-javascript/package.json')),'build','deps'))\")",
    "rdkafka_deps_rel": "<!(node -p \"const p=require('path'),fs=require('fs');p.relative(p.join(fs.realpathSync('.'),'build','Release'),fs.realpathSync(p.join(p.dirname(require.resolve('@confluentinc/kafka-javascript/package.json')),'build','deps')))\")"
  },
  "targets": [
    {
      "target_name": "kafkit_produce",
      "sources": ["src/kafkit_produce.c"],
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
    {
      "target_name": "kafkit_consume",
      "sources": ["src/kafkit_consume.c"],
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
    {
      "target_name": "kafkit_admin",
      "sources": ["src/kafkit_admin.c"],
      "include_dirs": ["<(rdkafka_deps_dir)/include"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-ignored-qualifiers", "-Werror=implicit-function-declaration"],
      "libraries": [
        "-L<(rdkafka_deps_dir)",
        "-lrdkafka",
        "-Wl,-rpath,'$$ORIGIN/<(rdkafka_deps_rel)'",
        "-lpthread"
      ]
    }
  ]
}
