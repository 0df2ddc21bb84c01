// KeepFreedMemory: a process-wide allocator policy for meteoflow's binaries. glibc returns every
// allocation above its mmap threshold (at most 32 MB) to the kernel when freed, so a process that
// reads large columns again and again (the lake's Parquet files, a benchmark's rounds) faults every
// page in anew each time. With this policy large blocks come from the heap and freed memory is
// kept for the next allocation -- what arrow's jemalloc/mimalloc pools do for pyarrow.
//
// Call once, early in main, before large allocations. Thread-safety: not for concurrent use.
#pragma once

namespace meteoflow {

void KeepFreedMemory();

}  // namespace meteoflow
