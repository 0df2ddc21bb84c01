#include "core/progress.h"

#include <unistd.h>

#include <algorithm>

namespace meteoflow {
namespace {

// 1234567 -> "1,234,567".
std::string Grouped(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return n < 0 ? "-" + out : out;
}

}  // namespace

ProgressLine::ProgressLine(std::string stage, std::FILE* out, bool force, std::string unit)
    : stage_(std::move(stage)), unit_(std::move(unit)), out_(out), enabled_(force || ::isatty(::fileno(out)) == 1) {}

std::string ProgressLine::Format(const std::string& stage, int64_t done, int64_t total, double seconds,
                                 const std::string& unit) {
  std::string line = stage;
  if (total > 0) {
    constexpr int kWidth = 20;
    const int filled = static_cast<int>(std::clamp<int64_t>(done * kWidth / total, 0, kWidth));
    line += " [" + std::string(static_cast<size_t>(filled), '#') +
            std::string(static_cast<size_t>(kWidth - filled), '.') + "] " + Grouped(done) + "/" + Grouped(total) + " " +
            unit;
  } else {
    line += " " + Grouped(done) + " " + unit;
  }
  if (seconds > 0 && done > 0) {
    const double rate = static_cast<double>(done) / seconds;
    line += "  " + Grouped(static_cast<int64_t>(rate)) + "/s";
    if (total > done) {
      char eta[32];
      std::snprintf(eta, sizeof eta, "  ETA %.1f s", static_cast<double>(total - done) / rate);
      line += eta;
    }
  }
  return line;
}

void ProgressLine::Update(int64_t done, int64_t total) {
  done_ = done;
  total_ = total;
  if (!enabled_) return;
  const auto now = Clock::now();
  if (open_ && now - drawn_ < std::chrono::milliseconds(100) && done < total) return;
  drawn_ = now;
  const double seconds = std::chrono::duration<double>(now - started_).count();
  std::fprintf(out_, "\r%s\033[K", Format(stage_, done, total, seconds, unit_).c_str());
  std::fflush(out_);
  open_ = true;
}

void ProgressLine::Finish() {
  if (!open_) return;
  const double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
  std::fprintf(out_, "\r%s\033[K\n", Format(stage_, done_, total_, seconds, unit_).c_str());
  std::fflush(out_);
  open_ = false;
}

}  // namespace meteoflow
