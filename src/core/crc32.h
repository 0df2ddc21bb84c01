// CRC-32 (IEEE 802.3 polynomial, as in zlib and gzip) over a byte range.
#pragma once

#include <cstddef>
#include <cstdint>

namespace meteoflow {

uint32_t Crc32(const void* data, size_t size, uint32_t seed = 0);

}  // namespace meteoflow
