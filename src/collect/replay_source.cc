#include "collect/replay_source.h"

#include <simdjson.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
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
      const char* begin = buffer_.data() + start_;
      const void* newline = std::memchr(begin, '\n', buffer_.size() - start_);
      const size_t take = newline ? static_cast<const char*>(newline) - begin : buffer_.size() - start_;
      line->append(begin, take);
      start_ += take;
      if (newline) {
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

// Checks every line of `reader` and indexes it, sorted by fetch time (stable); errors name
// "<origin>:<line>".
template <typename Entry>
Status IndexLines(LineReader& reader, const std::string& origin, std::vector<Entry>* index) {
  simdjson::dom::parser parser;
  std::string line;
  uint64_t offset = 0;
  size_t line_no = 0;
  Status read_status;
  while (reader.Next(&line, &offset, &read_status)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = origin + ":" + std::to_string(line_no) + ": ";
    if (line.size() > UINT32_MAX) return Status::InvalidArgument(where + "line longer than 4 GiB");
    Entry entry{Timestamp(), "", offset, static_cast<uint32_t>(line.size())};
    Status s = CheckLine(parser, line, &entry.fetched_at, &entry.location_id);
    if (!s.ok()) return Status::InvalidArgument(where + s.message());
    index->push_back(std::move(entry));
  }
  if (!read_status.ok()) return read_status.WithContext(origin);
  std::stable_sort(index->begin(), index->end(),
                   [](const Entry& a, const Entry& b) { return a.fetched_at < b.fetched_at; });
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<ReplaySource>> ReplaySource::Load(const std::string& name, const std::string& path) {
  File file(std::fopen(path.c_str(), "rb"));
  if (!file) return Status::IOError("replay source '" + name + "': cannot open " + path);
  LineReader reader(file.get());
  std::vector<Line> index;
  MF_RETURN_IF_ERROR(IndexLines(reader, path, &index).WithContext("replay source '" + name + "'"));
  return std::unique_ptr<ReplaySource>(new ReplaySource(name, path, "", std::move(index)));
}

Result<std::unique_ptr<ReplaySource>> ReplaySource::Parse(const std::string& name, const std::string& text,
                                                          const std::string& origin) {
  LineReader reader(text);
  std::vector<Line> index;
  MF_RETURN_IF_ERROR(IndexLines(reader, origin, &index));
  return std::unique_ptr<ReplaySource>(new ReplaySource(name, origin, text, std::move(index)));
}

Result<std::string> ReplaySource::Body(const Line& line, std::FILE* file) const {
  std::string text;
  if (!file) {
    text = text_.substr(line.offset, line.length);
  } else {
    text.resize(line.length);
    if (std::fseek(file, static_cast<long>(line.offset), SEEK_SET) != 0 ||
        std::fread(text.data(), 1, text.size(), file) != text.size()) {
      return Status::IOError(origin_ + ": cannot read back a recorded line (file changed since it was loaded?)");
    }
  }
  auto body = RawResponseText(text);
  if (!body.ok()) return Status::Corruption(origin_ + ": a recorded line changed since the recording was loaded");
  return body;
}

Result<Collected> ReplaySource::Collect(const Interval& interval, const std::vector<Location>& locations) {
  std::set<std::string> wanted;
  for (const auto& l : locations) wanted.insert(l.id);
  File file;
  if (text_.empty() && !index_.empty()) {
    file.reset(std::fopen(origin_.c_str(), "rb"));
    if (!file) return Status::IOError("replay source '" + name_ + "': cannot open " + origin_);
  }
  Collected collected;
  auto first = std::lower_bound(index_.begin(), index_.end(), interval.start,
                                [](const Line& l, Timestamp t) { return l.fetched_at < t; });
  for (auto it = first; it != index_.end() && it->fetched_at < interval.end; ++it) {
    if (!wanted.count(it->location_id)) continue;
    MF_ASSIGN_OR_RETURN(std::string body, Body(*it, file.get()));
    collected.responses.push_back({it->location_id, it->fetched_at, std::move(body)});
  }
  return collected;
}

std::vector<Timestamp> ReplaySource::fetch_times() const {
  std::vector<Timestamp> out;
  for (const auto& l : index_) {
    if (out.empty() || out.back() < l.fetched_at) out.push_back(l.fetched_at);
  }
  return out;
}

std::optional<Interval> ReplaySource::span() const {
  if (index_.empty()) return std::nullopt;
  return Interval{index_.front().fetched_at, index_.back().fetched_at.PlusMillis(1)};
}

}  // namespace meteoflow
