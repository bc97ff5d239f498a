"""Schema Registry interop with kafkit, driven by test/integration/registry-interop.test.ts.

produce BOOTSTRAP REGISTRY TOPIC FORMAT RECORDS_JSON
    Writes RECORDS_JSON (a list of [key, value], value null for a tombstone) with confluent-kafka's
    AvroSerializer / ProtobufSerializer / JSONSerializer (FORMAT avro, protobuf, json-schema; the
    schema auto-registered under TOPIC-value), string keys. Prints the schema id it used.

consume BOOTSTRAP REGISTRY TOPIC FORMAT COUNT
    Reads COUNT records of partition 0 from the start with the matching deserializer and prints
    one JSON line per record: {"key", "value"} (bytes as base64; Protobuf as MessageToDict with
    proto field names and every field).

The schemas (one per format) are below; the Protobuf message is built at run time from a
FileDescriptorProto, as a generated class would be.
"""
import base64
import json
import sys
import warnings

warnings.filterwarnings("ignore")

from confluent_kafka import Consumer, Producer, TopicPartition  # noqa: E402
from confluent_kafka.schema_registry import SchemaRegistryClient  # noqa: E402
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer  # noqa: E402
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer  # noqa: E402
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer  # noqa: E402
from confluent_kafka.serialization import MessageField, SerializationContext, StringSerializer  # noqa: E402
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory  # noqa: E402
from google.protobuf.json_format import MessageToDict, ParseDict  # noqa: E402

AVRO_SCHEMA = json.dumps({
    "type": "record", "name": "Order", "namespace": "shop",
    "fields": [
        {"name": "id", "type": "long"},
        {"name": "name", "type": "string"},
        {"name": "amount", "type": "double"},
        {"name": "note", "type": ["null", "string"], "default": None},
        {"name": "tags", "type": {"type": "array", "items": "string"}},
        {"name": "counts", "type": {"type": "map", "values": "int"}},
        {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}},
        {"name": "raw", "type": "bytes"},
        {"name": "address", "type": {"type": "record", "name": "Address", "fields": [{"name": "city", "type": "string"}]}},
    ],
})

JSON_SCHEMA = json.dumps({
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Order",
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "address": {"type": "object", "properties": {"city": {"type": "string"}}},
        "note": {"type": ["string", "null"]},
    },
    "required": ["id", "name"],
})


def order_class():
    F = descriptor_pb2.FieldDescriptorProto
    file = descriptor_pb2.FileDescriptorProto(name="shop_order.proto", package="shop", syntax="proto3")
    status = file.enum_type.add(name="Status")
    status.value.add(name="NEW", number=0)
    status.value.add(name="PAID", number=1)
    address = file.message_type.add(name="Address")
    address.field.add(name="city", number=1, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL, json_name="city")
    order = file.message_type.add(name="Order")
    fields = [
        ("id", 1, F.TYPE_INT64, F.LABEL_OPTIONAL, None),
        ("name", 2, F.TYPE_STRING, F.LABEL_OPTIONAL, None),
        ("amount", 3, F.TYPE_DOUBLE, F.LABEL_OPTIONAL, None),
        ("tags", 4, F.TYPE_STRING, F.LABEL_REPEATED, None),
        ("status", 5, F.TYPE_ENUM, F.LABEL_OPTIONAL, ".shop.Status"),
        ("raw", 6, F.TYPE_BYTES, F.LABEL_OPTIONAL, None),
        ("address", 7, F.TYPE_MESSAGE, F.LABEL_OPTIONAL, ".shop.Address"),
    ]
    for name, number, kind, label, type_name in fields:
        field = order.field.add(name=name, number=number, type=kind, label=label, json_name=name)
        if type_name:
            field.type_name = type_name
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("shop.Order"))


def avro_in(value):
    value = dict(value)
    value["raw"] = base64.b64decode(value["raw"])
    return value


def avro_out(value):
    value = dict(value)
    if "raw" in value:
        value["raw"] = base64.b64encode(value["raw"]).decode()
    return value


def serdes(fmt, client):
    if fmt == "avro":
        return (AvroSerializer(client, AVRO_SCHEMA, lambda v, ctx: avro_in(v)),
                AvroDeserializer(client, None, lambda v, ctx: avro_out(v)))
    if fmt == "json-schema":
        return JSONSerializer(JSON_SCHEMA, client), JSONDeserializer(None, schema_registry_client=client)
    cls = order_class()
    conf = {"use.deprecated.format": False}
    to_message = lambda v, ctx: ParseDict(v, cls())  # noqa: E731
    serializer = ProtobufSerializer(cls, client, conf)
    deserializer = ProtobufDeserializer(cls, conf)
    return ((lambda v, ctx: serializer(to_message(v, ctx), ctx)),
            (lambda b, ctx: MessageToDict(deserializer(b, ctx), preserving_proto_field_name=True, always_print_fields_with_no_presence=True)))


def produce(bootstrap, registry, topic, fmt, records):
    client = SchemaRegistryClient({"url": registry})
    serializer, _ = serdes(fmt, client)
    keys = StringSerializer("utf_8")
    producer = Producer({"bootstrap.servers": bootstrap})
    ids = set()
    for key, value in records:
        ctx = SerializationContext(topic, MessageField.VALUE)
        data = None if value is None else serializer(value, ctx)
        if data is not None:
            ids.add(int.from_bytes(data[1:5], "big"))
        producer.produce(topic, key=keys(key), value=data, partition=0)
    producer.flush(30)
    print(json.dumps(sorted(ids)))


def consume(bootstrap, registry, topic, fmt, count):
    client = SchemaRegistryClient({"url": registry})
    _, deserializer = serdes(fmt, client)
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "registry-interop", "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, 0, 0)])
    seen = 0
    while seen < count:
        message = consumer.poll(20)
        if message is None:
            break
        if message.error():
            raise SystemExit(str(message.error()))
        seen += 1
        raw = message.value()
        value = None if raw is None else deserializer(raw, SerializationContext(topic, MessageField.VALUE))
        key = message.key().decode() if message.key() is not None else None
        print(json.dumps({"key": key, "value": value}))
    consumer.close()


if __name__ == "__main__":
    command, bootstrap, registry, topic, fmt, arg = sys.argv[1:7]
    if command == "produce":
        produce(bootstrap, registry, topic, fmt, json.loads(arg))
    else:
        consume(bootstrap, registry, topic, fmt, int(arg))
