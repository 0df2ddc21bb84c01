#include "transform/parse.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "transform/reconcile.h"

namespace meteoflow {
namespace {

const Timestamp kFetch = Timestamp::FromSeconds(1733769467);
const std::string kOwm =
    R"({"coord":{"lat":33.5928,"lon":-7.6192},"main":{"feels_like":14.28,"grnd_level":1012,"humidity":58,)"
    R"("pressure":1021,"sea_level":1021,"temp":15.19},"visibility":8000,"wind":{"deg":30,"gust":null,"speed":3.6},)"
    R"("clouds":{"all":40},"dt":1733769467,"sys":{"country":"MA","sunrise":1733729020,"sunset":1733764954},"name":"Casablanca"})";
const std::string kOm =
    R"({"latitude":33.5625,"longitude":-7.625,"utc_offset_seconds":0,"elevation":21.0,"current":{"apparent_temperature":12.5,)"
    R"("is_day":0,"precipitation":0.0,"pressure_msl":1020.4,"rain":0.0,"relative_humidity_2m":60,"showers":0.0,)"
    R"("snowfall":0.0,"surface_pressure":1017.9,"temperature_2m":14.3,"time":"2024-12-09T18:30","interval":900}})";

TEST(ParseTest, ParsesRealResponsesAndReconciles) {
  auto owm = ParseOpenWeatherMap(kOwm, kFetch);
  ASSERT_TRUE(owm.ok()) << owm.status().ToString();
  auto om = ParseOpenMeteo(kOm, kFetch);
  ASSERT_TRUE(om.ok()) << om.status().ToString();
  EXPECT_EQ(owm->observed_at.ToString(), "2024-12-09T18:37:47Z");
  EXPECT_EQ(owm->sunrise->seconds(), 1733729020);
  EXPECT_EQ(om->observed_at.ToString(), "2024-12-09T18:30:00Z");
  const Location casa{"casablanca", "Casablanca", 33.59, -7.62};
  WeatherRow row = Reconcile(casa, *owm, &*om);
  EXPECT_DOUBLE_EQ(*row.at(WeatherField::kTemperature2m), (15.19 + 14.3) / 2);
  EXPECT_DOUBLE_EQ(*row.at(WeatherField::kHumidity), (58 + 60) / 2.0);
  EXPECT_DOUBLE_EQ(*row.at(WeatherField::kTemperatureFeelsLike), (14.28 + 12.5) / 2);
  EXPECT_EQ(row.sources, "openweathermap+openmeteo");
  WeatherRow alone = Reconcile(casa, *owm, nullptr);
  EXPECT_DOUBLE_EQ(*alone.at(WeatherField::kTemperature2m), 15.19);
  EXPECT_FALSE(alone.at(WeatherField::kPressureMsl).has_value());
}

TEST(ParseTest, EveryBundledSnapshotParses) {
  for (const char* name : {"openweathermap", "openmeteo"}) {
    std::ifstream in(std::string(MF_SOURCE_DIR) + "/data/demo/snapshots/" + name + "_current_2024-12-09.jsonl");
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      auto r = std::string(name) == "openmeteo" ? ParseOpenMeteo(line, kFetch) : ParseOpenWeatherMap(line, kFetch);
      EXPECT_TRUE(r.ok()) << name << " line " << n << ": " << r.status().ToString();
      ++n;
    }
    EXPECT_EQ(n, 37);
  }
}

TEST(ParseTest, KeepsEachSourcesOwnFieldsUnderTheirApiNames) {
  std::ifstream owm_in(std::string(MF_SOURCE_DIR) + "/data/demo/snapshots/openweathermap_current_2024-12-09.jsonl");
  std::string line;
  ASSERT_TRUE(std::getline(owm_in, line));
  auto owm = ParseOpenWeatherMap(line, kFetch);
  ASSERT_TRUE(owm.ok()) << owm.status().ToString();
  EXPECT_EQ(owm->values.at("temp"), 15.19);
  EXPECT_EQ(owm->values.at("temp_min"), 14.12);
  EXPECT_EQ(owm->values.at("temp_max"), 15.19);
  EXPECT_EQ(owm->values.at("weather_id"), 802);
  EXPECT_FALSE(owm->values.count("wind_gust"));  // "gust": null is absent, not zero
  EXPECT_EQ(owm->labels.at("weather_main"), "Clouds");
  EXPECT_EQ(owm->labels.at("weather_description"), "scattered clouds");
  EXPECT_EQ(owm->labels.at("weather_icon"), "03n");
  std::string rainy = kOwm;
  rainy.replace(rainy.find("\"gust\":null"), 11, "\"gust\":7.5");
  rainy.replace(rainy.find("\"clouds\""), 8, "\"rain\":{\"1h\":0.42},\"snow\":{\"1h\":0.1},\"clouds\"");
  auto wet = ParseOpenWeatherMap(rainy, kFetch);
  ASSERT_TRUE(wet.ok()) << wet.status().ToString() << " in " << rainy;
  EXPECT_EQ(wet->values.at("wind_gust"), 7.5);
  EXPECT_EQ(wet->values.at("rain_1h"), 0.42);
  EXPECT_EQ(wet->values.at("snow_1h"), 0.1);

  std::ifstream om_in(std::string(MF_SOURCE_DIR) + "/data/demo/snapshots/openmeteo_current_2024-12-09.jsonl");
  ASSERT_TRUE(std::getline(om_in, line));
  auto om = ParseOpenMeteo(line, kFetch);
  ASSERT_TRUE(om.ok()) << om.status().ToString();
  EXPECT_EQ(om->values.at("temperature_2m"), 14.3);
  EXPECT_EQ(om->values.at("weather_code"), 1);
  EXPECT_EQ(om->values.at("cloud_cover"), 32);
  EXPECT_EQ(om->values.at("elevation"), 21);
  EXPECT_FALSE(om->values.count("wind_speed_10m"));  // not in this response
  std::string windy = kOm;
  windy.replace(windy.find("\"interval\":900"), 14,
                "\"interval\":900,\"wind_speed_10m\":4.1,\"wind_direction_10m\":250,\"wind_gusts_10m\":9.8");
  auto w = ParseOpenMeteo(windy, kFetch);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->values.at("wind_speed_10m"), 4.1);
  EXPECT_EQ(w->values.at("wind_direction_10m"), 250);
  EXPECT_EQ(w->values.at("wind_gusts_10m"), 9.8);
}

struct BadCase {
  std::string from, to, reason;
};

TEST(ParseTest, HostileOpenWeatherMapGoesToDeadLetterWithReason) {
  const BadCase cases[] = {
      {"\"temp\":15.19", "\"temp\":999", "main.temp: 999 is outside [-90, 65]"},
      {"\"temp\":15.19", "\"temp\":\"hot\"", "main.temp: expected a number"},
      {"\"temp\":15.19", "\"tmp\":15.19", "main.temp: required field is missing"},
      {"\"humidity\":58", "\"humidity\":-3", "main.humidity: -3 is outside"},
      {"\"dt\":1733769467", "\"dt\":\"yesterday\"", "dt: expected a number"},
      {"\"dt\":1733769467", "\"dt\":1.5", "dt: 1.5 is not a Unix time"},
      {"\"dt\":1733769467", "\"dt\":1000", "is more than a day from the fetch time"},
      {"\"dt\":1733769467,", "", "dt: required field is missing"},
      {"\"speed\":3.6", "\"speed\":1e999", "not JSON"},
      {"\"lat\":33.5928", "\"lat\":[1]", "coord.lat: expected a number"},
      {"\"gust\":null", "\"gust\":-1", "wind.gust: -1 is outside"},
      {"\"clouds\"", "\"weather\":[{\"main\":7}],\"clouds\"", "weather.0.main: expected a string"},
      {"\"clouds\"", "\"rain\":{\"1h\":\"lots\"},\"clouds\"", "rain.1h: expected a number"},
      {"\"clouds\"", "\"weather\":[{\"description\":\"" + std::string(300, 'x') + "\"}],\"clouds\"",
       "weather.0.description: longer than 200 bytes"},
  };
  for (const auto& c : cases) {
    std::string body = kOwm;
    body.replace(body.find(c.from), c.from.size(), c.to);
    auto r = ParseOpenWeatherMap(body, kFetch);
    ASSERT_FALSE(r.ok()) << c.to;
    EXPECT_NE(r.status().message().find(c.reason), std::string::npos) << r.status().message();
  }
  for (const std::string& junk :
       std::vector<std::string>{"", "{", "[]", "null", "{\"main\":", kOwm.substr(0, kOwm.size() / 2), "\xff\xfe"}) {
    EXPECT_FALSE(ParseOpenWeatherMap(junk, kFetch).ok()) << junk;
  }
}

TEST(ParseTest, HostileOpenMeteoGoesToDeadLetterWithReason) {
  const BadCase cases[] = {
      {"\"time\":\"2024-12-09T18:30\"", "\"time\":\"soon\"", "current.time: not a UTC timestamp"},
      {"\"time\":\"2024-12-09T18:30\"", "\"time\":1733769000", "current.time: expected a string"},
      {"\"temperature_2m\":14.3", "\"temperature_2m\":null", "current.temperature_2m: required field is missing"},
      {"\"relative_humidity_2m\":60", "\"relative_humidity_2m\":160", "current.relative_humidity_2m: 160 is outside"},
      {"\"is_day\":0", "\"is_day\":2", "current.is_day: 2 is outside"},
      {"\"interval\":900", "\"interval\":900,\"weather_code\":100", "current.weather_code: 100 is outside"},
      {"\"utc_offset_seconds\":0", "\"utc_offset_seconds\":9999999", "utc_offset_seconds: out of range"},
  };
  for (const auto& c : cases) {
    std::string body = kOm;
    body.replace(body.find(c.from), c.from.size(), c.to);
    auto r = ParseOpenMeteo(body, kFetch);
    ASSERT_FALSE(r.ok()) << c.to;
    EXPECT_NE(r.status().message().find(c.reason), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace meteoflow
