// `meteoflow lake compact`: the raw lake's small files merged into one file per source and day.
#include <CLI/CLI.hpp>
#include <iostream>
#include <optional>

#include "cli/commands.h"
#include "core/time.h"
#include "orchestrate/pipeline.h"

namespace meteoflow {
namespace {

struct CompactOptions {
  std::string date;  // empty: every closed day
  bool json = false;
};

// "YYYY-MM-DD" exactly, a real calendar date.
Status CheckDate(const std::string& date) {
  const bool shaped = date.size() == 10 && date[4] == '-' && date[7] == '-';
  auto parsed = Timestamp::Parse(date);
  if (!shaped || !parsed.ok() || parsed->DateString() != date) {
    return Status::InvalidArgument("--date: '" + date + "' is not a date (YYYY-MM-DD)");
  }
  return Status::OK();
}

Status CompactCommand(const CommonOptions& common, const CompactOptions& options) {
  std::optional<std::string> date;
  if (!options.date.empty()) {
    MF_RETURN_IF_ERROR(CheckDate(options.date));
    date = options.date;
  }
  MF_ASSIGN_OR_RETURN(Config config, LoadConfigFor(common));
  MF_ASSIGN_OR_RETURN(auto pipeline, Pipeline::Open(config, DataDir(common, config)));
  MF_ASSIGN_OR_RETURN(const CompactionStats stats, pipeline->CompactLake(date));
  if (options.json) {
    std::cout << CompactionJson(stats).dump(2) << "\n";
  } else {
    PrintCompaction(stats);
  }
  return Status::OK();
}

}  // namespace

void RegisterLakeCommands(CLI::App& app, CommandTable& table) {
  auto* lake = app.add_subcommand("lake", "Maintain the raw Parquet lake");
  lake->require_subcommand(1);
  auto common = table.NewCommon();
  auto options = std::make_shared<CompactOptions>();
  auto* compact = lake->add_subcommand(
      "compact",
      "Merge each closed day's small files into one file per source (atomic; readers see the old files or the "
      "new one). Only days whose files are all transformed");
  AddCommonOptions(*compact, *common);
  compact->add_option("--date", options->date, "Only this UTC day, YYYY-MM-DD (default: every day before the newest)");
  compact->add_flag("--json", options->json, "Print the numbers as JSON");
  table.Add(compact, [common, options] { return CompactCommand(*common, *options); });
}

}  // namespace meteoflow
