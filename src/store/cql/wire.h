// Byte-level building blocks of the CQL native protocol v4 (big-endian): a bounds-checked reader
// for bodies received from a server and a writer for request bodies. The reader never reads past
// its input: every short or lying length becomes a Corruption status naming what was being read.
//
// Thread-safety: values; one reader or writer per thread.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace meteoflow::cql {

class WireReader {
 public:
  explicit WireReader(std::string_view data) : data_(data) {}

  Result<uint8_t> Byte(const char* what);
  Result<uint16_t> Short(const char* what);
  Result<int32_t> Int(const char* what);
  Result<int64_t> Long(const char* what);
  Result<std::string> String(const char* what);      // [string]
  Result<std::string> LongString(const char* what);  // [long string]
  // [bytes]: nullopt for a negative length (null).
  Result<std::optional<std::string>> Bytes(const char* what);
  Result<std::string> ShortBytes(const char* what);
  Result<std::vector<std::string>> StringList(const char* what);
  Result<std::map<std::string, std::vector<std::string>>> StringMultimap(const char* what);
  Result<std::string_view> Raw(size_t n, const char* what);
  size_t remaining() const { return data_.size() - at_; }

 private:
  Status Short(size_t n, const char* what) const;
  std::string_view data_;
  size_t at_ = 0;
};

class WireWriter {
 public:
  void Byte(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void Short(uint16_t v);
  void Int(int32_t v);
  void Long(int64_t v);
  void String(std::string_view s);
  void LongString(std::string_view s);
  void Bytes(const std::optional<std::string>& b);  // nullopt: null ([int] -1)
  void ShortBytes(std::string_view b);
  void StringMap(const std::map<std::string, std::string>& m);
  void Raw(std::string_view b) { out_.append(b); }
  std::string& data() { return out_; }

 private:
  std::string out_;
};

}  // namespace meteoflow::cql
