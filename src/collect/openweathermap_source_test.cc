#include "collect/openweathermap_source.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <mutex>
#include <random>
#include <thread>

namespace meteoflow {
namespace {

// An OpenWeatherMap stand-in on a simulated clock whose network takes a random time each way:
// it moves the clock by the inbound delay, notes when the request arrived, then moves it by the
// outbound delay before answering.
class SlowNetworkApi {
 public:
  SlowNetworkApi(SimulatedClock& clock, uint64_t seed) : clock_(clock), rng_(seed) {
    server_.Get("/data/2.5/weather", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      std::uniform_int_distribution<int64_t> delay_ms(0, 400);
      clock_.Advance(delay_ms(rng_));
      arrivals_ms_.push_back(clock_.Now().millis());
      clock_.Advance(delay_ms(rng_));
      res.set_content(R"({"cod":200})", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~SlowNetworkApi() {
    server_.stop();
    thread_.join();
  }
  SlowNetworkApi(const SlowNetworkApi&) = delete;
  SlowNetworkApi& operator=(const SlowNetworkApi&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<int64_t> arrivals_ms() const {
    std::lock_guard<std::mutex> lock(mu_);
    return arrivals_ms_;
  }

 private:
  SimulatedClock& clock_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mu_;
  std::mt19937_64 rng_;
  std::vector<int64_t> arrivals_ms_;
};

TEST(OpenWeatherMapSourceTest, TheServerNeverSeesMoreThanTheLimitInAWindowHoweverTheNetworkDelays) {
  constexpr int kLimit = 5;
  constexpr int64_t kWindowMs = 2000;
  std::vector<Location> locations;
  for (int i = 0; i < 30; ++i) locations.push_back({"l" + std::to_string(i), "L", 33.5, -7.6 + i * 0.01});
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    SimulatedClock clock(*Timestamp::Parse("2026-01-01T12:10:05Z"));
    SlowNetworkApi api(clock, seed);
    LiveSourceOptions options;
    options.base_url = api.url();
    options.api_key = "k";
    options.rate_limit_requests = kLimit;
    options.rate_limit_seconds = static_cast<int>(kWindowMs / 1000);
    auto source = OpenWeatherMapSource::Create("openweathermap", options, clock);
    ASSERT_TRUE(source.ok()) << source.status().ToString();
    const Interval now{*Timestamp::Parse("2026-01-01T12:00Z"), *Timestamp::Parse("2026-01-01T12:10Z")};
    auto got = (*source)->Collect(now, locations);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_EQ(got->responses.size(), locations.size());
    const std::vector<int64_t> arrivals = api.arrivals_ms();
    ASSERT_EQ(arrivals.size(), locations.size());
    for (size_t i = kLimit; i < arrivals.size(); ++i) {
      EXPECT_GE(arrivals[i] - arrivals[i - kLimit], kWindowMs)
          << "seed " << seed << ": requests " << i - kLimit << ".." << i << " arrived within one window";
    }
  }
}

}  // namespace
}  // namespace meteoflow
