#include "core/utf8.h"

#include <gtest/gtest.h>

namespace meteoflow {
namespace {

struct Case {
  const char* name;
  std::string bytes;
  std::string escaped;  // what EscapeNonUtf8 gives; == bytes when they are UTF-8
};

TEST(Utf8Test, WellFormedSequencesStayAndEveryOtherByteIsEscaped) {
  const Case cases[] = {
      {"empty", "", ""},
      {"ascii longer than a word", "plain ascii text, 32 bytes long", "plain ascii text, 32 bytes long"},
      {"two, three and four bytes", "F\xC3\xA8s \xE2\x98\x80 \xF0\x9F\x8C\xA7",
       "F\xC3\xA8s \xE2\x98\x80 \xF0\x9F\x8C\xA7"},
      {"the highest code point", "\xF4\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF"},
      {"stray bytes", "\xFF\xFE", "\\xFF\\xFE"},
      {"a lone continuation byte", "a\x80z", "a\\x80z"},
      {"an overlong slash", "\xC0\xAF", "\\xC0\\xAF"},
      {"an overlong three-byte form", "\xE0\x80\xAF", "\\xE0\\x80\\xAF"},
      {"a surrogate", "\xED\xA0\x80", "\\xED\\xA0\\x80"},
      {"above U+10FFFF", "\xF4\x90\x80\x80", "\\xF4\\x90\\x80\\x80"},
      {"cut short at the end", "ok \xE2\x98", "ok \\xE2\\x98"},
      {"a good sequence after a bad byte", "\xFF\xC3\xA8", "\\xFF\xC3\xA8"},
      {"bad bytes past the first word", "{\"name\": \"abcdefgh\xFF\"}", "{\"name\": \"abcdefgh\\xFF\"}"},
      {"NUL and control bytes are UTF-8", std::string("a\0\x01\x1F", 4), std::string("a\0\x01\x1F", 4)},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(IsUtf8(c.bytes), c.bytes == c.escaped) << c.name;
    EXPECT_EQ(EscapeNonUtf8(c.bytes), c.escaped) << c.name;
    EXPECT_TRUE(IsUtf8(EscapeNonUtf8(c.bytes))) << c.name;
  }
}

}  // namespace
}  // namespace meteoflow
