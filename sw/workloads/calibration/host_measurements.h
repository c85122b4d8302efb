#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "sim/host_description.h"
#include "sw/workloads/calibration/cache_geometry.h"
#include "sw/workloads/calibration/figure.h"

namespace zxvp {

// What `zxvp calibrate` measures on its host, and how often.
struct MeasurementPlan {
  std::vector<uint64_t> latency_sizes;    // working sets of the pointer chase
  std::vector<uint64_t> bandwidth_sizes;  // working sets of the read, write and copy loops
  std::vector<uint64_t> call_sizes;       // sizes of the memcpy and pwrite calls (validation)
  size_t repetitions = 0;                 // of every figure, interleaved
  uint64_t chase_loads = 0;               // dependent loads timed per chase sample
  uint64_t stream_bytes = 0;  // at least this many bytes a bandwidth sample (whole passes)
  uint64_t touch_pages = 0;   // pages per first-touch, fault and commit sample

  static MeasurementPlan full();
  static MeasurementPlan quick();
};

// Every figure is the median of `repetitions` samples taken in rounds, each round sampling every
// figure once (so that a burst of load from another process spreads over all figures instead of
// spoiling one), with the range of the samples as its spread. A sample during whose timed part
// the thread was preempted is taken again (up to four times).
struct HostMeasurements {
  HostDescription host;
  CacheGeometry caches;     // from sysfs; empty, with a note, when it could not be read
  bool huge_pages = false;  // the chase and stream buffers asked for transparent huge pages
  // The core's clock: a chain of dependent register additions, one a cycle on every x86 core.
  Figure clock_mhz;
  // ns per load of a randomised pointer chase (every load's address comes from the one before,
  // the order a random cycle through the lines of the working set).
  Curve latency_ns;
  // GB/s of loops of 32-byte vector loads (read), stores (write), and both (copy: half the
  // working set copied into the other half; bytes copied per second), ordinary loads and
  // stores as STREAM's; and of x86's string copy `rep movsb` (as Zircon's user copy) over the
  // same working sets (empty in measurements saved before it was measured).
  Curve read_gbps;
  Curve write_gbps;
  Curve copy_gbps;
  Curve string_copy_gbps;
  uint64_t stream_bytes = 0;  // a stream sample's passes cover at least this many bytes
  Figure null_syscall_ns;     // syscall(SYS_getppid)
  Figure first_touch_ns;  // per page: the first write to a fresh anonymous page (fault, zero fill)
  // Per page: the first read of a fresh anonymous page, which Linux maps to its shared zero page:
  // a fault that allocates and zeroes nothing.
  Figure fault_ns;
  // Per page: fallocate of a fresh memfd's pages, as the page cache allocates them for a write
  // into a fresh memfd (Linux's ZX_VMO_OP_COMMIT; it zeroes nothing).
  Figure commit_ns;
  // Linux's write path apart from its copy: a pwrite of 1 byte into a page of a memfd that is
  // present (the file's lookup and locks, one page's), and of 2 bytes across the boundary of two
  // present pages (one page more). ns per call.
  Figure pwrite_byte_ns;
  Figure pwrite_two_pages_ns;
  // Validation: glibc memcpy warm (the same call again) and cold (source and destination flushed
  // from the caches); Linux pwrite into a memfd, warm (pages present, the same call again) and
  // cold (a fresh memfd: pages allocated on the way; the source flushed). ns per call.
  Curve memcpy_warm_ns;
  Curve memcpy_cold_ns;
  Curve pwrite_warm_ns;
  Curve pwrite_cold_ns;
  // Samples taken; samples taken again because another process had the CPU meanwhile; samples
  // kept although it still had (after every retake).
  size_t samples = 0;
  size_t retaken_samples = 0;
  size_t preempted_samples = 0;
  std::string date;         // when measuring started, UTC: "2026-12-01 22:45"
  double seconds = 0;       // how long measuring took
  std::string load_before;  // the load averages (1, 5, 15 minutes) before and after measuring
  std::string load_after;
};

// Measures this host as `plan` says; `sysfs_cache_root` is where the cache description is read
// (see read_cache_geometry). Progress lines go to `progress`. Throws std::runtime_error when the
// host refuses a buffer or a memfd.
HostMeasurements measure_host(const MeasurementPlan& plan, const std::string& sysfs_cache_root,
                              std::ostream& progress);

// Every figure with its repetitions' median, low and high, for measurements.json.
boost::json::value to_json(const HostMeasurements& measurements);
// The measurements to_json wrote. Throws std::runtime_error when `json` is not such a file.
HostMeasurements measurements_from_json(const boost::json::value& json);

}  // namespace zxvp
