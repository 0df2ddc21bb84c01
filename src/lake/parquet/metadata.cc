#include "lake/parquet/metadata.h"

#include <algorithm>

#include "lake/parquet/thrift_compact.h"

namespace meteoflow::parquet {
namespace {

using T = ThriftType;

// Calls `on_field(type, id)` for each field of the struct being read; on_field must consume
// the value (or return false to have it skipped).
template <typename F>
Status ForEachField(ThriftReader& r, F&& on_field) {
  r.BeginStruct();
  for (;;) {
    ThriftType type;
    int16_t id = 0;
    MF_RETURN_IF_ERROR(r.ReadFieldHeader(&type, &id));
    if (type == T::kStop) break;
    bool handled = false;
    MF_RETURN_IF_ERROR(on_field(type, id, &handled));
    if (!handled) MF_RETURN_IF_ERROR(r.Skip(type));
  }
  r.EndStruct();
  return Status::OK();
}

template <typename F>
Status ForEachElement(ThriftReader& r, F&& on_elem) {
  ThriftType elem;
  uint32_t n;
  MF_RETURN_IF_ERROR(r.ReadListHeader(&elem, &n));
  for (uint32_t i = 0; i < n; ++i) MF_RETURN_IF_ERROR(on_elem(elem));
  return Status::OK();
}

Status ExpectStruct(ThriftType t) {
  return t == T::kStruct ? Status::OK() : Status::Corruption("parquet metadata: expected a struct");
}

Status ReadLogicalType(ThriftReader& r, SchemaElement* e) {
  return ForEachField(r, [&](ThriftType t, int16_t id, bool* handled) -> Status {
    if (t != T::kStruct) return Status::OK();
    e->logical_type = id;
    *handled = true;
    return ForEachField(r, [&](ThriftType t2, int16_t id2, bool* h2) -> Status {
      if (id == 8 && id2 == 1 && (t2 == T::kTrue || t2 == T::kFalse)) {  // TIMESTAMP.isAdjustedToUTC
        *h2 = true;
        e->utc_adjusted = ThriftReader::BoolValue(t2);
        return Status::OK();
      }
      if (id == 8 && id2 == 2 && t2 == T::kStruct) {  // TIMESTAMP.unit
        *h2 = true;
        return ForEachField(r, [&](ThriftType, int16_t unit, bool*) -> Status {
          e->time_unit = unit;
          return Status::OK();
        });
      }
      return Status::OK();
    });
  });
}

Status ReadSchemaElement(ThriftReader& r, SchemaElement* e) {
  return ForEachField(r, [&](ThriftType t, int16_t id, bool* handled) -> Status {
    *handled = true;
    int32_t v;
    switch (id) {
      case 1:
        MF_RETURN_IF_ERROR(r.ReadI32(&v));
        e->type = v;
        return Status::OK();
      case 2:
        return r.ReadI32(&e->type_length);
      case 3:
        return r.ReadI32(&e->repetition);
      case 4:
        return r.ReadBinary(&e->name);
      case 5:
        return r.ReadI32(&e->num_children);
      case 6:
        MF_RETURN_IF_ERROR(r.ReadI32(&v));
        e->converted_type = v;
        return Status::OK();
      case 7:
        return r.ReadI32(&e->scale);
      case 8:
        return r.ReadI32(&e->precision);
      case 10:
        MF_RETURN_IF_ERROR(ExpectStruct(t));
        return ReadLogicalType(r, e);
      default:
        *handled = false;
        return Status::OK();
    }
  });
}

Status ReadStatistics(ThriftReader& r, ColumnChunkMeta* c) {
  std::optional<std::string> old_min, old_max;
  Status s = ForEachField(r, [&](ThriftType, int16_t id, bool* handled) -> Status {
    *handled = true;
    std::string v;
    int64_t n;
    switch (id) {
      case 1:
        MF_RETURN_IF_ERROR(r.ReadBinary(&v));
        old_max = v;
        return Status::OK();
      case 2:
        MF_RETURN_IF_ERROR(r.ReadBinary(&v));
        old_min = v;
        return Status::OK();
      case 3:
        MF_RETURN_IF_ERROR(r.ReadI64(&n));
        c->null_count = n;
        return Status::OK();
      case 5:
        MF_RETURN_IF_ERROR(r.ReadBinary(&v));
        c->max_value = v;
        return Status::OK();
      case 6:
        MF_RETURN_IF_ERROR(r.ReadBinary(&v));
        c->min_value = v;
        return Status::OK();
      default:
        *handled = false;
        return Status::OK();
    }
  });
  // The deprecated pair is only trusted for non-string types (signed order).
  if (!c->min_value && old_min && c->type != 6) c->min_value = old_min;
  if (!c->max_value && old_max && c->type != 6) c->max_value = old_max;
  return s;
}

Status ReadColumnMeta(ThriftReader& r, ColumnChunkMeta* c) {
  return ForEachField(r, [&](ThriftType t, int16_t id, bool* handled) -> Status {
    *handled = true;
    int64_t v;
    switch (id) {
      case 1:
        return r.ReadI32(&c->type);
      case 3:
        return ForEachElement(r, [&](ThriftType) -> Status {
          std::string s;
          MF_RETURN_IF_ERROR(r.ReadBinary(&s));
          c->path.push_back(std::move(s));
          return Status::OK();
        });
      case 2:
        return ForEachElement(r, [&](ThriftType) -> Status {
          int32_t e;
          MF_RETURN_IF_ERROR(r.ReadI32(&e));
          c->encodings.push_back(e);
          return Status::OK();
        });
      case 4:
        return r.ReadI32(&c->codec);
      case 5:
        return r.ReadI64(&c->num_values);
      case 6:
        return r.ReadI64(&c->total_uncompressed_size);
      case 7:
        return r.ReadI64(&c->total_compressed_size);
      case 9:
        return r.ReadI64(&c->data_page_offset);
      case 11:
        MF_RETURN_IF_ERROR(r.ReadI64(&v));
        c->dictionary_page_offset = v;
        return Status::OK();
      case 12:
        MF_RETURN_IF_ERROR(ExpectStruct(t));
        return ReadStatistics(r, c);
      default:
        *handled = false;
        return Status::OK();
    }
  });
}

Status ReadRowGroup(ThriftReader& r, RowGroupMeta* g) {
  return ForEachField(r, [&](ThriftType, int16_t id, bool* handled) -> Status {
    *handled = true;
    switch (id) {
      case 1:
        return ForEachElement(r, [&](ThriftType elem) -> Status {
          MF_RETURN_IF_ERROR(ExpectStruct(elem));
          ColumnChunkMeta c;
          bool has_meta = false;
          MF_RETURN_IF_ERROR(ForEachField(r, [&](ThriftType t, int16_t cid, bool* h) -> Status {
            if (cid != 3) return Status::OK();
            *h = true;
            has_meta = true;
            MF_RETURN_IF_ERROR(ExpectStruct(t));
            return ReadColumnMeta(r, &c);
          }));
          if (!has_meta) return Status::Corruption("parquet metadata: column chunk without meta_data");
          g->columns.push_back(std::move(c));
          return Status::OK();
        });
      case 2:
        return r.ReadI64(&g->total_byte_size);
      case 3:
        return r.ReadI64(&g->num_rows);
      case 5:
        return r.ReadI64(&g->file_offset);
      case 6:
        return r.ReadI64(&g->total_compressed_size);
      default:
        *handled = false;
        return Status::OK();
    }
  });
}

void EmptyStruct(ThriftWriter& w, int16_t id) {
  w.FieldStruct(id);
  w.EndStruct();
}

void WriteLogicalType(ThriftWriter& w, const SchemaElement& e) {
  w.FieldStruct(10);
  w.FieldStruct(e.logical_type);
  if (e.logical_type == 8) {  // TIMESTAMP
    w.FieldBool(1, e.utc_adjusted);
    w.FieldStruct(2);
    EmptyStruct(w, e.time_unit);
    w.EndStruct();
  } else if (e.logical_type == 5) {  // DECIMAL
    w.FieldI32(1, e.scale);
    w.FieldI32(2, e.precision);
  }
  w.EndStruct();
  w.EndStruct();
}

void WriteSchemaElement(ThriftWriter& w, const SchemaElement& e) {
  w.ElemStruct();
  if (e.type) w.FieldI32(1, *e.type);
  if (e.type_length > 0) w.FieldI32(2, e.type_length);
  w.FieldI32(3, e.repetition);
  w.FieldBinary(4, e.name);
  if (e.num_children > 0) w.FieldI32(5, e.num_children);
  if (e.converted_type) w.FieldI32(6, *e.converted_type);
  if (e.precision > 0) {
    w.FieldI32(7, e.scale);
    w.FieldI32(8, e.precision);
  }
  if (e.logical_type != 0) WriteLogicalType(w, e);
  w.EndStruct();
}

void WriteStatistics(ThriftWriter& w, const ColumnChunkMeta& c) {
  if (!c.min_value && !c.max_value && !c.null_count) return;
  w.FieldStruct(12);
  const bool signed_order = c.type != 6;  // BYTE_ARRAY sorts unsigned: no deprecated pair
  if (c.max_value && signed_order) w.FieldBinary(1, *c.max_value);
  if (c.min_value && signed_order) w.FieldBinary(2, *c.min_value);
  if (c.null_count) w.FieldI64(3, *c.null_count);
  if (c.max_value) w.FieldBinary(5, *c.max_value);
  if (c.min_value) w.FieldBinary(6, *c.min_value);
  w.EndStruct();
}

void WriteColumnChunk(ThriftWriter& w, const ColumnChunkMeta& c) {
  w.ElemStruct();
  w.FieldI64(2, 0);  // file_offset: deprecated, required
  w.FieldStruct(3);
  w.FieldI32(1, c.type);
  w.FieldList(2, ThriftType::kI32, c.encodings.size());
  for (int32_t e : c.encodings) w.ElemI32(e);
  w.FieldList(3, ThriftType::kBinary, c.path.size());
  for (const std::string& part : c.path) w.ElemBinary(part);
  w.FieldI32(4, c.codec);
  w.FieldI64(5, c.num_values);
  w.FieldI64(6, c.total_uncompressed_size);
  w.FieldI64(7, c.total_compressed_size);
  w.FieldI64(9, c.data_page_offset);
  if (c.dictionary_page_offset) w.FieldI64(11, *c.dictionary_page_offset);
  WriteStatistics(w, c);
  w.EndStruct();
  w.EndStruct();
}

void WriteRowGroup(ThriftWriter& w, const RowGroupMeta& g) {
  w.ElemStruct();
  w.FieldList(1, ThriftType::kStruct, g.columns.size());
  for (const ColumnChunkMeta& c : g.columns) WriteColumnChunk(w, c);
  w.FieldI64(2, g.total_byte_size);
  w.FieldI64(3, g.num_rows);
  w.FieldI64(5, g.file_offset);
  w.FieldI64(6, g.total_compressed_size);
  w.EndStruct();
}

}  // namespace

Result<FileMeta> DecodeFileMeta(const uint8_t* data, size_t size) {
  ThriftReader r(data, size);
  FileMeta meta;
  Status s = ForEachField(r, [&](ThriftType, int16_t id, bool* handled) -> Status {
    *handled = true;
    switch (id) {
      case 1:
        return r.ReadI32(&meta.version);
      case 2:
        return ForEachElement(r, [&](ThriftType elem) -> Status {
          MF_RETURN_IF_ERROR(ExpectStruct(elem));
          SchemaElement e;
          MF_RETURN_IF_ERROR(ReadSchemaElement(r, &e));
          meta.schema.push_back(std::move(e));
          return Status::OK();
        });
      case 3:
        return r.ReadI64(&meta.num_rows);
      case 4:
        return ForEachElement(r, [&](ThriftType elem) -> Status {
          MF_RETURN_IF_ERROR(ExpectStruct(elem));
          RowGroupMeta g;
          MF_RETURN_IF_ERROR(ReadRowGroup(r, &g));
          meta.row_groups.push_back(std::move(g));
          return Status::OK();
        });
      case 5:
        return ForEachElement(r, [&](ThriftType elem) -> Status {
          MF_RETURN_IF_ERROR(ExpectStruct(elem));
          std::pair<std::string, std::string> kv;
          MF_RETURN_IF_ERROR(ForEachField(r, [&](ThriftType, int16_t kid, bool* h) -> Status {
            *h = kid == 1 || kid == 2;
            if (kid == 1) return r.ReadBinary(&kv.first);
            if (kid == 2) return r.ReadBinary(&kv.second);
            return Status::OK();
          }));
          meta.key_value_metadata.push_back(std::move(kv));
          return Status::OK();
        });
      case 6:
        return r.ReadBinary(&meta.created_by);
      case 7:
        return ForEachElement(r, [&](ThriftType elem) -> Status {
          MF_RETURN_IF_ERROR(ExpectStruct(elem));
          return ForEachField(r, [&](ThriftType, int16_t oid, bool*) -> Status {
            meta.type_defined_order = meta.type_defined_order || oid == 1;
            return Status::OK();
          });
        });
      default:
        *handled = false;
        return Status::OK();
    }
  });
  if (!s.ok()) return s;
  if (meta.schema.empty()) return Status::Corruption("parquet metadata: empty schema");
  if (meta.num_rows < 0) return Status::Corruption("parquet metadata: negative num_rows");
  return meta;
}

Result<PageHeader> DecodePageHeader(const uint8_t* data, size_t size, size_t* header_size) {
  ThriftReader r(data, size);
  PageHeader h;
  Status s = ForEachField(r, [&](ThriftType t, int16_t id, bool* handled) -> Status {
    *handled = true;
    switch (id) {
      case 1:
        return r.ReadI32(&h.type);
      case 2:
        return r.ReadI32(&h.uncompressed_size);
      case 3:
        return r.ReadI32(&h.compressed_size);
      case 5:
      case 7:
      case 8:
        MF_RETURN_IF_ERROR(ExpectStruct(t));
        return ForEachField(r, [&](ThriftType ft, int16_t fid, bool* h2) -> Status {
          *h2 = true;
          if (fid == 1) return r.ReadI32(&h.num_values);
          if (id == 8) {
            if (fid == 2) return r.ReadI32(&h.num_nulls);
            if (fid == 4) return r.ReadI32(&h.encoding);
            if (fid == 5) return r.ReadI32(&h.def_levels_bytes);
            if (fid == 6) return r.ReadI32(&h.rep_levels_bytes);
            if (fid == 7) {
              h.is_compressed = ThriftReader::BoolValue(ft);
              return Status::OK();
            }
          } else if (fid == 2) {
            return r.ReadI32(&h.encoding);
          }
          *h2 = false;
          return Status::OK();
        });
      default:
        *handled = false;
        return Status::OK();
    }
  });
  if (!s.ok()) return s;
  if (h.uncompressed_size < 0 || h.compressed_size < 0 || h.num_values < 0 || h.def_levels_bytes < 0 ||
      h.rep_levels_bytes < 0) {
    return Status::Corruption("parquet page header: negative size or count");
  }
  *header_size = r.consumed();
  return h;
}

std::string EncodeFileMeta(const FileMeta& meta) {
  std::string out;
  ThriftWriter w(&out);
  w.BeginStruct();
  w.FieldI32(1, meta.version);
  w.FieldList(2, ThriftType::kStruct, meta.schema.size());
  for (const SchemaElement& e : meta.schema) WriteSchemaElement(w, e);
  w.FieldI64(3, meta.num_rows);
  w.FieldList(4, ThriftType::kStruct, meta.row_groups.size());
  for (const RowGroupMeta& g : meta.row_groups) WriteRowGroup(w, g);
  if (!meta.key_value_metadata.empty()) {
    w.FieldList(5, ThriftType::kStruct, meta.key_value_metadata.size());
    for (const auto& [key, value] : meta.key_value_metadata) {
      w.ElemStruct();
      w.FieldBinary(1, key);
      w.FieldBinary(2, value);
      w.EndStruct();
    }
  }
  if (!meta.created_by.empty()) w.FieldBinary(6, meta.created_by);
  if (meta.type_defined_order) {
    const size_t leaves = static_cast<size_t>(std::count_if(meta.schema.begin(), meta.schema.end(),
                                                            [](const SchemaElement& e) { return e.type.has_value(); }));
    w.FieldList(7, ThriftType::kStruct, leaves);
    for (size_t i = 0; i < leaves; ++i) {
      w.ElemStruct();
      EmptyStruct(w, 1);
      w.EndStruct();
    }
  }
  w.EndStruct();
  return out;
}

}  // namespace meteoflow::parquet
