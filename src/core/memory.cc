#include "core/memory.h"

#include <malloc.h>

namespace meteoflow {

void KeepFreedMemory(Workload workload) {
  // Serve blocks up to 1 GiB from the heap and never trim it: freed pages stay mapped for reuse.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, -1);
  if (workload == Workload::kColumnar) mallopt(M_ARENA_MAX, 1);
}

}  // namespace meteoflow
