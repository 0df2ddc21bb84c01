#include "lake/parquet/metadata.h"

#include <gtest/gtest.h>

namespace meteoflow::parquet {
namespace {

FileMeta Sample() {
  FileMeta m;
  m.version = 1;
  SchemaElement root;
  root.name = "schema";
  root.num_children = 3;
  SchemaElement text;
  text.type = 6;
  text.repetition = 1;
  text.name = "city";
  text.converted_type = 0;
  text.logical_type = 1;
  SchemaElement when;
  when.type = 2;
  when.name = "time";
  when.logical_type = 8;
  when.time_unit = 2;
  when.utc_adjusted = false;
  SchemaElement amount;
  amount.type = 1;
  amount.name = "amount";
  amount.converted_type = 5;
  amount.logical_type = 5;
  amount.scale = 2;
  amount.precision = 9;
  m.schema = {root, text, when, amount};
  ColumnChunkMeta c;
  c.type = 6;
  c.path = {"city"};
  c.encodings = {0, 3, 8};
  c.codec = 1;
  c.num_values = 10;
  c.total_uncompressed_size = 120;
  c.total_compressed_size = 80;
  c.data_page_offset = 40;
  c.dictionary_page_offset = 4;
  c.min_value = "Agadir";
  c.max_value = "Rabat";
  c.null_count = 2;
  ColumnChunkMeta t = c;
  t.type = 2;
  t.path = {"time"};
  t.dictionary_page_offset.reset();
  t.min_value = std::string(8, '\1');
  t.max_value = std::string(8, '\2');
  ColumnChunkMeta a = t;
  a.type = 1;
  a.path = {"amount"};
  a.min_value.reset();
  a.max_value.reset();
  a.null_count.reset();
  RowGroupMeta g{{c, t, a}, 10, 360, 4, 240};
  m.row_groups = {g, g};
  m.num_rows = 20;
  m.key_value_metadata = {{"origin", "test"}};
  m.created_by = "meteoflow test";
  m.type_defined_order = true;
  return m;
}

TEST(FileMetaTest, EncodeThenDecodeGivesTheSameFooter) {
  const FileMeta m = Sample();
  const std::string bytes = EncodeFileMeta(m);
  auto back = DecodeFileMeta(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back == m);
  // Each part on its own, so that a difference says where it is.
  EXPECT_TRUE(back->schema == m.schema);
  ASSERT_EQ(back->row_groups.size(), m.row_groups.size());
  for (size_t c = 0; c < m.row_groups[0].columns.size(); ++c) {
    EXPECT_TRUE(back->row_groups[0].columns[c] == m.row_groups[0].columns[c]) << "column " << c;
  }
  EXPECT_EQ(back->key_value_metadata, m.key_value_metadata);
  EXPECT_EQ(back->created_by, m.created_by);
}

TEST(FileMetaTest, EveryTruncationOfAnEncodedFooterIsAnErrorNotACrash) {
  const std::string bytes = EncodeFileMeta(Sample());
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto meta = DecodeFileMeta(reinterpret_cast<const uint8_t*>(bytes.data()), n);
    EXPECT_FALSE(meta.ok()) << "decoded from the first " << n << " of " << bytes.size() << " bytes";
  }
}

}  // namespace
}  // namespace meteoflow::parquet
