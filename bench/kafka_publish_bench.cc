// kafka_publish_bench: publishes every line of a "key<TAB>value" file through KafkaLog (the
// producer meteoflow's collect stage uses) and prints one JSON line: messages, bytes, seconds.
// Like `kcat -P -l`, it streams the file while publishing; the driver times the whole process.
//
//   kafka_publish_bench <bootstrap> <topic> <partitions> <input>
#include <chrono>
#include <fstream>
#include <iostream>
#include <string>

#include "stream/kafka_log.h"

int main(int argc, char** argv) {
  using namespace meteoflow;
  if (argc != 5) {
    std::cerr << "usage: kafka_publish_bench <bootstrap> <topic> <partitions> <input>\n";
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  KafkaConfig config;
  config.bootstrap_servers = argv[1];
  config.partitions = std::stoi(argv[3]);
  auto log = KafkaLog::Open(config);
  if (!log.ok()) {
    std::cerr << "kafka_publish_bench: " << log.status().ToString() << "\n";
    return 1;
  }
  std::ifstream in(argv[4]);
  if (!in) {
    std::cerr << "kafka_publish_bench: cannot open " << argv[4] << "\n";
    return 2;
  }
  const std::string topic = argv[2];
  const Timestamp now = Timestamp::Now();
  size_t messages = 0, bytes = 0;
  for (std::string line; std::getline(in, line);) {
    const size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    const Status s = (*log)->Publish(topic, line.substr(0, tab), line.substr(tab + 1), now);
    if (!s.ok()) {
      std::cerr << "kafka_publish_bench: " << s.ToString() << "\n";
      return 1;
    }
    ++messages;
    bytes += line.size() - 1;
  }
  if (Status s = (*log)->Flush(); !s.ok()) {
    std::cerr << "kafka_publish_bench: " << s.ToString() << "\n";
    return 1;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "{\"messages\": " << messages << ", \"bytes\": " << bytes << ", \"seconds\": " << seconds << "}\n";
  return 0;
}
