"""Publish throughput on one local Kafka broker: meteoflow's KafkaLog vs kafka-python vs kcat -P.

All three publish the same messages (the bundled recording's raw API responses, keyed by
location id, repeated until there are --messages of them) to fresh topics with the same
partition count, with the same producer settings: acks=all, idempotence on where the client
has it, linger 5 ms. meteoflow and kcat are timed as whole processes streaming the input file
(start, connect, publish, wait for every acknowledgement); kafka-python reads the file first,
untimed, then is timed from its first send to the end of its flush. Each run ends when every message is acknowledged; the broker's end
offsets are then checked against the count, and the topic is deleted. The clients take turns
for --rounds rounds (the broker's own pace varies from run to run); the table gives each
client's median and its range, and the ratios of the medians.

    make bench-kafka            # starts tools/kafka if needed, 1,000,000 messages
    .venv/bin/python bench/kafka_publish.py --bootstrap 127.0.0.1:9092 --messages 1000000
"""
import argparse
import json
import pathlib
import statistics
import subprocess
import tempfile
import time
import uuid

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic

ROOT = pathlib.Path(__file__).resolve().parents[1]
RECORDINGS = [ROOT / "data" / "demo" / "recording" / f for f in ("openmeteo.jsonl", "openweathermap.jsonl")]


def recorded_messages():
    out = []
    for path in RECORDINGS:
        with open(path, encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                out.append((record["location_id"], json.dumps(record["response"], separators=(",", ":"))))
    return out


def write_input(path, count):
    base = recorded_messages()
    total = 0
    with open(path, "w", encoding="utf-8") as f:
        for i in range(count):
            key, value = base[i % len(base)]
            f.write(f"{key}\t{value}\n")
            total += len(key) + len(value)
    return total


def read_input(path):
    with open(path, "rb") as f:
        return [tuple(line.rstrip(b"\n").split(b"\t", 1)) for line in f]


def create_topic(bootstrap, name, partitions):
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1)])
    admin.close()


def delete_topic(bootstrap, name):
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.delete_topics([name])
    admin.close()


def end_offset_sum(bootstrap, topic, partitions):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    parts = [TopicPartition(topic, p) for p in range(partitions)]
    total = sum(consumer.end_offsets(parts).values())
    consumer.close()
    return total


def run_meteoflow(bootstrap, topic, partitions, input_path, binary):
    start = time.perf_counter()
    out = subprocess.run([binary, bootstrap, topic, str(partitions), input_path], capture_output=True, text=True,
                         check=True)
    seconds = time.perf_counter() - start
    assert json.loads(out.stdout)["messages"] > 0
    return seconds


def run_kafka_python(bootstrap, topic, input_path):
    messages = read_input(input_path)  # not timed, like the others
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5, enable_idempotence=True)
    start = time.perf_counter()
    for key, value in messages:
        producer.send(topic, key=key, value=value)
    producer.flush()
    seconds = time.perf_counter() - start
    producer.close()
    return seconds


def run_kcat(bootstrap, topic, input_path):
    start = time.perf_counter()
    subprocess.run(["kcat", "-P", "-b", bootstrap, "-t", topic, "-K", "\t", "-X", "acks=all", "-X",
                    "enable.idempotence=true", "-X", "linger.ms=5", "-l", input_path], check=True)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--binary", default=str(ROOT / "build" / "bench" / "kafka_publish_bench"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        input_path = str(pathlib.Path(tmp) / "messages.tsv")
        payload = write_input(input_path, args.messages)
        print(f"{args.messages} messages, {payload / 1e6:.1f} MB of keys+values, {args.partitions} partitions, "
              f"broker {args.bootstrap}")
        runners = {
            "meteoflow KafkaLog": lambda t: run_meteoflow(args.bootstrap, t, args.partitions, input_path, args.binary),
            "kafka-python": lambda t: run_kafka_python(args.bootstrap, t, input_path),
            "kcat -P": lambda t: run_kcat(args.bootstrap, t, input_path),
        }
        seconds = {name: [] for name in runners}
        for round_number in range(1, args.rounds + 1):
            for name, run in runners.items():
                topic = "bench_" + uuid.uuid4().hex[:10]
                create_topic(args.bootstrap, topic, args.partitions)
                took = run(topic)
                stored = end_offset_sum(args.bootstrap, topic, args.partitions)
                delete_topic(args.bootstrap, topic)
                if stored != args.messages:
                    raise SystemExit(f"{name}: broker holds {stored} messages, expected {args.messages}")
                seconds[name].append(took)
                print(f"  round {round_number}: {name:<20} {took:8.2f} s", flush=True)
        rates = {}
        print(f"{'client':<20} {'median s':>9} {'msgs/s':>12} {'MB/s':>7}   range (s)")
        for name, runs in seconds.items():
            median = statistics.median(runs)
            rates[name] = args.messages / median
            print(f"{name:<20} {median:9.2f} {rates[name]:12,.0f} {payload / median / 1e6:7.1f}   "
                  f"{min(runs):.2f}-{max(runs):.2f}")
        ours = rates["meteoflow KafkaLog"]
        print(f"ratio meteoflow / kafka-python: {ours / rates['kafka-python']:.1f}x")
        print(f"ratio meteoflow / kcat -P:      {ours / rates['kcat -P'] * 100:.0f} %")


if __name__ == "__main__":
    main()
