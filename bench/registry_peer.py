"""The Python peer of bench/registry.sh: what a user of confluent-kafka would write.

consume BOOTSTRAP REGISTRY TOPIC COUNT
    A Consumer (assigned every partition from the start) + AvroDeserializer loop that writes each
    value as a JSON line to stdout, until COUNT records were read.
produce BOOTSTRAP REGISTRY TOPIC SCHEMA_FILE
    Reads JSON lines from stdin and writes each with AvroSerializer (auto-registered schema)
    through a Producer, then flushes.
"""
import json
import sys
import warnings

warnings.filterwarnings("ignore")

from confluent_kafka import Consumer, Producer, TopicPartition  # noqa: E402
from confluent_kafka.schema_registry import SchemaRegistryClient  # noqa: E402
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer  # noqa: E402
from confluent_kafka.serialization import MessageField, SerializationContext  # noqa: E402


def consume(bootstrap, registry, topic, count):
    deserializer = AvroDeserializer(SchemaRegistryClient({"url": registry}))
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "bench-registry", "enable.auto.commit": False})
    partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
    consumer.assign([TopicPartition(topic, p, 0) for p in partitions])
    ctx = SerializationContext(topic, MessageField.VALUE)
    out = sys.stdout
    seen = 0
    while seen < count:
        for message in consumer.consume(1000, 5):
            if message.error():
                continue
            out.write(json.dumps(deserializer(message.value(), ctx)) + "\n")
            seen += 1
    consumer.close()


def produce(bootstrap, registry, topic, schema_file):
    with open(schema_file) as f:
        serializer = AvroSerializer(SchemaRegistryClient({"url": registry}), f.read())
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
    ctx = SerializationContext(topic, MessageField.VALUE)
    for line in sys.stdin:
        data = serializer(json.loads(line), ctx)
        while True:
            try:
                producer.produce(topic, value=data)
                break
            except BufferError:
                producer.poll(0.1)
        producer.poll(0)
    producer.flush(60)


if __name__ == "__main__":
    command, bootstrap, registry, topic, arg = sys.argv[1:6]
    if command == "consume":
        consume(bootstrap, registry, topic, int(arg))
    else:
        produce(bootstrap, registry, topic, arg)
