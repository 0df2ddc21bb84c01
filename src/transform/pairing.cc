#include "transform/pairing.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <tuple>

namespace meteoflow {
namespace {

// By fetch time, then by values, so duplicates and ties resolve the same way in every batch.
bool Before(const Reading& a, const Reading& b) {
  return std::tie(a.fetched_at, a.reading.fields) < std::tie(b.fetched_at, b.reading.fields);
}

void SortUnique(std::vector<Reading>* readings) {
  std::sort(readings->begin(), readings->end(), Before);
  // A reading landed twice (a retried publish) is one reading; keep it new if either copy is.
  std::vector<Reading> out;
  for (auto& r : *readings) {
    if (!out.empty() && out.back().fetched_at == r.fetched_at && out.back().reading.fields == r.reading.fields) {
      out.back().is_new = out.back().is_new || r.is_new;
      continue;
    }
    out.push_back(std::move(r));
  }
  *readings = std::move(out);
}

// The nearest Open-Meteo reading within the pairing window (ties: the earlier), among those
// `eligible` admits; `om` sorted by fetch time.
template <typename Eligible>
const Reading* Partner(const std::vector<Reading>& om, Timestamp fetched_at, Eligible eligible) {
  const Reading* best = nullptr;
  int64_t best_gap = kPairWindowMs + 1;
  auto it = std::lower_bound(om.begin(), om.end(), fetched_at.PlusMillis(-kPairWindowMs),
                             [](const Reading& r, Timestamp t) { return r.fetched_at < t; });
  for (; it != om.end() && !(fetched_at.PlusMillis(kPairWindowMs) < it->fetched_at); ++it) {
    const int64_t gap = std::llabs(it->fetched_at.millis() - fetched_at.millis());
    if (gap < best_gap && eligible(*it)) {
      best = &*it;
      best_gap = gap;
    }
  }
  return best;
}

// For each reading of `sorted` (by fetch time), whether a later one has the same observation time.
std::vector<bool> Superseded(const std::vector<Reading>& sorted) {
  std::vector<bool> out(sorted.size(), false);
  std::map<int64_t, size_t> last;  // observation time -> index of its last reading
  for (size_t i = 0; i < sorted.size(); ++i) {
    auto [it, inserted] = last.try_emplace(sorted[i].reading.observed_at.millis(), i);
    if (!inserted) {
      out[it->second] = true;
      it->second = i;
    }
  }
  return out;
}

bool NearNewOpenMeteo(const std::vector<Reading>& om, Timestamp fetched_at) {
  return Partner(om, fetched_at, [](const Reading& r) { return r.is_new; }) != nullptr;
}

}  // namespace

PairedRows RowsToUpsert(const Location& location, std::vector<Reading> owm, std::vector<Reading> om) {
  SortUnique(&owm);
  SortUnique(&om);
  PairedRows out;
  const std::vector<bool> superseded = Superseded(owm);
  for (size_t i = 0; i < owm.size(); ++i) {
    const Reading& r = owm[i];
    const bool affected = r.is_new || NearNewOpenMeteo(om, r.fetched_at);
    if (!affected || superseded[i]) continue;
    const Reading* partner = Partner(om, r.fetched_at, [](const Reading&) { return true; });
    if (!r.is_new) {
      const Reading* before = Partner(om, r.fetched_at, [](const Reading& o) { return !o.is_new; });
      if (before == partner) continue;  // the new readings did not change its pairing
    }
    out.paired += partner != nullptr;
    out.rows.push_back(Reconcile(location, r.reading, partner ? &partner->reading : nullptr));
  }
  return out;
}

PairedRows ReferenceRows(const Location& location, std::vector<Reading> owm, std::vector<Reading> om) {
  for (auto& r : owm) r.is_new = true;
  for (auto& r : om) r.is_new = false;
  return RowsToUpsert(location, std::move(owm), std::move(om));
}

PairedRows OpenMeteoAloneRows(const Location& location, std::vector<Reading> om) {
  SortUnique(&om);
  PairedRows out;
  const std::vector<bool> superseded = Superseded(om);
  for (size_t i = 0; i < om.size(); ++i) {
    if (om[i].is_new && !superseded[i]) out.rows.push_back(FromOpenMeteoAlone(location, om[i].reading));
  }
  return out;
}

}  // namespace meteoflow
