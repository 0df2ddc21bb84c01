#include "core/memory.h"

#include <malloc.h>

namespace meteoflow {

void KeepFreedMemory() {
  // Serve blocks up to 1 GiB from the heap and never trim it: freed pages stay mapped for reuse.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, -1);
  // One arena: a thread's own arena serves no block above 64 MB from its heap, so it would mmap
  // (and unmap) those anyway -- the column buffers parallel decoding allocates.
  mallopt(M_ARENA_MAX, 1);
}

}  // namespace meteoflow
