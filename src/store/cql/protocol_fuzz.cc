// libFuzzer target for the CQL response decoder: the first 9 bytes are a frame header, the rest
// its body. Any input must decode or fail with a Status -- never crash, hang or over-allocate.
// Build: cmake -DMF_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++; run: build/src/cql_protocol_fuzz
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "store/cql/protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace meteoflow::cql;
  if (size < kHeaderSize) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto header = DecodeResponseHeader(bytes.substr(0, kHeaderSize));
  FrameHeader h;
  if (header.ok()) {
    h = *header;
  } else {
    h.opcode = static_cast<uint8_t>(data[4] % (kAuthSuccess + 1));
    h.flags = data[1];
  }
  auto response = DecodeResponse(h, bytes.substr(kHeaderSize));
  if (response.ok() && response->result_kind == 2) {
    for (const auto& row : response->rows.cells) {
      for (size_t c = 0; c < row.size() && c < response->rows.columns.size(); ++c) {
        (void)DecodeValue(response->rows.columns[c].type, row[c]);
      }
    }
  }
  return 0;
}
