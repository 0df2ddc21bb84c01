// `meteoflow history` (hourly history from Open-Meteo's archive into the store) and `meteoflow
// locations search|check` (Open-Meteo's geocoding: config entries by name, coordinates checked).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "collect/geocoding.h"
#include "collect/history.h"
#include "core/file_util.h"
#include "core/version.h"
#include "orchestrate/pipeline.h"

namespace meteoflow {
namespace {

using nlohmann::ordered_json;

struct HistoryOptions {
  std::string from, to, variables = HistoryLoader::kDefaultVariables;
  int chunk_days = 7;
  bool json = false;
};

struct LocationsOptions {
  std::string name;
  int count = 5;
  bool json = false;
};

// The Open-Meteo source's settings (live defaults when it only replays), with `url` as the host.
Result<LiveSourceOptions> OpenMeteoOptions(const Config& config, const std::string SourceConfig::*url) {
  for (const SourceConfig& src : config.sources) {
    if (src.name == "openmeteo") return LiveOptionsFrom(src, src.*url);
  }
  return Status::InvalidArgument(config.path + ": sources.openmeteo: needed for Open-Meteo's archive and geocoding");
}

// A progress bar with rate and ETA on a terminal, one plain line per chunk otherwise.
class ChunkProgress {
 public:
  explicit ChunkProgress(bool quiet) : quiet_(quiet), tty_(::isatty(STDERR_FILENO) == 1) {}
  void Update(const HistoryProgress& p) {
    if (quiet_) return;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    const double rate = seconds > 0 ? static_cast<double>(p.rows_stored) / seconds : 0;
    const int left = p.chunks_total - p.chunks_done;
    const double eta = p.chunks_done > 0 ? seconds / p.chunks_done * left : 0;
    if (!tty_) {
      std::cerr << "history: chunk " << p.chunks_done << "/" << p.chunks_total << ", " << p.rows_stored
                << " rows stored\n";
      return;
    }
    const int width = 30, filled = p.chunks_total ? width * p.chunks_done / p.chunks_total : width;
    std::fprintf(stderr, "\rhistory [%s%s] %d/%d chunks  %lld rows  %.0f rows/s  ETA %.0f s ",
                 std::string(static_cast<size_t>(filled), '#').c_str(),
                 std::string(static_cast<size_t>(width - filled), '.').c_str(), p.chunks_done, p.chunks_total,
                 static_cast<long long>(p.rows_stored), rate, eta);
    if (left == 0) std::fprintf(stderr, "\n");
  }

 private:
  const bool quiet_, tty_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

Status HistoryCommand(const CommonOptions& common, const HistoryOptions& options) {
  MF_ASSIGN_OR_RETURN(Config config, LoadConfigFor(common));
  MF_ASSIGN_OR_RETURN(LiveSourceOptions archive, OpenMeteoOptions(config, &SourceConfig::archive_url));
  MF_RETURN_IF_ERROR(MakeDirs(DataDir(common, config)));
  MF_ASSIGN_OR_RETURN(auto store, OpenStore(config, DataDir(common, config)));
  MF_ASSIGN_OR_RETURN(auto loader, HistoryLoader::Create(archive, SystemClock()));
  HistoryRequest request{options.from, options.to, {}, options.chunk_days};
  std::stringstream list(options.variables);
  for (std::string v; std::getline(list, v, ',');) request.variables.push_back(v);
  ChunkProgress progress(options.json);
  MF_ASSIGN_OR_RETURN(const HistoryProgress done,
                      loader->Run(request, config.locations, *store, [&](const auto& p) { progress.Update(p); }));
  if (options.json) {
    std::cout << ordered_json{{"from", options.from},
                              {"to", options.to},
                              {"locations", config.locations.size()},
                              {"chunks", done.chunks_total},
                              {"chunks_already_stored", done.chunks_skipped},
                              {"rows_stored", done.rows_stored},
                              {"hours_already_present", done.rows_existing}}
                     .dump(2)
              << "\n";
  } else {
    std::cout << "history " << options.from << " .. " << options.to << ": " << done.rows_stored
              << " hourly rows stored for " << config.locations.size() << " locations (" << done.chunks_skipped
              << " of " << done.chunks_total << " chunks stored before; " << done.rows_existing
              << " hours already had a row)\n";
  }
  return Status::OK();
}

std::string Number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4f", v);
  return text;
}

// A YAML flow-mapping entry for config `locations:`, the name quoted for YAML.
std::string ConfigEntry(const Place& p) {
  std::string name;
  for (const char c : p.name) name += c == '"' || c == '\\' ? std::string("\\") + c : std::string(1, c);
  return "  - {id: " + SlugOf(p.name) + ", name: \"" + name + "\", latitude: " + Number(p.latitude) +
         ", longitude: " + Number(p.longitude) + "}";
}

Status SearchCommand(const CommonOptions& common, const LocationsOptions& options) {
  MF_ASSIGN_OR_RETURN(Config config, LoadConfigFor(common));
  MF_ASSIGN_OR_RETURN(LiveSourceOptions geo, OpenMeteoOptions(config, &SourceConfig::geocoding_url));
  MF_ASSIGN_OR_RETURN(auto geocoder, Geocoder::Create(geo, SystemClock()));
  MF_ASSIGN_OR_RETURN(const std::vector<Place> places, geocoder->Search(options.name, options.count));
  if (options.json) {
    ordered_json out = ordered_json::array();
    for (const Place& p : places) {
      out.push_back({{"id", SlugOf(p.name)},
                     {"name", p.name},
                     {"latitude", p.latitude},
                     {"longitude", p.longitude},
                     {"country", p.country},
                     {"admin1", p.admin1},
                     {"population", p.population}});
    }
    std::cout << out.dump(2) << "\n";
    return Status::OK();
  }
  if (places.empty()) return Status::NotFound("locations search: no place named '" + options.name + "'");
  std::cout << "# paste under locations: in your config\n";
  for (const Place& p : places) {
    std::cout << ConfigEntry(p) << "  # " << (p.admin1.empty() ? "" : p.admin1 + ", ") << p.country
              << (p.population ? ", population " + std::to_string(p.population) : "") << "\n";
  }
  return Status::OK();
}

Status CheckCommand(const CommonOptions& common, bool json) {
  MF_ASSIGN_OR_RETURN(Config config, LoadConfigFor(common));
  MF_ASSIGN_OR_RETURN(LiveSourceOptions geo, OpenMeteoOptions(config, &SourceConfig::geocoding_url));
  MF_ASSIGN_OR_RETURN(auto geocoder, Geocoder::Create(geo, SystemClock()));
  ordered_json out = ordered_json::array();
  if (!json) std::printf("%-20s %-24s %10s  %s\n", "id", "name", "km", "best match");
  for (const Location& l : config.locations) {
    MF_ASSIGN_OR_RETURN(const std::vector<Place> places, geocoder->Search(l.name, 10));
    const Place* best = nullptr;
    double km = INFINITY;
    for (const Place& p : places) {  // the nearest of the places of that name
      const double d = DistanceKm(l.latitude, l.longitude, p.latitude, p.longitude);
      if (d < km) km = d, best = &p;
    }
    const std::string match = best ? best->name + ", " + best->country : "no place of that name";
    out.push_back({{"id", l.id},
                   {"name", l.name},
                   {"distance_km", best ? ordered_json(std::round(km * 10) / 10) : ordered_json()},
                   {"match", best ? ordered_json(best->name) : ordered_json()}});
    char distance[32] = "-";
    if (best) std::snprintf(distance, sizeof distance, "%.1f", km);
    if (!json) std::printf("%-20s %-24s %10s  %s\n", l.id.c_str(), l.name.c_str(), distance, match.c_str());
  }
  if (json) std::cout << out.dump(2) << "\n";
  return Status::OK();
}

}  // namespace

void RegisterLiveCommands(CLI::App& app, CommandTable& table) {
  auto common = table.NewCommon();
  auto history = std::make_shared<HistoryOptions>();
  auto* history_cmd = app.add_subcommand(
      "history", "Fetch hourly history of every location from Open-Meteo's archive into the store (resumable)");
  AddCommonOptions(*history_cmd, *common);
  history_cmd->add_option("--from", history->from, "First day, YYYY-MM-DD (UTC)")->required();
  history_cmd->add_option("--to", history->to, "Last day, YYYY-MM-DD, included")->required();
  history_cmd->add_option("--variables", history->variables, "Archive variables, comma-separated");
  history_cmd->add_option("--chunk-days", history->chunk_days, "Days per request (default: 7)")
      ->check(CLI::Range(1, 366));
  history_cmd->add_flag("--json", history->json, "Print the totals as JSON (no progress lines)");
  table.Add(history_cmd, [common, history] { return HistoryCommand(*common, *history); });

  auto* locations = app.add_subcommand("locations", "Find places by name; check the configured coordinates");
  locations->require_subcommand(1);
  auto search = std::make_shared<LocationsOptions>();
  auto* search_cmd = locations->add_subcommand("search", "Places by name, as config entries to paste");
  AddCommonOptions(*search_cmd, *common);
  search_cmd->add_option("name", search->name, "Place name")->required();
  search_cmd->add_option("--count", search->count, "At most this many (default: 5)")->check(CLI::Range(1, 100));
  search_cmd->add_flag("--json", search->json, "A JSON array: id, name, latitude, longitude, country, population");
  table.Add(search_cmd, [common, search] { return SearchCommand(*common, *search); });
  auto check_json = std::make_shared<bool>(false);
  auto* check_cmd =
      locations->add_subcommand("check", "Each configured location's distance to the nearest place of its name");
  AddCommonOptions(*check_cmd, *common);
  check_cmd->add_flag("--json", *check_json, "A JSON array: id, name, distance_km, match");
  table.Add(check_cmd, [common, check_json] { return CheckCommand(*common, *check_json); });
}

}  // namespace meteoflow
