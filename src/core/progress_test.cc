#include "core/progress.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace meteoflow {
namespace {

TEST(ProgressLineTest, FormatsBarCountRateAndEta) {
  const struct {
    int64_t done, total;
    double seconds;
    const char* want;
  } cases[] = {
      {201600, 403200, 4.0, "transform [##########..........] 201,600/403,200 records  50,400/s  ETA 4.0 s"},
      {403200, 403200, 8.0, "transform [####################] 403,200/403,200 records  50,400/s"},
      {0, 1000, 0.0, "transform [....................] 0/1,000 records"},
      {1234567, 0, 2.0, "transform 1,234,567 records  617,283/s"},
  };
  for (const auto& c : cases) EXPECT_EQ(ProgressLine::Format("transform", c.done, c.total, c.seconds), c.want);
}

TEST(ProgressLineTest, DrawsInPlaceAndEndsTheLine) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  {
    ProgressLine line("land", out, /*force=*/true);
    line.Update(10, 20);
    line.Update(20, 20);
  }
  std::rewind(out);
  std::string text(4096, '\0');
  text.resize(std::fread(text.data(), 1, text.size(), out));
  std::fclose(out);
  EXPECT_EQ(text.rfind('\r', 0), 0u);
  EXPECT_NE(text.find("20/20 records"), std::string::npos) << text;
  EXPECT_EQ(text.back(), '\n');
}

TEST(ProgressLineTest, SilentWhenNotATerminal) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  {
    ProgressLine line("land", out);
    EXPECT_FALSE(line.enabled());
    line.Update(5, 10);
  }
  EXPECT_EQ(std::ftell(out), 0);
  std::fclose(out);
}

}  // namespace
}  // namespace meteoflow
