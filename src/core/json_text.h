// JsonText: a nlohmann JSON value as text for an HTTP reply or an output line. Strings that are
// not UTF-8 (the store can hold bytes that came from outside) become U+FFFD instead of the
// exception nlohmann's default throws, so one odd value cannot fail a whole reply.
//
// Thread-safety: a pure function.
#pragma once

#include <string>

namespace meteoflow {

template <typename Json>
std::string JsonText(const Json& value, int indent = -1) {
  return value.dump(indent, ' ', false, Json::error_handler_t::replace);
}

}  // namespace meteoflow
