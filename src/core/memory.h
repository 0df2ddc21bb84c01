// KeepFreedMemory: a process-wide allocator policy for meteoflow's binaries. glibc returns every
// allocation above its mmap threshold (at most 32 MB) to the kernel when freed, so a process that
// reads large columns again and again (the lake's Parquet files, a benchmark's rounds) faults every
// page in anew each time. With this policy large blocks come from the heap and freed memory is
// kept for the next allocation -- what arrow's jemalloc/mimalloc pools do for pyarrow.
//
// The workload decides the arenas. Columnar work gets one: a thread's own arena serves no block
// above 64 MB from its heap, so the column buffers parallel decoding allocates would be mapped and
// unmapped anyway (10 M rows read back in 0.40 s with one arena, 0.50 s with glibc's default).
// Model fitting keeps glibc's default (an arena per thread, up to 8 a core): XGBoost allocates per
// tree node, and threads fitting series side by side queued on the one arena's lock
// (`meteoflow train` on the demo: 8.3 s with one arena, 6.2-6.8 s with the default).
//
// Call once, early in main, before any thread starts. Thread-safety: not for concurrent use.
#pragma once

namespace meteoflow {

enum class Workload { kColumnar, kModelFitting };

void KeepFreedMemory(Workload workload);

}  // namespace meteoflow
