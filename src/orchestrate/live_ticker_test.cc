#include "orchestrate/live_ticker.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

namespace meteoflow {
namespace {

namespace fs = std::filesystem;

// Open-Meteo on loopback: answers /v1/forecast with one location's current weather at the
// simulated clock's time, or with its hourly forecast (the next two hours) when `hourly=` is
// asked, and counts both kinds of request.
class FakeOpenMeteo {
 public:
  explicit FakeOpenMeteo(Clock& clock) : clock_(clock) {
    server_.Get("/v1/forecast", [this](const httplib::Request& req, httplib::Response& res) {
      if (req.has_param("hourly")) {
        ++forecast_requests_;
        const Timestamp hour = clock_.Now().FloorTo(3'600'000);
        res.set_content(R"({"hourly":{"time":[")" + hour.ToString().substr(0, 16) + R"(",")" +
                            hour.PlusMinutes(60).ToString().substr(0, 16) + R"("],"temperature_2m":[15.0,16.0]}})",
                        "application/json");
        return;
      }
      ++requests_;
      const std::string time = clock_.Now().FloorTo(900'000).ToString().substr(0, 16);
      res.set_content(R"({"latitude":33.56,"longitude":-7.62,"utc_offset_seconds":0,"timezone":"GMT","elevation":21.0,)"
                      R"("current":{"time":")" +
                          time +
                          R"(","interval":900,"temperature_2m":14.3,"relative_humidity_2m":60,)"
                          R"("apparent_temperature":12.5,"pressure_msl":1020.4,"surface_pressure":1017.9}})",
                      "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~FakeOpenMeteo() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  int requests() const { return requests_; }
  int forecast_requests() const { return forecast_requests_; }

 private:
  Clock& clock_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> requests_{0};
  std::atomic<int> forecast_requests_{0};
};

class LiveTickerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mf_live_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  Config LiveConfig(int port, const std::string& extra_dags = "") {
    auto config = ParseConfig(R"(
locations:
  - {id: casablanca, name: "Casablanca", latitude: 33.5928, longitude: -7.6192}
sources:
  openmeteo: {mode: live, base_url: "http://127.0.0.1:)" +
                                  std::to_string(port) +
                                  R"(", retries: 0}
dags:
  weather:
    schedule: "*/10 * * * *"
    tasks:
      - {id: collect}
      - {id: land, upstream: [collect]}
      - {id: transform, upstream: [land]}
)" + extra_dags,
                              (dir_ / "live.yaml").string());
    EXPECT_TRUE(config.ok()) << config.status().ToString();
    return *config;
  }

  fs::path dir_;
};

TEST_F(LiveTickerTest, EveryTickCollectsNowAndAPastIntervalIsNeverFetched) {
  SimulatedClock clock(*Timestamp::Parse("2026-03-01T09:03:00Z"));
  FakeOpenMeteo api(clock);
  auto pipeline = Pipeline::Open(LiveConfig(api.port()), dir_.string(), clock);
  ASSERT_TRUE(pipeline.ok()) << pipeline.status().ToString();
  std::vector<RunSummary> runs;
  ReplayTickerOptions options;
  options.on_run = [&](const RunSummary& s) { runs.push_back(s); };
  options.on_error = [](const Status& s) { ADD_FAILURE() << s.ToString(); };
  options.should_stop = [&] { return runs.size() >= 3; };
  ASSERT_TRUE(RunLiveTicks(**pipeline, options).ok());

  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(api.requests(), 3);  // three ticks, three collections, nothing in between
  const char* ends[] = {"2026-03-01T09:10:00Z", "2026-03-01T09:20:00Z", "2026-03-01T09:30:00Z"};
  for (size_t i = 0; i < runs.size(); ++i) {
    EXPECT_EQ(runs[i].interval.end.ToString(), ends[i]);
    EXPECT_EQ(runs[i].collect.published.at("openmeteo_raw"), 1);
    EXPECT_EQ(runs[i].outcome.state, RunState::kSuccess);
  }
  EXPECT_EQ(clock.Now().ToString(), "2026-03-01T09:30:00Z");
  auto rows = (*pipeline)->store().QueryWeather("Casablanca", Timestamp(), clock.Now().PlusMinutes(60));
  ASSERT_TRUE(rows.ok());
  // Fetched at 09:10, 09:20, 09:30: Open-Meteo's 15-minute slots 09:00, 09:15 and 09:30.
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ(rows->back().time.ToString(), "2026-03-01T09:30:00Z");
  EXPECT_EQ(rows->front().sources, "openmeteo");

  // A backfill of yesterday's interval: the live source declines it, nothing is fetched.
  auto past =
      (*pipeline)->RunDag("weather", RunType::kBackfill,
                          {*Timestamp::Parse("2026-02-28T09:00:00Z"), *Timestamp::Parse("2026-02-28T09:10:00Z")});
  ASSERT_TRUE(past.ok());
  EXPECT_EQ(api.requests(), 3);
  EXPECT_EQ(past->collect.published.at("openmeteo_raw"), 0);
  ASSERT_EQ(past->collect.notes.size(), 1u);
  EXPECT_NE(past->collect.notes[0].find("in the past"), std::string::npos) << past->collect.notes[0];
}

TEST_F(LiveTickerTest, TheServicesForecastIsFetchedOnItsOwnScheduleBeforeThatTicksWeatherRun) {
  SimulatedClock clock(*Timestamp::Parse("2026-03-01T09:03:00Z"));
  FakeOpenMeteo api(clock);
  auto pipeline = Pipeline::Open(LiveConfig(api.port(), R"(
  nwp:
    schedule: "5 * * * *"
    tasks:
      - {id: nwp}
)"),
                                 dir_.string(), clock);
  ASSERT_TRUE(pipeline.ok()) << pipeline.status().ToString();
  std::vector<std::string> runs;  // "dag end"
  ReplayTickerOptions options;
  options.on_run = [&](const RunSummary& s) { runs.push_back(s.dag_id + " " + s.interval.end.ToString()); };
  options.on_error = [](const Status& s) { ADD_FAILURE() << s.ToString(); };
  options.should_stop = [&] { return clock.Now() >= *Timestamp::Parse("2026-03-01T10:20:00Z"); };
  ASSERT_TRUE(RunLiveTicks(**pipeline, options).ok());

  // At the first tick (a fresh start has a forecast at once) and at the first tick after 10:05.
  EXPECT_EQ(api.forecast_requests(), 2);
  ASSERT_GE(runs.size(), 3u);
  EXPECT_EQ(runs[0], "nwp 2026-03-01T09:05:00Z");
  EXPECT_EQ(runs[1], "weather 2026-03-01T09:10:00Z");
  EXPECT_NE(std::find(runs.begin(), runs.end(), "nwp 2026-03-01T10:05:00Z"), runs.end());
  auto stored = (*pipeline)->store().QueryServiceForecasts("Casablanca", Timestamp(), clock.Now().PlusMinutes(600));
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 4u);  // two hours of temp from each of the two fetches
  EXPECT_EQ(stored->front().issued_at.ToString(), "2026-03-01T09:10:00Z");
  EXPECT_EQ(stored->back().issued_at.ToString(), "2026-03-01T10:10:00Z");
}

}  // namespace
}  // namespace meteoflow
