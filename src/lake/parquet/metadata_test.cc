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

void ExpectSameChunk(const ColumnChunkMeta& a, const ColumnChunkMeta& b) {
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.path, b.path);
  EXPECT_EQ(a.encodings, b.encodings);
  EXPECT_EQ(a.codec, b.codec);
  EXPECT_EQ(a.num_values, b.num_values);
  EXPECT_EQ(a.total_uncompressed_size, b.total_uncompressed_size);
  EXPECT_EQ(a.total_compressed_size, b.total_compressed_size);
  EXPECT_EQ(a.data_page_offset, b.data_page_offset);
  EXPECT_EQ(a.dictionary_page_offset, b.dictionary_page_offset);
  EXPECT_EQ(a.min_value, b.min_value);
  EXPECT_EQ(a.max_value, b.max_value);
  EXPECT_EQ(a.null_count, b.null_count);
}

TEST(FileMetaTest, EncodeThenDecodeGivesTheSameFooter) {
  const FileMeta m = Sample();
  const std::string bytes = EncodeFileMeta(m);
  auto back = DecodeFileMeta(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->version, m.version);
  EXPECT_EQ(back->num_rows, m.num_rows);
  EXPECT_EQ(back->created_by, m.created_by);
  EXPECT_EQ(back->key_value_metadata, m.key_value_metadata);
  EXPECT_TRUE(back->type_defined_order);
  ASSERT_EQ(back->schema.size(), m.schema.size());
  for (size_t i = 0; i < m.schema.size(); ++i) {
    const SchemaElement &x = back->schema[i], &y = m.schema[i];
    EXPECT_EQ(x.type, y.type) << y.name;
    EXPECT_EQ(x.repetition, y.repetition) << y.name;
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.num_children, y.num_children) << y.name;
    EXPECT_EQ(x.converted_type, y.converted_type) << y.name;
    EXPECT_EQ(x.logical_type, y.logical_type) << y.name;
    EXPECT_EQ(x.time_unit, y.time_unit) << y.name;
    EXPECT_EQ(x.utc_adjusted, y.utc_adjusted) << y.name;
    EXPECT_EQ(x.scale, y.scale) << y.name;
    EXPECT_EQ(x.precision, y.precision) << y.name;
  }
  ASSERT_EQ(back->row_groups.size(), 2u);
  for (const RowGroupMeta& g : back->row_groups) {
    EXPECT_EQ(g.num_rows, 10);
    EXPECT_EQ(g.total_byte_size, 360);
    EXPECT_EQ(g.file_offset, 4);
    EXPECT_EQ(g.total_compressed_size, 240);
    ASSERT_EQ(g.columns.size(), 3u);
    for (size_t c = 0; c < 3; ++c) ExpectSameChunk(g.columns[c], m.row_groups[0].columns[c]);
  }
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
