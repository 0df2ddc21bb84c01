#include "forecast/models/csv_series.h"

#include <gtest/gtest.h>

#include <sstream>

namespace meteoflow::forecast {
namespace {

CsvSeriesSpec Spec(std::string group = "", int64_t step_ms = 0) {
  return {"t.csv", "time", "v", std::move(group), step_ms};
}

Result<GroupedSeries> Read(const std::string& text, const CsvSeriesSpec& spec) {
  std::istringstream in(text);
  return ReadCsvSeries(in, spec);
}

TEST(CsvSeriesTest, SplitsQuotedFields) {
  EXPECT_EQ(SplitCsvRecord(R"(a,"b,c","say ""hi""",)"), (std::vector<std::string>{"a", "b,c", R"(say "hi")", ""}));
  EXPECT_EQ(SplitCsvRecord("x\r"), (std::vector<std::string>{"x"}));
}

struct ReadCase {
  const char* name;
  std::string text;
  CsvSeriesSpec spec;
  GroupedSeries expected;  // when error is empty
  std::string error;       // a part of the expected message
};

TEST(CsvSeriesTest, ReadsAndRefusesTable) {
  const ReadCase cases[] = {
      {"rows sorted by time text",
       "time,v\n2024-01-03,3\n2024-01-01,1\n\n2024-01-02,2\n",
       Spec(),
       {{"", {1, 2, 3}}},
       ""},
      {"groups in order of first row",
       "time,city,v\n1,b,1\n1,a,5\n2,b,2\n",
       Spec("city"),
       {{"b", {1, 2}}, {"a", {5}}},
       ""},
      {"resampled to the step, blank values skipped and filled",
       "time,v\n2024-01-01T00:00Z,1\n2024-01-01T00:10Z,\n2024-01-01T00:20Z,3\n",
       Spec("", 600'000),
       {{"", {1, 2, 3}}},
       ""},
      {"a date is its midnight", "time,v\n2024-01-02,4\n2024-01-01,2\n", Spec("", 86'400'000), {{"", {2, 4}}}, ""},
      {"empty file", "", Spec(), {}, "t.csv: empty file"},
      {"header only", "time,v\n", Spec(), {}, "t.csv: no rows"},
      {"missing column", "when,v\n1,2\n", Spec(), {}, "t.csv: no column 'time'"},
      {"missing group column", "time,v\n1,2\n", Spec("city"), {}, "no column 'city'"},
      {"ragged row", "time,v\n1,2,3\n", Spec(), {}, "t.csv:2: 3 fields, header has 2"},
      {"not a number", "time,v\n1,2\n2,abc\n", Spec(), {}, "t.csv:3: 'abc' in column 'v' is not a number"},
      {"blank without a step", "time,v\n1,\n", Spec(), {}, "t.csv:2: '' in column 'v' is not a number"},
      {"infinity", "time,v\n1,inf\n", Spec(), {}, "is not a number"},
      {"bad time with a step", "time,v\nyesterday,1\n", Spec("", 600'000), {}, "t.csv:2: not a UTC timestamp or date"},
      {"no values at all", "time,v\n2024-01-01T00:00Z,\n", Spec("", 600'000), {}, "no values in column 'v'"},
      {"too many steps",
       "time,v\n1970-01-01T00:00Z,1\n2024-01-01T00:00Z,2\n",
       Spec("", 1000),
       {},
       "more than 10 million steps"},
  };
  for (const ReadCase& c : cases) {
    auto got = Read(c.text, c.spec);
    if (c.error.empty()) {
      ASSERT_TRUE(got.ok()) << c.name << ": " << got.status().ToString();
      EXPECT_EQ(*got, c.expected) << c.name;
    } else {
      ASSERT_FALSE(got.ok()) << c.name;
      EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument) << c.name;
      EXPECT_NE(got.status().message().find(c.error), std::string::npos) << c.name << ": " << got.status().message();
    }
  }
}

TEST(CsvSeriesTest, RegressorsSplitIntoHistoryAndHorizon) {
  std::istringstream in("time,v,x\n3,,30\n1,10,1\n2,20,2\n4,,40\n");
  auto got = ReadCsvWithRegressors(in, Spec(), {"x"});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->y, (std::vector<double>{10, 20}));
  EXPECT_EQ(got->exog, (Regressors{{1, 2}}));
  EXPECT_EQ(got->future, (Regressors{{30, 40}}));
  EXPECT_EQ(got->names, (std::vector<std::string>{"x"}));
}

TEST(CsvSeriesTest, RegressorErrorsNameTheProblem) {
  const std::pair<std::string, std::string> cases[] = {
      {"time,v,x\n1,10,1\n", "needs the regressors over the horizon"},
      {"time,v,x\n1,10,1\n2,,2\n3,30,3\n", "t.csv:4: a value after rows without one"},
      {"time,v,x\n1,10,\n2,,2\n", "t.csv:2: '' in column 'x' is not a number"},
      {"time,v\n1,10\n", "no column 'x'"},
  };
  for (const auto& [text, error] : cases) {
    std::istringstream in(text);
    auto got = ReadCsvWithRegressors(in, Spec(), {"x"});
    ASSERT_FALSE(got.ok()) << text;
    EXPECT_NE(got.status().message().find(error), std::string::npos) << got.status().message();
  }
  std::istringstream in("time,v,x\n");
  EXPECT_EQ(ReadCsvWithRegressors(in, Spec("city"), {"x"}).status().code(), StatusCode::kInvalidArgument);
}

TEST(CsvSeriesTest, AMissingFileIsNotFound) {
  EXPECT_EQ(ReadCsvSeriesFile({"/nonexistent/x.csv", "t", "v", "", 0}).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace meteoflow::forecast
