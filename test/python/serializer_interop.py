"""Serializer interop with kafkit, driven by test/integration/python-interop.test.ts.

check BOOTSTRAP TOPIC SPEC_JSON
    Reads the topic kafkit produced (partition 0, from the start) with confluent-kafka's
    consumer. For every record, prints one JSON line: the raw key and value bytes (hex), the
    bytes confluent-kafka's and QuixStreams' serializers make of the source values in SPEC_JSON,
    and what QuixStreams' deserializers read back.

produce BOOTSTRAP TOPIC SPEC_JSON
    Writes SPEC_JSON's records with QuixStreams' serializers through confluent-kafka's producer,
    for kafkit to read.

SPEC_JSON: {"key": FORMAT, "value": FORMAT, "records": [[key, value], ...]} with FORMAT one of
int, double, str, json, bytes (bytes values are hex strings).
"""
import json
import sys
import warnings

warnings.filterwarnings("ignore")

from confluent_kafka import Consumer, Producer, TopicPartition  # noqa: E402
from confluent_kafka import serialization as ck  # noqa: E402
from quixstreams.models import serializers as qx  # noqa: E402

QUIX_SERIALIZERS = {
    "int": qx.IntegerSerializer,
    "double": qx.DoubleSerializer,
    "str": qx.StringSerializer,
    "json": qx.JSONSerializer,
    "bytes": qx.BytesSerializer,
}
QUIX_DESERIALIZERS = {
    "int": qx.IntegerDeserializer,
    "double": qx.DoubleDeserializer,
    "str": qx.StringDeserializer,
    "json": qx.JSONDeserializer,
    "bytes": qx.BytesDeserializer,
}
CONFLUENT_SERIALIZERS = {
    "int": lambda: ck.IntegerSerializer(),
    "double": lambda: ck.DoubleSerializer(),
    "str": lambda: ck.StringSerializer("utf_8"),
}


def source(fmt, value):
    return bytes.fromhex(value) if fmt == "bytes" else value


def hexed(data):
    return None if data is None else data.hex()


def plain(value):
    return value.hex() if isinstance(value, (bytes, bytearray)) else value


def check(bootstrap, topic, spec):
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "kafkit-interop", "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, 0, 0)])
    ctx_key = qx.SerializationContext(topic=topic, field="key")
    ctx_value = qx.SerializationContext(topic=topic, field="value")
    for key, value in spec["records"]:
        message = consumer.poll(20)
        if message is None or message.error():
            raise SystemExit(f"no record to read: {message.error() if message else 'timeout'}")
        row = {"key": hexed(message.key()), "value": hexed(message.value())}
        for field, fmt, src, ctx in (("key", spec["key"], key, ctx_key), ("value", spec["value"], value, ctx_value)):
            row[f"quix_{field}"] = hexed(QUIX_SERIALIZERS[fmt]()(source(fmt, src), ctx))
            if fmt in CONFLUENT_SERIALIZERS:
                row[f"confluent_{field}"] = hexed(CONFLUENT_SERIALIZERS[fmt]()(source(fmt, src)))
            raw = message.key() if field == "key" else message.value()
            row[f"quix_read_{field}"] = plain(QUIX_DESERIALIZERS[fmt]()(raw, ctx))
        print(json.dumps(row), flush=True)
    consumer.close()


def produce(bootstrap, topic, spec):
    producer = Producer({"bootstrap.servers": bootstrap})
    ctx_key = qx.SerializationContext(topic=topic, field="key")
    ctx_value = qx.SerializationContext(topic=topic, field="value")
    for key, value in spec["records"]:
        producer.produce(
            topic,
            partition=0,
            key=QUIX_SERIALIZERS[spec["key"]]()(source(spec["key"], key), ctx_key),
            value=QUIX_SERIALIZERS[spec["value"]]()(source(spec["value"], value), ctx_value),
        )
    if producer.flush(20) != 0:
        raise SystemExit("records were not delivered")


if __name__ == "__main__":
    command, bootstrap, topic, spec_json = sys.argv[1:5]
    {"check": check, "produce": produce}[command](bootstrap, topic, json.loads(spec_json))
