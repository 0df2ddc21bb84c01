// UTF-8 checks for bytes that come from outside (message keys and payloads) on their way into
// places that must hold UTF-8 text: Parquet STRING columns (DuckDB refuses to read a file with one
// bad value), JSON, Cassandra `text`.
//
// EscapeNonUtf8 keeps every well-formed UTF-8 sequence (RFC 3629: no overlongs, no surrogates,
// nothing above U+10FFFF) and writes each other byte as the four characters `\xHH` (upper-case
// hex). Text with such an escape is never valid JSON (`\x` is not a JSON escape, and a backslash
// outside a string is not JSON either), so a payload that was not UTF-8 stays "not JSON".
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace meteoflow {

// True when `bytes` is well-formed UTF-8.
bool IsUtf8(std::string_view bytes);
// `bytes` with each byte outside a well-formed sequence written as `\xHH`; `bytes` itself when it
// is UTF-8.
std::string EscapeNonUtf8(std::string_view bytes);

}  // namespace meteoflow
