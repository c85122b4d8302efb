#include "sw/workloads/calibration/validation.h"

#include <algorithm>
#include <filesystem>

namespace zxvp {

namespace {

constexpr uint64_t kChaseLoads = 4096;
constexpr uint64_t kPageBytes = 4096;
constexpr uint64_t kTouchedPages = 256;

std::vector<Comparison> compare(const Curve& measured, const std::vector<ModelResult>& results,
                                size_t first, bool warm) {
  std::vector<Comparison> points;
  for (size_t i = 0; i < measured.size(); ++i) {
    const ModelResult& result = results[first + i];
    points.push_back({measured[i].bytes, measured[i].value, warm ? result.warm_ns : result.ns});
  }
  return points;
}

}  // namespace

Validation validate(const HostMeasurements& host, const std::string& platform_file,
                    const Simulate& simulate) {
  const std::string platform = std::filesystem::absolute(platform_file).string();
  // memcpy takes no lock between pages: its copies run in a page loop that does not wait for
  // the memory work before each page (as Zircon's, whatever the platform says); the pwrites run
  // in the platform's.
  ModelMachine copies;
  copies.platform = platform;
  copies.params.emplace_back("kernel.page_lookup_waits", "false");
  for (const CurvePoint& point : host.memcpy_warm_ns)
    copies.workloads.push_back({ModelWorkloadKind::vmo_write_committed, point.bytes, 0});
  ModelMachine calls;  // the pwrite sizes, then the kernel's costs a page
  calls.platform = platform;
  for (const CurvePoint& point : host.pwrite_warm_ns)
    calls.workloads.push_back({ModelWorkloadKind::vmo_write_fresh, point.bytes, 0});
  const size_t page_costs = calls.workloads.size();
  calls.workloads.push_back({ModelWorkloadKind::fault_present, 0, kTouchedPages});
  calls.workloads.push_back({ModelWorkloadKind::commit, 0, kTouchedPages});
  calls.workloads.push_back({ModelWorkloadKind::first_touch, 0, kTouchedPages});
  ModelMachine loops;  // the chase and the copy loop need room in the middle of memory
  loops.platform = platform;
  loops.params.emplace_back("memory.size", "2GiB");
  for (const CurvePoint& point : host.latency_ns)
    loops.workloads.push_back({ModelWorkloadKind::chase, point.bytes, kChaseLoads});
  for (const CurvePoint& point : host.copy_gbps) {  // as many passes as the host's loop made
    loops.workloads.push_back({ModelWorkloadKind::copy_stream, point.bytes,
                               std::max<uint64_t>(1, host.stream_bytes / point.bytes)});
  }
  const std::vector<std::vector<ModelResult>> results = simulate({copies, calls, loops});

  Validation validation;
  const std::string committed = "zx_vmo_write `copy` phase, pages committed, no wait a page";
  const std::string fresh = "whole zx_vmo_write";
  validation.validation = {
      {"memcpy warm", "ns", committed + ", the same call again",
       compare(host.memcpy_warm_ns, results[0], 0, true)},
      {"memcpy cold", "ns", committed + ", from a settled machine",
       compare(host.memcpy_cold_ns, results[0], 0, false)},
      {"pwrite warm", "ns", fresh + ", the same call again (pages committed)",
       compare(host.pwrite_warm_ns, results[1], 0, true)},
      {"pwrite cold", "ns", fresh + " into a fresh VMO, from a settled machine",
       compare(host.pwrite_cold_ns, results[1], 0, false)},
  };
  Series chase{"chase", "ns a load", "dependent physical loads, a random cycle", {}};
  for (size_t i = 0; i < host.latency_ns.size(); ++i) {
    chase.points.push_back({host.latency_ns[i].bytes, host.latency_ns[i].value, results[2][i].ns});
  }
  Series copy{"copy loop", "GB/s", "the core's copy of half the working set into the other", {}};
  for (size_t i = 0; i < host.copy_gbps.size(); ++i) {
    const ModelResult& result = results[2][host.latency_ns.size() + i];
    copy.points.push_back({host.copy_gbps[i].bytes, host.copy_gbps[i].value,
                           static_cast<double>(host.copy_gbps[i].bytes / 2) / result.ns});
  }
  validation.fitting = {chase, copy};
  const std::pair<const char*, const Figure*> pages[] = {
      {"zero-page fault", &host.fault_ns},
      {"commit (fallocate)", &host.commit_ns},
      {"first touch, not fitted", &host.first_touch_ns}};
  for (size_t i = 0; i < std::size(pages); ++i) {
    validation.page_costs.push_back(
        {pages[i].first,
         "ns a page",
         "",
         {{kPageBytes, *pages[i].second, results[1][page_costs + i].ns}}});
  }
  return validation;
}

}  // namespace zxvp
