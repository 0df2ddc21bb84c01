#include "store/cql/wire.h"

namespace meteoflow::cql {

Status WireReader::Short(size_t n, const char* what) const {
  return Status::Corruption("cql: " + std::string(what) + ": needs " + std::to_string(n) + " bytes at offset " +
                            std::to_string(at_) + ", the body has " + std::to_string(remaining()) + " left");
}

Result<std::string_view> WireReader::Raw(size_t n, const char* what) {
  if (n > remaining()) return Short(n, what);
  std::string_view out = data_.substr(at_, n);
  at_ += n;
  return out;
}

Result<uint8_t> WireReader::Byte(const char* what) {
  MF_ASSIGN_OR_RETURN(std::string_view b, Raw(1, what));
  return static_cast<uint8_t>(b[0]);
}

Result<uint16_t> WireReader::Short(const char* what) {
  MF_ASSIGN_OR_RETURN(std::string_view b, Raw(2, what));
  return static_cast<uint16_t>((static_cast<uint8_t>(b[0]) << 8) | static_cast<uint8_t>(b[1]));
}

Result<int32_t> WireReader::Int(const char* what) {
  MF_ASSIGN_OR_RETURN(std::string_view b, Raw(4, what));
  uint32_t v = 0;
  for (char c : b) v = (v << 8) | static_cast<uint8_t>(c);
  return static_cast<int32_t>(v);
}

Result<int64_t> WireReader::Long(const char* what) {
  MF_ASSIGN_OR_RETURN(std::string_view b, Raw(8, what));
  uint64_t v = 0;
  for (char c : b) v = (v << 8) | static_cast<uint8_t>(c);
  return static_cast<int64_t>(v);
}

Result<std::string> WireReader::String(const char* what) {
  MF_ASSIGN_OR_RETURN(uint16_t n, Short(what));
  MF_ASSIGN_OR_RETURN(std::string_view b, Raw(n, what));
  return std::string(b);
}

Result<std::string> WireReader::LongString(const char* what) {
  MF_ASSIGN_OR_RETURN(int32_t n, Int(what));
  if (n < 0) return Status::Corruption("cql: " + std::string(what) + ": negative length " + std::to_string(n));
  MF_ASSIGN_OR_RETURN(std::string_view b, Raw(static_cast<size_t>(n), what));
  return std::string(b);
}

Result<std::optional<std::string>> WireReader::Bytes(const char* what) {
  MF_ASSIGN_OR_RETURN(int32_t n, Int(what));
  if (n < 0) return std::optional<std::string>();
  MF_ASSIGN_OR_RETURN(std::string_view b, Raw(static_cast<size_t>(n), what));
  return std::optional<std::string>(std::string(b));
}

Result<std::string> WireReader::ShortBytes(const char* what) { return String(what); }

Result<std::vector<std::string>> WireReader::StringList(const char* what) {
  MF_ASSIGN_OR_RETURN(uint16_t n, Short(what));
  std::vector<std::string> out;
  for (uint16_t i = 0; i < n; ++i) {
    MF_ASSIGN_OR_RETURN(std::string s, String(what));
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::map<std::string, std::vector<std::string>>> WireReader::StringMultimap(const char* what) {
  MF_ASSIGN_OR_RETURN(uint16_t n, Short(what));
  std::map<std::string, std::vector<std::string>> out;
  for (uint16_t i = 0; i < n; ++i) {
    MF_ASSIGN_OR_RETURN(std::string key, String(what));
    MF_ASSIGN_OR_RETURN(out[key], StringList(what));
  }
  return out;
}

void WireWriter::Short(uint16_t v) {
  Byte(static_cast<uint8_t>(v >> 8));
  Byte(static_cast<uint8_t>(v));
}

void WireWriter::Int(int32_t v) {
  const auto u = static_cast<uint32_t>(v);
  for (int shift = 24; shift >= 0; shift -= 8) Byte(static_cast<uint8_t>(u >> shift));
}

void WireWriter::Long(int64_t v) {
  const auto u = static_cast<uint64_t>(v);
  for (int shift = 56; shift >= 0; shift -= 8) Byte(static_cast<uint8_t>(u >> shift));
}

void WireWriter::String(std::string_view s) {
  Short(static_cast<uint16_t>(s.size()));
  Raw(s);
}

void WireWriter::LongString(std::string_view s) {
  Int(static_cast<int32_t>(s.size()));
  Raw(s);
}

void WireWriter::Bytes(const std::optional<std::string>& b) {
  if (!b) return Int(-1);
  Int(static_cast<int32_t>(b->size()));
  Raw(*b);
}

void WireWriter::ShortBytes(std::string_view b) { String(b); }

void WireWriter::StringMap(const std::map<std::string, std::string>& m) {
  Short(static_cast<uint16_t>(m.size()));
  for (const auto& [k, v] : m) {
    String(k);
    String(v);
  }
}

}  // namespace meteoflow::cql
