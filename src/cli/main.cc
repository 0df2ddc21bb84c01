// The `meteoflow` binary: parses the command line (CLI11) and runs the chosen subcommand (each
// group registers its own flags; see commands.h). Exceptions stop here: every failure prints one
// line to stderr ("meteoflow: <what>") and exits non-zero (2 for bad input).
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "core/memory.h"

int main(int argc, char** argv) {
  using namespace meteoflow;
  CLI::App app{"meteoflow: an orchestrated weather pipeline in one binary"};
  app.set_version_flag("--version", std::string("meteoflow ") + kVersion);
  app.require_subcommand(1);
  CommandTable commands(argv[0]);
  RegisterPipelineCommands(app, commands);
  RegisterDagCommands(app, commands);
  RegisterParquetCommands(app, commands);
  RegisterModelCommands(app, commands);
  RegisterLiveCommands(app, commands);
  RegisterLakeCommands(app, commands);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version end here with 0; a bad flag or value is bad input like any other: 2.
    return app.exit(e) == 0 ? 0 : 2;
  }
  const bool fits_models = app.got_subcommand("train") || app.got_subcommand("model");
  KeepFreedMemory(fits_models ? Workload::kModelFitting : Workload::kColumnar);
  try {
    const Status status = commands.RunChosen();
    if (!status.ok()) {
      std::cerr << "meteoflow: " << status.message() << "\n";
      return status.code() == StatusCode::kInvalidArgument ? 2 : 1;
    }
  } catch (const std::exception& e) {
    std::cerr << "meteoflow: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
