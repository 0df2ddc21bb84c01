// ParallelFor: runs fn(i) for i in [0, n) on up to `threads` threads (0: one per core), each
// index exactly once, and returns when all are done. fn must be safe to call concurrently for
// different indices; it must not throw.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace meteoflow {

template <typename Fn>
void ParallelFor(size_t n, Fn&& fn, size_t threads = 0) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads, n);
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < n;) fn(i);
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  if (n > 0) work();
  for (auto& t : pool) t.join();
}

}  // namespace meteoflow
