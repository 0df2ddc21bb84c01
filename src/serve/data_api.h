// The dashboard's data endpoints (JSON; every view of the page reads only these). Parameters:
// city = a configured location's name or id; from/to = RFC 3339 UTC or a date, to exclusive;
// bad values give 400 {"error": "<param>: <what>"} (serve/params.h).
//
//   GET /api/cities                            locations with their latest weather_data row
//   GET /api/observations?city&from&to&limit   weather_data rows of a city (the newest `limit`)
//   GET /api/series?city&source&fields&from&to&points
//                                              time series of fields, min/max-downsampled to points
//   GET /api/sources                           each source's freshness (newest reading per city)
//   GET /api/sources/{source}/readings?city&from&to&limit   a source's own rows, newest first
//   GET /api/sources/{source}/summary?from&to  per-city means, histograms, bands, scatter samples
//   GET /api/compare?from&to                   per city: both sources' latest and mean |difference|
//   GET /api/predictions?city&from&to&horizon  forecasts with 80/95 % intervals, by target time
//                                              (horizon: steps ahead, 1..1000; absent: all)
//   GET /api/forecast?city                     the newest forecast: every variable and horizon
//   GET /api/errors?city&from&to&horizon       scored predictions of a city
//   GET /api/errors/summary?from&to&horizon    MAE, RMSE, bias and skill over persistence per city
//                                              and variable, at one horizon (default 1)
//   GET /api/errors/horizons?city&from&to      the same per variable and horizon (city optional)
//   GET /api/models?city                       the registry's newest model per variable
//   GET /api/dead-letters?limit                dead-letter count and the newest reasons
//
// Thread-safety: handlers run on the server's threads; Store and ModelRegistry serialise calls.
#pragma once

#include <vector>

#include "core/location.h"
#include "forecast/registry.h"
#include "store/store.h"

namespace httplib {
class Server;
}

namespace meteoflow {

struct DataApiContext {
  std::vector<Location> locations;
  Store* store = nullptr;
  forecast::ModelRegistry* registry = nullptr;  // may be null: /api/models answers []
};

// Registers the endpoints above; `context` must outlive the server.
void AddDataRoutes(httplib::Server& server, const DataApiContext& context);

}  // namespace meteoflow
