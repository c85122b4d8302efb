#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace zxvp {

// A data (or unified) cache level as the operating system describes it.
struct CacheLevel {
  uint64_t level = 0;  // 1 nearest the core
  uint64_t size_bytes = 0;
  uint64_t ways = 0;
  uint64_t line_bytes = 0;
  bool shared = false;  // with other CPUs (shared_cpu_list names more than one)
};

// The data caches of a CPU, nearest first; empty when they could not be read, and `note` then
// says why (the calibration measures them instead).
struct CacheGeometry {
  std::vector<CacheLevel> levels;
  std::string note;
};

// Reads Linux's description of cpu0's caches: `root` is /sys/devices/system/cpu/cpu0/cache on a
// real machine, with an index<N>/ directory per cache (level, type, size, ways_of_associativity,
// coherency_line_size, shared_cpu_list). Instruction caches are left out.
CacheGeometry read_cache_geometry(const std::string& root = "/sys/devices/system/cpu/cpu0/cache");

}  // namespace zxvp
