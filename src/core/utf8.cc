#include "core/utf8.h"

#include <cstdint>
#include <cstring>

namespace meteoflow {
namespace {

bool Continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// The length of the well-formed sequence starting at `p` (RFC 3629, table 3-7 of Unicode), or 0.
size_t SequenceLength(const unsigned char* p, size_t left) {
  const unsigned char c = p[0];
  if (c < 0x80) return 1;
  // The allowed range of the second byte for each lead byte.
  unsigned char low = 0x80, high = 0xBF;
  size_t length = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    length = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    length = 3;
    if (c == 0xE0) low = 0xA0;   // no overlongs
    if (c == 0xED) high = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    length = 4;
    if (c == 0xF0) low = 0x90;   // no overlongs
    if (c == 0xF4) high = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (left < length || p[1] < low || p[1] > high) return 0;
  for (size_t i = 2; i < length; ++i) {
    if (!Continuation(p[i])) return 0;
  }
  return length;
}

// Bytes from `i` on that are ASCII, eight at a time.
size_t AsciiRun(const unsigned char* p, size_t i, size_t n) {
  while (i + 8 <= n) {
    uint64_t word;
    std::memcpy(&word, p + i, 8);
    if (word & 0x8080808080808080ULL) break;
    i += 8;
  }
  while (i < n && p[i] < 0x80) ++i;
  return i;
}

}  // namespace

bool IsUtf8(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  for (size_t i = AsciiRun(p, 0, n); i < n; i = AsciiRun(p, i, n)) {
    const size_t length = SequenceLength(p + i, n - i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

std::string EscapeNonUtf8(std::string_view bytes) {
  if (IsUtf8(bytes)) return std::string(bytes);
  static constexpr char kHex[] = "0123456789ABCDEF";
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  std::string out;
  out.reserve(n + 16);
  for (size_t i = 0; i < n;) {
    const size_t length = SequenceLength(p + i, n - i);
    if (length > 0) {
      out.append(bytes.data() + i, length);
      i += length;
      continue;
    }
    out += "\\x";
    out += kHex[p[i] >> 4];
    out += kHex[p[i] & 0xF];
    ++i;
  }
  return out;
}

}  // namespace meteoflow
