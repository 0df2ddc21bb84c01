// cassandra_bench: upserts N weather rows into weather_data of a keyspace through meteoflow's CQL
// client -- the prepared INSERT CassandraStore uses, pipelined with up to `in_flight` requests
// outstanding on one connection -- and prints one JSON line: rows, seconds, p50/p99 latency (ms,
// submit to response). Rows are generated exactly as bench/cassandra_bench.py does for the Python
// driver (see Row there), so both write the same data.
//
//   cassandra_bench <host:port> <keyspace> <rows> <in_flight>
#include <algorithm>
#include <chrono>
#include <deque>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "store/cassandra_store.h"

namespace {

using meteoflow::cql::Value;

// Row i: city "City<i % 1000>", time 2024-01-01 + (i / 1000) * 10 min, temp/humidity/pressure from i.
std::vector<Value> Row(int64_t i, size_t columns) {
  std::vector<Value> v = {Value::Text("City" + std::to_string(i % 1000)),
                          Value::TimestampMillis(1704067200000 + (i / 1000) * 600000),
                          Value::Text("loc" + std::to_string(i % 1000)),
                          Value::Text("MA"),
                          Value::Null(),
                          Value::Null(),
                          Value::Text("openweathermap+openmeteo")};
  while (v.size() < columns) v.push_back(Value::Double(static_cast<double>((i * 7 + v.size()) % 1000) / 10.0));
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace meteoflow;
  if (argc != 5) {
    std::cerr << "usage: cassandra_bench <host:port> <keyspace> <rows> <in_flight>\n";
    return 2;
  }
  CassandraOptions options;
  options.contact_points = {argv[1]};
  options.keyspace = argv[2];
  auto store = CassandraStore::Open(options);  // creates the keyspace and tables
  if (!store.ok()) {
    std::cerr << "cassandra_bench: " << store.status().ToString() << "\n";
    return 1;
  }
  const std::string point = argv[1];
  cql::ConnectOptions o;
  o.host = point.substr(0, point.rfind(':'));
  o.port = std::stoi(point.substr(point.rfind(':') + 1));
  o.max_in_flight = std::stoi(argv[4]);
  auto conn = cql::Connection::Open(o);
  if (!conn.ok()) {
    std::cerr << "cassandra_bench: " << conn.status().ToString() << "\n";
    return 1;
  }
  std::string columns = "city_name, time, location_id, country, sunrise, sunset, sources";
  size_t count = 7;
  for (size_t f = 0; f < kWeatherFieldCount; ++f, ++count) {
    columns += std::string(", ") + WeatherFieldName(static_cast<WeatherField>(f));
  }
  std::string markers = "?";
  for (size_t i = 1; i < count; ++i) markers += ", ?";
  auto prepared =
      (*conn)->Prepare("INSERT INTO " + options.keyspace + ".weather_data (" + columns + ") VALUES (" + markers + ")");
  if (!prepared.ok()) {
    std::cerr << "cassandra_bench: " << prepared.status().ToString() << "\n";
    return 1;
  }
  const int64_t rows = std::stoll(argv[3]);
  if (rows <= 0) return 0;  // the keyspace and tables exist now
  const size_t window = static_cast<size_t>(o.max_in_flight);
  std::deque<std::pair<cql::Connection::Ticket, std::chrono::steady_clock::time_point>> pending;
  std::vector<double> latencies;
  latencies.reserve(static_cast<size_t>(rows));
  int64_t failed = 0;
  auto settle = [&] {
    auto r = (*conn)->Await(pending.front().first);
    latencies.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - pending.front().second).count());
    if (!r.ok() || r->opcode == cql::kError) ++failed;
    pending.pop_front();
  };
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < rows; ++i) {
    cql::QueryParams params;
    params.consistency = cql::kLocalOne;
    const std::vector<Value> row = Row(i, count);
    for (size_t c = 0; c < row.size(); ++c) {
      params.values.push_back(*cql::EncodeValue(row[c], &prepared->bind_columns[c].type));
    }
    if (pending.size() >= window) settle();
    auto ticket = (*conn)->Submit(cql::kExecute, cql::ExecuteBody(prepared->id, params));
    if (!ticket.ok()) {
      std::cerr << "cassandra_bench: " << ticket.status().ToString() << "\n";
      return 1;
    }
    pending.emplace_back(*ticket, std::chrono::steady_clock::now());
  }
  while (!pending.empty()) settle();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double q) { return latencies[static_cast<size_t>(q * static_cast<double>(latencies.size() - 1))]; };
  std::cout << nlohmann::json{{"rows", rows},       {"failed", failed},    {"seconds", seconds},
                              {"p50_ms", pct(0.5)}, {"p99_ms", pct(0.99)}, {"in_flight", window}}
                   .dump()
            << "\n";
  return failed ? 1 : 0;
}
