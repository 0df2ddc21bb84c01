#include "collect/replay_source.h"

#include <simdjson.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <set>

namespace meteoflow {
namespace {

// The exact bytes of the "response" object of a recording line (already validated as JSON).
Result<std::string> RawResponseText(std::string_view line) {
  simdjson::ondemand::parser parser;
  const simdjson::padded_string padded(line);
  simdjson::ondemand::document doc;
  simdjson::ondemand::object envelope, response;
  std::string_view raw;
  if (parser.iterate(padded).get(doc) || doc.get_object().get(envelope) ||
      envelope.find_field_unordered("response").get_object().get(response) || response.raw_json().get(raw)) {
    return Status::InvalidArgument("cannot extract the response object");
  }
  while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' || raw.back() == '\t')) {
    raw.remove_suffix(1);
  }
  return std::string(raw);
}

// Checks one recording line; its fetch time and location in `*time` and `*location`.
Status CheckLine(simdjson::dom::parser& parser, std::string_view line, Timestamp* time, std::string* location) {
  simdjson::dom::element doc;
  if (auto err = parser.parse(line.data(), line.size()).get(doc)) {
    return Status::InvalidArgument(std::string("not JSON (") + simdjson::error_message(err) + ")");
  }
  std::string_view id, fetched;
  simdjson::dom::element response;
  if (doc["location_id"].get(id) || id.empty()) return Status::InvalidArgument("missing string location_id");
  if (doc["fetched_at"].get(fetched)) return Status::InvalidArgument("missing string fetched_at");
  if (doc["response"].get(response) || !response.is_object()) {
    return Status::InvalidArgument("missing object response");
  }
  MF_ASSIGN_OR_RETURN(*time, Timestamp::Parse(fetched));
  *location = std::string(id);
  return Status::OK();
}

// Reads JSON lines one at a time from a file or from text, with each line's offset.
class LineReader {
 public:
  explicit LineReader(std::FILE* file) : file_(file) {}
  explicit LineReader(std::string_view text) : text_(text) {}
  // False at the end; an I/O error in `*status`.
  bool Next(std::string* line, uint64_t* offset, Status* status) {
    *offset = position_;
    return file_ ? NextFromFile(line, status) : NextFromText(line);
  }

 private:
  bool NextFromText(std::string* line) {
    if (position_ >= text_.size()) return false;
    size_t end = text_.find('\n', position_);
    if (end == std::string_view::npos) end = text_.size();
    line->assign(text_.substr(position_, end - position_));
    position_ = end + 1;
    return true;
  }
  // Reads the file in blocks of kBlock bytes.
  bool NextFromFile(std::string* line, Status* status) {
    line->clear();
    while (true) {
      if (start_ == buffer_.size()) {
        buffer_.resize(kBlock);
        const size_t got = std::fread(buffer_.data(), 1, kBlock, file_);
        buffer_.resize(got);
        start_ = 0;
        if (got == 0) {
          if (std::ferror(file_)) *status = Status::IOError("read failed");
          if (line->empty()) return false;
          position_ += line->size();
          return true;
        }
      }
      const std::string_view rest = std::string_view(buffer_).substr(start_);
      const size_t newline = rest.find('\n');
      const size_t take = newline == std::string_view::npos ? rest.size() : newline;
      line->append(rest.substr(0, take));
      start_ += take;
      if (newline != std::string_view::npos) {
        ++start_;
        position_ += line->size() + 1;
        return true;
      }
    }
  }

  static constexpr size_t kBlock = size_t{1} << 20;
  std::string buffer_;
  size_t start_ = 0;
  std::FILE* file_ = nullptr;
  std::string_view text_;
  uint64_t position_ = 0;
};

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

}  // namespace

Result<std::unique_ptr<ReplaySource>> ReplaySource::Load(const std::string& name, const std::string& path) {
  auto source = std::unique_ptr<ReplaySource>(new ReplaySource(name, path, std::nullopt));
  MF_RETURN_IF_ERROR(source->Index().WithContext("replay source '" + name + "'"));
  return source;
}

Result<std::unique_ptr<ReplaySource>> ReplaySource::Parse(const std::string& name, const std::string& text,
                                                          const std::string& origin) {
  auto source = std::unique_ptr<ReplaySource>(new ReplaySource(name, origin, text));
  MF_RETURN_IF_ERROR(source->Index());
  return source;
}

Status ReplaySource::Index() {
  File file;
  if (!text_) {
    file.reset(std::fopen(origin_.c_str(), "rb"));
    if (!file) return Status::IOError("cannot open " + origin_);
  }
  LineReader reader = file ? LineReader(file.get()) : LineReader(std::string_view(*text_));
  simdjson::dom::parser parser;
  std::set<int64_t> minutes;
  std::string line, location;
  uint64_t offset = 0;
  size_t line_no = 0;
  std::optional<Block> block;  // the current one, once it has a line that is not blank
  uint64_t block_offset = 0;
  Status read_status;
  while (reader.Next(&line, &offset, &read_status)) {
    if (line_no % kStride == 0) {
      if (block) blocks_.push_back(*block);
      block.reset();
      block_offset = offset;
    }
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Timestamp fetched;
    Status s = CheckLine(parser, line, &fetched, &location);
    if (!s.ok()) return Status::InvalidArgument(origin_ + ":" + std::to_string(line_no) + ": " + s.message());
    if (!block) block = Block{block_offset, fetched, fetched};
    block->earliest = std::min(block->earliest, fetched);
    block->latest = std::max(block->latest, fetched);
    if (!span_) span_ = Interval{fetched, fetched.PlusMillis(1)};
    span_->start = std::min(span_->start, fetched);
    span_->end = std::max(span_->end, fetched.PlusMillis(1));
    minutes.insert(fetched.FloorTo(60'000).millis());
    ++count_;
  }
  if (block) blocks_.push_back(*block);
  if (!read_status.ok()) return read_status.WithContext(origin_);
  for (int64_t m : minutes) minutes_.push_back(Timestamp::FromMillis(m));
  return Status::OK();
}

Status ReplaySource::ReadBlock(const Block& block, const Interval& interval, const std::set<std::string>& wanted,
                               std::FILE* file, std::vector<RawResponse>* out) const {
  if (file && std::fseek(file, static_cast<long>(block.offset), SEEK_SET) != 0) {
    return Status::IOError(origin_ + ": cannot read back the recording");
  }
  LineReader reader = file ? LineReader(file) : LineReader(std::string_view(*text_).substr(block.offset));
  simdjson::dom::parser parser;
  std::string line, location;
  uint64_t ignored = 0;
  Status read_status;
  for (size_t n = 0; n < kStride && reader.Next(&line, &ignored, &read_status); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Timestamp fetched;
    if (!CheckLine(parser, line, &fetched, &location).ok()) {
      return Status::Corruption(origin_ + ": a recorded line changed since the recording was loaded");
    }
    if (!interval.Contains(fetched) || !wanted.count(location)) continue;
    MF_ASSIGN_OR_RETURN(std::string body, RawResponseText(line));
    out->push_back({location, fetched, std::move(body)});
  }
  return read_status.WithContext(origin_);
}

Result<Collected> ReplaySource::Collect(const Interval& interval, const std::vector<Location>& locations) {
  std::set<std::string> wanted;
  for (const auto& l : locations) wanted.insert(l.id);
  Collected collected;
  File file;
  for (const Block& block : blocks_) {
    if (block.latest < interval.start || !(block.earliest < interval.end)) continue;
    if (!text_ && !file) {
      file.reset(std::fopen(origin_.c_str(), "rb"));
      if (!file) return Status::IOError("replay source '" + name_ + "': cannot open " + origin_);
    }
    MF_RETURN_IF_ERROR(ReadBlock(block, interval, wanted, file.get(), &collected.responses));
  }
  std::stable_sort(collected.responses.begin(), collected.responses.end(),
                   [](const RawResponse& a, const RawResponse& b) { return a.fetched_at < b.fetched_at; });
  return collected;
}

std::optional<Interval> ReplaySource::span() const { return span_; }

}  // namespace meteoflow
