#include "collect/geocoding.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace meteoflow {
namespace {

// The ASCII letter a Latin-1 supplement letter (U+00C0..U+00FF, UTF-8 C3 xx) is read as.
char FoldLatin1(unsigned char second) {
  static constexpr char kFold[] =
      "aaaaaaaceeeeiiiidnooooo-ouuuuyts"
      "aaaaaaaceeeeiiiidnooooo-ouuuuyty";
  return (second & 0xC0u) == 0x80u ? kFold[second & 0x3Fu] : '-';
}

Result<Place> PlaceFrom(simdjson::dom::element item) {
  Place p;
  std::string_view text;
  if (item["name"].get(text) != simdjson::SUCCESS || item["latitude"].get(p.latitude) != simdjson::SUCCESS ||
      item["longitude"].get(p.longitude) != simdjson::SUCCESS) {
    return Status::InvalidArgument("geocoding: a result without name, latitude or longitude");
  }
  p.name = std::string(text);
  if (item["id"].get(p.id) != simdjson::SUCCESS) p.id = 0;
  if (item["country"].get(text) == simdjson::SUCCESS) p.country = std::string(text);
  if (item["admin1"].get(text) == simdjson::SUCCESS) p.admin1 = std::string(text);
  if (item["population"].get(p.population) != simdjson::SUCCESS) p.population = 0;
  return p;
}

}  // namespace

Result<std::unique_ptr<Geocoder>> Geocoder::Create(LiveSourceOptions options, Clock& clock) {
  MF_ASSIGN_OR_RETURN(auto http, HttpClient::Create(options.http));
  return std::unique_ptr<Geocoder>(new Geocoder(std::move(options), clock, std::move(http)));
}

Result<std::vector<Place>> Geocoder::Search(const std::string& name, int count) {
  if (name.size() < 2) return Status::InvalidArgument("locations search: the name needs at least 2 characters");
  const std::string url = options_.base_url + "/v1/search?" + QueryParam("name", name) +
                          "&count=" + std::to_string(count) + "&language=en&format=json";
  MF_ASSIGN_OR_RETURN(const HttpResponse answer, FetchJson(*http_, url, options_.retry, clock_, rng_, nullptr));
  if (answer.status != 200) {
    return Status::Unavailable("geocoding: HTTP " + std::to_string(answer.status) + ": " + ErrorMessage(answer));
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(answer.body).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
    return Status::InvalidArgument("geocoding: the answer is not a JSON object");
  }
  std::vector<Place> out;
  simdjson::dom::array results;
  if (doc["results"].get(results) != simdjson::SUCCESS) return out;  // the API omits it when nothing matched
  for (simdjson::dom::element item : results) {
    MF_ASSIGN_OR_RETURN(Place p, PlaceFrom(item));
    out.push_back(std::move(p));
  }
  return out;
}

std::string SlugOf(const std::string& name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    char folded = '-';
    if (std::isalnum(c) && c < 0x80) {
      folded = static_cast<char>(std::tolower(c));
    } else if (c == 0xC3 && i + 1 < name.size()) {
      folded = FoldLatin1(static_cast<unsigned char>(name[++i]));
    } else if (c >= 0x80) {
      while (i + 1 < name.size() && (static_cast<unsigned char>(name[i + 1]) & 0xC0) == 0x80) ++i;
    }
    if (folded != '-' || (!out.empty() && out.back() != '-')) out += folded;
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "place" : out;
}

double DistanceKm(double lat1, double lon1, double lat2, double lon2) {
  constexpr double kRadiusKm = 6371.0088;
  constexpr double kRad = M_PI / 180;
  const double dlat = (lat2 - lat1) * kRad, dlon = (lon2 - lon1) * kRad;
  const double a = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(lat1 * kRad) * std::cos(lat2 * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kRadiusKm * std::asin(std::min(1.0, std::sqrt(a)));
}

}  // namespace meteoflow
