"""The QuixStreams peer of bench/pipe.sh: the seeds' Celsius example as a QuixStreams app.

Reads JSON values {"city", "celsius"} from SOURCE in consumer group GROUP (from the earliest
offset when the group has none), adds "fahrenheit" and "kelvin", and writes the records (key
kept) to DESTINATION with processing_guarantee="exactly-once". It stops as soon as it has
processed COUNT records (app.run(count=...)), then commits its last transaction and exits; the
timeout only ends a run that never reaches COUNT (no record for that long), so a normal run
waits for no idle time.

  python bench/pipe_quix.py --bootstrap HOST:PORT --source T --destination D --group G --count N
"""

import argparse
import logging
import tempfile

from quixstreams import Application


def celsius_to_all(value: dict) -> dict:
    celsius = value["celsius"]
    return {**value, "fahrenheit": celsius * 9 / 5 + 32, "kelvin": celsius + 273.15}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--destination", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--guarantee", default="exactly-once", choices=["exactly-once", "at-least-once"])
    parser.add_argument("--timeout", type=float, default=30.0, help="stop after this many seconds without a record")
    parser.add_argument("--commit-interval", type=float, default=None, help="seconds (default: QuixStreams' own, 5)")
    args = parser.parse_args()

    options = {}
    if args.commit_interval is not None:
        options["commit_interval"] = args.commit_interval
    with tempfile.TemporaryDirectory(prefix="kafkit-bench-quix-") as state_dir:
        app = Application(
            broker_address=args.bootstrap,
            consumer_group=args.group,
            auto_offset_reset="earliest",
            processing_guarantee=args.guarantee,
            # The benchmark creates both topics; the app must not create or change them.
            auto_create_topics=False,
            state_dir=state_dir,
            loglevel=logging.WARNING,
            **options,
        )
        source = app.topic(args.source, value_deserializer="json")
        destination = app.topic(args.destination, value_serializer="json")
        app.dataframe(source).apply(celsius_to_all).to_topic(destination)
        app.run(count=args.count, timeout=args.timeout, collect=False)


if __name__ == "__main__":
    main()
