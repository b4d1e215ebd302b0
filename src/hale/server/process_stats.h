// ProcessStats: hale's own process metrics from /proc/self, in Prometheus' standard names
// (process_cpu_seconds_total, process_resident_memory_bytes, ...).
#pragma once

#include <cstdint>
#include <optional>

namespace hale {

struct ProcessStats {
  double cpu_seconds = 0;
  std::uint64_t resident_bytes = 0;
  std::uint64_t virtual_bytes = 0;
  double start_time_seconds = 0;  // since the epoch
  std::uint64_t open_fds = 0;
  std::uint64_t max_fds = 0;
  std::uint64_t threads = 0;
};

// Reads /proc/self; nullopt where /proc is not available.
std::optional<ProcessStats> read_process_stats();

}  // namespace hale
