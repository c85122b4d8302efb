#include "sw/workloads/calibration/host_measurements.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <iomanip>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>

#if !defined(__x86_64__)
#error "zxvp calibrate measures x86-64 hosts (clflush, the add chain of the clock)"
#endif
#include <immintrin.h>

namespace zxvp {

namespace {

constexpr uint64_t KiB = 1024;
constexpr uint64_t MiB = 1024 * KiB;
constexpr uint64_t kHugePage = 2 * MiB;
constexpr uint64_t kPage = 4 * KiB;
constexpr uint64_t kLine = 64;

using HostClock = std::chrono::steady_clock;

double ns_between(HostClock::time_point start, HostClock::time_point end) {
  return std::chrono::duration<double, std::nano>(end - start).count();
}

std::vector<uint64_t> sizes(uint64_t from, uint64_t to, uint64_t factor) {
  std::vector<uint64_t> list;
  for (uint64_t size = from; size <= to; size *= factor)
    list.push_back(size);
  return list;
}

// Anonymous memory, 2 MiB aligned, written once so that every page is present. `huge` asks for
// transparent huge pages: the chase then measures the caches and memory rather than page walks
// (what the model's physical chase sees).
class Buffer {
 public:
  Buffer(uint64_t bytes, bool huge) : bytes_(bytes), mapped_(bytes + kHugePage) {
    base_ = mmap(nullptr, mapped_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base_ == MAP_FAILED) {
      throw std::runtime_error("cannot map " + std::to_string(bytes >> 20) +
                               " MiB: " + std::strerror(errno));
    }
    const auto address = reinterpret_cast<uintptr_t>(base_);
    data_ = reinterpret_cast<char*>((address + kHugePage - 1) / kHugePage * kHugePage);
    madvise(data_, bytes_, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
    std::memset(data_, 0x5A, bytes_);
  }
  ~Buffer() { munmap(base_, mapped_); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  char* data() const { return data_; }
  uint64_t size() const { return bytes_; }

 private:
  uint64_t bytes_;
  uint64_t mapped_;
  void* base_ = nullptr;
  char* data_ = nullptr;
};

bool transparent_huge_pages() {
  std::ifstream file("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string modes;
  std::getline(file, modes);
  return modes.find("[always]") != std::string::npos ||
         modes.find("[madvise]") != std::string::npos;
}

void flush(const char* data, uint64_t bytes) {
  for (uint64_t offset = 0; offset < bytes; offset += kLine)
    _mm_clflush(data + offset);
  _mm_mfence();
}

// Called through a volatile pointer: the compiler may neither inline it nor drop a call whose
// result looks unused.
void* (*volatile host_memcpy)(void*, const void*, size_t) = std::memcpy;

// The stream loops move 32-byte vectors, as glibc's memcpy does on this class of core: compiled
// for AVX2 and for plain x86-64 (16-byte halves), the clone the core runs chosen when the
// program loads (called through that choice, they are never inlined: clang refuses noinline
// with target_clones). may_alias: they read and write a char buffer; unsigned: the sums wrap.
using Vector = unsigned long long __attribute__((vector_size(32), may_alias));
#define ZXVP_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))

// Two lines an iteration, into four sums: a loop of one line and two sums runs at half the rate
// a core's loads allow (its additions and its loop overhead are the limit, not the L1).
ZXVP_VECTOR_CLONES uint64_t read_pass(const char* data, uint64_t bytes) {
  Vector a{}, b{}, c{}, d{};
  for (uint64_t offset = 0; offset + 2 * kLine <= bytes; offset += 2 * kLine) {
    a += *reinterpret_cast<const Vector*>(data + offset);
    b += *reinterpret_cast<const Vector*>(data + offset + 32);
    c += *reinterpret_cast<const Vector*>(data + offset + 64);
    d += *reinterpret_cast<const Vector*>(data + offset + 96);
  }
  const Vector sum = a + b + c + d;
  return sum[0] + sum[1] + sum[2] + sum[3];
}

ZXVP_VECTOR_CLONES void write_pass(char* data, uint64_t bytes) {
  // A value that changes every line, so that the loop is not turned into memset.
  Vector value{1, 2, 3, 4};
  for (uint64_t offset = 0; offset < bytes; offset += kLine) {
    *reinterpret_cast<Vector*>(data + offset) = value;
    *reinterpret_cast<Vector*>(data + offset + 32) = value;
    value += 1;
    asm volatile("" : : : "memory");  // a loop of stores, never a call to memset
  }
}

// Ordinary loads and stores, as STREAM's copy and glibc's memcpy beyond its `rep movsb` range.
// Two lines an iteration, loaded before they are stored, so that the L1's store port and not the
// loop is the limit.
ZXVP_VECTOR_CLONES void copy_pass(char* destination, const char* source, uint64_t bytes) {
  for (uint64_t offset = 0; offset + 2 * kLine <= bytes; offset += 2 * kLine) {
    const Vector first = *reinterpret_cast<const Vector*>(source + offset);
    const Vector second = *reinterpret_cast<const Vector*>(source + offset + 32);
    const Vector third = *reinterpret_cast<const Vector*>(source + offset + 64);
    const Vector fourth = *reinterpret_cast<const Vector*>(source + offset + 96);
    *reinterpret_cast<Vector*>(destination + offset) = first;
    *reinterpret_cast<Vector*>(destination + offset + 32) = second;
    *reinterpret_cast<Vector*>(destination + offset + 64) = third;
    *reinterpret_cast<Vector*>(destination + offset + 96) = fourth;
    asm volatile("" : : : "memory");  // a loop of loads and stores, never a call to memcpy
  }
}

// x86's string copy, `rep movsb`: what Zircon's x86 user copy runs and glibc's memcpy runs over
// most sizes. Cores with fast strings move whole lines with it, faster than vector stores can
// where the L1 is the limit.
void string_copy_pass(char* destination, const char* source, uint64_t bytes) {
  asm volatile("rep movsb" : "+D"(destination), "+S"(source), "+c"(bytes) : : "memory");
}

// A random cycle through the lines of `buffer`: each line holds the address of the next
// (Sattolo's shuffle gives a single cycle, so every start walks every line).
void link_chase(const Buffer& buffer, std::mt19937_64& random) {
  const uint64_t lines = buffer.size() / kLine;
  std::vector<uint32_t> next(lines);
  for (uint64_t i = 0; i < lines; ++i)
    next[i] = static_cast<uint32_t>(i);
  for (uint64_t i = lines - 1; i > 0; --i) {
    std::uniform_int_distribution<uint64_t> pick(0, i - 1);
    std::swap(next[i], next[pick(random)]);
  }
  for (uint64_t i = 0; i < lines; ++i) {
    *reinterpret_cast<char**>(buffer.data() + i * kLine) = buffer.data() + next[i] * kLine;
  }
}

__attribute__((noinline)) char* chase(char* from, uint64_t loads) {
  char* at = from;
  for (uint64_t i = 0; i < loads; ++i) {
    at = *reinterpret_cast<char**>(at);
    asm volatile("" : "+r"(at));  // every load happens, one after the other
  }
  return at;
}

// `additions` dependent register additions: one a cycle.
__attribute__((noinline)) uint64_t add_chain(uint64_t additions) {
  uint64_t value = 0;
  const uint64_t one = 1;
  for (uint64_t i = 0; i < additions; i += 16) {
    asm volatile(
        "add %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\t"
        "add %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\t"
        "add %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\t"
        "add %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0"
        : "+r"(value)
        : "r"(one));
  }
  return value;
}

// A memfd, closed (and its pages freed) when it goes.
class Memfd {
 public:
  Memfd() : fd_(memfd_create("zxvp-calibrate", MFD_CLOEXEC)) {
    if (fd_ < 0) throw std::runtime_error(std::string("memfd_create: ") + std::strerror(errno));
  }
  ~Memfd() { close(fd_); }
  Memfd(const Memfd&) = delete;
  Memfd& operator=(const Memfd&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

void write_all(int fd, const char* data, uint64_t bytes) {
  for (uint64_t done = 0; done < bytes;) {
    const ssize_t written = pwrite(fd, data + done, bytes - done, static_cast<off_t>(done));
    if (written <= 0) throw std::runtime_error(std::string("pwrite: ") + std::strerror(errno));
    done += static_cast<uint64_t>(written);
  }
}

// Times a region of a sample and tells whether the thread lost its CPU meanwhile (another
// process ran on it: the time is not the workload's alone).
class Stopwatch {
 public:
  void start() {
    switches_ = involuntary_switches();
    start_ = HostClock::now();
  }
  // ns since start().
  double stop() {
    const double ns = ns_between(start_, HostClock::now());
    preempted_ = involuntary_switches() != switches_;
    return ns;
  }
  bool preempted() const { return preempted_; }

 private:
  static long involuntary_switches() {
    rusage usage{};
    getrusage(RUSAGE_THREAD, &usage);
    return usage.ru_nivcsw;
  }

  long switches_ = 0;
  HostClock::time_point start_;
  bool preempted_ = false;
};

struct Sample {
  double value = 0;
  bool preempted = false;
};

// One figure to sample: `sample` returns one measurement.
struct Probe {
  std::string series;
  uint64_t bytes = 0;
  std::function<Sample()> sample;
  std::vector<double> samples;
};

// A sample during which the thread was preempted is taken again, up to this many times.
constexpr int kRetakes = 4;

// The load averages as /proc/loadavg gives them: "1.20 0.80 0.55".
std::string load_average() {
  std::ifstream file("/proc/loadavg");
  std::string one, five, fifteen;
  file >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

// The steady clock's own cost, taken off single-call samples.
double timer_overhead_ns() {
  std::vector<double> samples;
  for (int i = 0; i < 1001; ++i) {
    const auto start = HostClock::now();
    samples.push_back(ns_between(start, HostClock::now()));
  }
  return median_of(samples);
}

// How many back-to-back calls of `bytes` make a sample long enough to time well (~20 us).
uint64_t calls_for(uint64_t bytes) {
  return std::max<uint64_t>(1, 256 * KiB / bytes);
}

}  // namespace

MeasurementPlan MeasurementPlan::full() {
  MeasurementPlan plan;
  plan.latency_sizes = sizes(4 * KiB, 256 * MiB, 2);
  plan.bandwidth_sizes = sizes(8 * KiB, 256 * MiB, 2);
  plan.call_sizes = sizes(4 * KiB, 64 * MiB, 2);
  plan.repetitions = 15;
  plan.chase_loads = 1 << 14;
  plan.stream_bytes = 8 * MiB;
  plan.touch_pages = 1024;
  return plan;
}

MeasurementPlan MeasurementPlan::quick() {
  MeasurementPlan plan;
  plan.latency_sizes = sizes(4 * KiB, 256 * MiB, 4);
  plan.bandwidth_sizes = sizes(8 * KiB, 128 * MiB, 4);
  plan.call_sizes = sizes(4 * KiB, 64 * MiB, 4);
  plan.repetitions = 3;
  plan.chase_loads = 1 << 13;
  plan.stream_bytes = 2 * MiB;
  plan.touch_pages = 256;
  return plan;
}

HostMeasurements measure_host(const MeasurementPlan& plan, const std::string& sysfs_cache_root,
                              std::ostream& progress) {
  const auto started = HostClock::now();
  HostMeasurements m;
  m.load_before = load_average();
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::ostringstream date;
  date << std::put_time(&utc, "%Y-%m-%d %H:%M UTC");
  m.date = date.str();
  m.host = describe_this_host();
  m.caches = read_cache_geometry(sysfs_cache_root);
  m.huge_pages = transparent_huge_pages();
  m.stream_bytes = plan.stream_bytes;
  const double overhead_ns = timer_overhead_ns();

  std::vector<Probe> probes;
  auto add = [&probes](std::string series, uint64_t bytes, std::function<Sample()> sample) {
    probes.push_back({std::move(series), bytes, std::move(sample), {}});
  };

  add("clock", 0, [] {
    constexpr uint64_t kAdditions = 1 << 20;
    Stopwatch watch;
    watch.start();
    volatile uint64_t sink = add_chain(kAdditions);
    (void)sink;
    return Sample{kAdditions * 1e3 / watch.stop(), watch.preempted()};
  });

  // The chase: a buffer of its own per working set, linked once.
  std::mt19937_64 random(20240515);
  std::vector<std::unique_ptr<Buffer>> chase_buffers;
  for (const uint64_t bytes : plan.latency_sizes) {
    chase_buffers.push_back(std::make_unique<Buffer>(bytes, true));
    link_chase(*chase_buffers.back(), random);
    const Buffer& buffer = *chase_buffers.back();
    const uint64_t loads = plan.chase_loads;
    // Warm-up: a whole cycle brings a working set a cache can hold into it; past 16 MiB (more
    // than one core gets of a cache on the machines this is for) enough loads for a steady
    // state do.
    const uint64_t warm_up = bytes <= 16 * MiB ? bytes / kLine : loads;
    add("latency", bytes, [&buffer, loads, warm_up] {
      char* at = chase(buffer.data(), warm_up);
      Stopwatch watch;
      watch.start();
      at = chase(at, loads);
      const double ns = watch.stop();
      volatile char* sink = at;
      (void)sink;
      return Sample{ns / static_cast<double>(loads), watch.preempted()};
    });
  }

  // The streams: reads and writes over the first W bytes of `first`, copies of W / 2 of it
  // into `second`, in huge pages as the chase (the fitted copy translates nothing). The calls
  // go from `source` to `destination`, in the small pages a program gets by default, as the
  // buffers of zx_vmo_write are.
  const uint64_t largest_stream =
      plan.bandwidth_sizes.empty()
          ? 0
          : *std::max_element(plan.bandwidth_sizes.begin(), plan.bandwidth_sizes.end());
  const uint64_t largest_call =
      plan.call_sizes.empty() ? 0
                              : *std::max_element(plan.call_sizes.begin(), plan.call_sizes.end());
  const Buffer first(std::max(largest_stream, kPage), true);
  const Buffer second(std::max(largest_stream / 2, kPage), true);
  const Buffer source(std::max(largest_call, kPage), false);
  const Buffer destination(std::max(largest_call, kPage), false);
  for (const uint64_t bytes : plan.bandwidth_sizes) {
    // After a pass to bring the working set into the caches that hold it, whole passes over it
    // (at least `stream_bytes`): the steady state of a loop over that working set.
    const uint64_t passes = std::max<uint64_t>(1, plan.stream_bytes / bytes);
    // `pass(length)` goes over the first `length` bytes of the working set; the figure is
    // bytes a ns of the working set x `share` (reads and writes: all; a copy: the half copied).
    auto stream = [bytes, passes](double share, const std::function<void(uint64_t)>& pass) {
      pass(bytes);
      Stopwatch watch;
      watch.start();
      for (uint64_t i = 0; i < passes; ++i)
        pass(bytes);
      const double ns = watch.stop();
      return Sample{share * static_cast<double>(bytes * passes) / ns, watch.preempted()};
    };
    add("read", bytes, [&first, stream] {
      volatile uint64_t sink = 0;
      return stream(1.0, [&](uint64_t length) { sink = sink + read_pass(first.data(), length); });
    });
    add("write", bytes, [&first, stream] {
      return stream(1.0, [&](uint64_t length) { write_pass(first.data(), length); });
    });
    add("copy", bytes, [&first, &second, stream] {
      return stream(0.5,
                    [&](uint64_t length) { copy_pass(second.data(), first.data(), length / 2); });
    });
    add("string_copy", bytes, [&first, &second, stream] {
      return stream(
          0.5, [&](uint64_t length) { string_copy_pass(second.data(), first.data(), length / 2); });
    });
  }

  add("null_syscall", 0, [] {
    constexpr int kCalls = 1000;
    Stopwatch watch;
    watch.start();
    for (int i = 0; i < kCalls; ++i)
      syscall(SYS_getppid);
    return Sample{watch.stop() / kCalls, watch.preempted()};
  });
  // A fresh anonymous region, each page touched once by `touch` (a store or a load).
  const uint64_t touch_bytes = plan.touch_pages * kPage;
  auto touch_pages = [touch_bytes](const std::function<void(volatile char*)>& touch) {
    void* region =
        mmap(nullptr, touch_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED) throw std::runtime_error("cannot map a region to touch");
    madvise(region, touch_bytes, MADV_NOHUGEPAGE);
    auto* bytes = static_cast<volatile char*>(region);
    Stopwatch watch;
    watch.start();
    for (uint64_t offset = 0; offset < touch_bytes; offset += kPage)
      touch(bytes + offset);
    const double ns = watch.stop();
    munmap(region, touch_bytes);
    return Sample{ns / static_cast<double>(touch_bytes / kPage), watch.preempted()};
  };
  add("first_touch", 0, [touch_pages] { return touch_pages([](volatile char* at) { *at = 1; }); });
  add("fault", 0, [touch_pages] { return touch_pages([](volatile char* at) { (void)*at; }); });
  // Linux's nearest analog of ZX_VMO_OP_COMMIT: fallocate gives a fresh memfd its pages (the
  // page cache's allocation, charge and insertion, as a pwrite into a fresh memfd does).
  add("commit", 0, [touch_bytes] {
    const Memfd fresh;
    Stopwatch watch;
    watch.start();
    if (fallocate(fresh.fd(), 0, 0, static_cast<off_t>(touch_bytes)) != 0) {
      throw std::runtime_error(std::string("fallocate: ") + std::strerror(errno));
    }
    const double ns = watch.stop();
    return Sample{ns / static_cast<double>(touch_bytes / kPage), watch.preempted()};
  });

  // Small pwrites into two present pages of a memfd: the path's cost per call and per page.
  const Memfd small_file;
  const std::vector<char> two_pages(2 * kPage, 1);
  write_all(small_file.fd(), two_pages.data(), two_pages.size());
  auto small_pwrite = [&source, &small_file](uint64_t bytes, uint64_t offset) {
    constexpr int kCalls = 1000;
    Stopwatch watch;
    watch.start();
    for (int i = 0; i < kCalls; ++i) {
      if (pwrite(small_file.fd(), source.data(), bytes, static_cast<off_t>(offset)) !=
          static_cast<ssize_t>(bytes)) {
        throw std::runtime_error(std::string("pwrite: ") + std::strerror(errno));
      }
    }
    return Sample{watch.stop() / kCalls, watch.preempted()};
  };
  add("pwrite_byte", 0, [small_pwrite] { return small_pwrite(1, 0); });
  add("pwrite_two_pages", 0, [small_pwrite] { return small_pwrite(2, kPage - 1); });

  std::vector<std::unique_ptr<Memfd>> warm_files;
  for (const uint64_t bytes : plan.call_sizes) {
    add("memcpy_warm", bytes, [&source, &destination, bytes] {
      host_memcpy(destination.data(), source.data(), bytes);
      const uint64_t calls = calls_for(bytes);
      Stopwatch watch;
      watch.start();
      for (uint64_t i = 0; i < calls; ++i)
        host_memcpy(destination.data(), source.data(), bytes);
      return Sample{watch.stop() / static_cast<double>(calls), watch.preempted()};
    });
    add("memcpy_cold", bytes, [&source, &destination, bytes, overhead_ns] {
      flush(source.data(), bytes);
      flush(destination.data(), bytes);
      Stopwatch watch;
      watch.start();
      host_memcpy(destination.data(), source.data(), bytes);
      return Sample{watch.stop() - overhead_ns, watch.preempted()};
    });
    warm_files.push_back(std::make_unique<Memfd>());
    const int warm_fd = warm_files.back()->fd();
    write_all(warm_fd, source.data(), bytes);
    add("pwrite_warm", bytes, [&source, bytes, warm_fd] {
      write_all(warm_fd, source.data(), bytes);
      const uint64_t calls = calls_for(bytes);
      Stopwatch watch;
      watch.start();
      for (uint64_t i = 0; i < calls; ++i)
        write_all(warm_fd, source.data(), bytes);
      return Sample{watch.stop() / static_cast<double>(calls), watch.preempted()};
    });
    add("pwrite_cold", bytes, [&source, bytes, overhead_ns] {
      const Memfd fresh;
      flush(source.data(), bytes);
      Stopwatch watch;
      watch.start();
      write_all(fresh.fd(), source.data(), bytes);
      return Sample{watch.stop() - overhead_ns, watch.preempted()};
    });
  }

  progress << "measuring this host: " << probes.size() << " figures, " << plan.repetitions
           << " rounds" << std::flush;
  for (size_t round = 0; round < plan.repetitions; ++round) {
    for (Probe& probe : probes) {
      Sample sample = probe.sample();
      for (int retake = 0; retake < kRetakes && sample.preempted; ++retake) {
        ++m.retaken_samples;
        sample = probe.sample();
      }
      if (sample.preempted) ++m.preempted_samples;
      probe.samples.push_back(sample.value);
    }
    progress << "." << std::flush;
  }
  m.samples = probes.size() * plan.repetitions;

  std::map<std::string, Curve*> curves = {{"latency", &m.latency_ns},
                                          {"read", &m.read_gbps},
                                          {"write", &m.write_gbps},
                                          {"copy", &m.copy_gbps},
                                          {"string_copy", &m.string_copy_gbps},
                                          {"memcpy_warm", &m.memcpy_warm_ns},
                                          {"memcpy_cold", &m.memcpy_cold_ns},
                                          {"pwrite_warm", &m.pwrite_warm_ns},
                                          {"pwrite_cold", &m.pwrite_cold_ns}};
  std::map<std::string, Figure*> figures = {{"clock", &m.clock_mhz},
                                            {"null_syscall", &m.null_syscall_ns},
                                            {"first_touch", &m.first_touch_ns},
                                            {"fault", &m.fault_ns},
                                            {"commit", &m.commit_ns},
                                            {"pwrite_byte", &m.pwrite_byte_ns},
                                            {"pwrite_two_pages", &m.pwrite_two_pages_ns}};
  for (Probe& probe : probes) {
    if (const auto curve = curves.find(probe.series); curve != curves.end()) {
      curve->second->push_back({probe.bytes, Figure::of(std::move(probe.samples))});
    } else {
      *figures.at(probe.series) = Figure::of(std::move(probe.samples));
    }
  }
  m.seconds = ns_between(started, HostClock::now()) * 1e-9;
  m.load_after = load_average();
  progress << " " << static_cast<int>(m.seconds + 0.5) << " s\n";
  return m;
}

boost::json::value to_json(const HostMeasurements& m) {
  auto figure = [](const Figure& f) {
    return boost::json::object{
        {"median", f.median}, {"low", f.low}, {"high", f.high}, {"repetitions", f.repetitions}};
  };
  auto curve = [&figure](const Curve& c) {
    boost::json::array points;
    for (const CurvePoint& point : c) {
      boost::json::object item = figure(point.value);
      item["bytes"] = point.bytes;
      points.push_back(std::move(item));
    }
    return points;
  };
  boost::json::array caches;
  for (const CacheLevel& level : m.caches.levels) {
    caches.push_back({{"level", level.level},
                      {"size_bytes", level.size_bytes},
                      {"ways", level.ways},
                      {"line_bytes", level.line_bytes},
                      {"shared", level.shared}});
  }
  return boost::json::object{{"machine", m.host.summary()},
                             {"host",
                              {{"cpu_model", m.host.cpu_model},
                               {"cores", m.host.cores_online},
                               {"mhz", m.host.clock_mhz.value_or(0)},
                               {"kernel", m.host.kernel}}},
                             {"sysfs_caches", std::move(caches)},
                             {"sysfs_note", m.caches.note},
                             {"huge_pages", m.huge_pages},
                             {"clock_mhz", figure(m.clock_mhz)},
                             {"latency_ns", curve(m.latency_ns)},
                             {"read_gbps", curve(m.read_gbps)},
                             {"write_gbps", curve(m.write_gbps)},
                             {"copy_gbps", curve(m.copy_gbps)},
                             {"string_copy_gbps", curve(m.string_copy_gbps)},
                             {"null_syscall_ns", figure(m.null_syscall_ns)},
                             {"first_touch_ns", figure(m.first_touch_ns)},
                             {"fault_ns", figure(m.fault_ns)},
                             {"commit_ns", figure(m.commit_ns)},
                             {"pwrite_byte_ns", figure(m.pwrite_byte_ns)},
                             {"pwrite_two_pages_ns", figure(m.pwrite_two_pages_ns)},
                             {"memcpy_warm_ns", curve(m.memcpy_warm_ns)},
                             {"memcpy_cold_ns", curve(m.memcpy_cold_ns)},
                             {"pwrite_warm_ns", curve(m.pwrite_warm_ns)},
                             {"pwrite_cold_ns", curve(m.pwrite_cold_ns)},
                             {"samples", m.samples},
                             {"retaken_samples", m.retaken_samples},
                             {"preempted_samples", m.preempted_samples},
                             {"stream_bytes", m.stream_bytes},
                             {"date", m.date},
                             {"load_before", m.load_before},
                             {"load_after", m.load_after},
                             {"seconds", m.seconds}};
}

HostMeasurements measurements_from_json(const boost::json::value& json) {
  try {
    const boost::json::object& object = json.as_object();
    auto figure = [](const boost::json::value& value) {
      const boost::json::object& f = value.as_object();
      return Figure{f.at("median").to_number<double>(), f.at("low").to_number<double>(),
                    f.at("high").to_number<double>(), f.at("repetitions").to_number<size_t>()};
    };
    auto curve = [&figure, &object](const char* key) {
      Curve points;
      for (const auto& item : object.at(key).as_array()) {
        points.push_back({item.at("bytes").to_number<uint64_t>(), figure(item)});
      }
      if (points.empty()) throw std::runtime_error(std::string("no points in ") + key);
      return points;
    };
    HostMeasurements m;
    const boost::json::value& host = object.at("host");
    m.host.cpu_model = host.at("cpu_model").as_string().c_str();
    m.host.cores_online = host.at("cores").to_number<unsigned>();
    if (const double mhz = host.at("mhz").to_number<double>(); mhz > 0) m.host.clock_mhz = mhz;
    m.host.kernel = host.at("kernel").as_string().c_str();
    for (const auto& item : object.at("sysfs_caches").as_array()) {
      m.caches.levels.push_back(
          {item.at("level").to_number<uint64_t>(), item.at("size_bytes").to_number<uint64_t>(),
           item.at("ways").to_number<uint64_t>(), item.at("line_bytes").to_number<uint64_t>(),
           item.at("shared").as_bool()});
    }
    m.caches.note = object.at("sysfs_note").as_string().c_str();
    m.huge_pages = object.at("huge_pages").as_bool();
    m.clock_mhz = figure(object.at("clock_mhz"));
    m.latency_ns = curve("latency_ns");
    m.read_gbps = curve("read_gbps");
    m.write_gbps = curve("write_gbps");
    m.copy_gbps = curve("copy_gbps");
    if (object.contains("string_copy_gbps")) m.string_copy_gbps = curve("string_copy_gbps");
    m.stream_bytes = object.at("stream_bytes").to_number<uint64_t>();
    m.null_syscall_ns = figure(object.at("null_syscall_ns"));
    m.first_touch_ns = figure(object.at("first_touch_ns"));
    m.fault_ns = figure(object.at("fault_ns"));
    m.commit_ns = figure(object.at("commit_ns"));
    m.pwrite_byte_ns = figure(object.at("pwrite_byte_ns"));
    m.pwrite_two_pages_ns = figure(object.at("pwrite_two_pages_ns"));
    m.memcpy_warm_ns = curve("memcpy_warm_ns");
    m.memcpy_cold_ns = curve("memcpy_cold_ns");
    m.pwrite_warm_ns = curve("pwrite_warm_ns");
    m.pwrite_cold_ns = curve("pwrite_cold_ns");
    m.samples = object.at("samples").to_number<size_t>();
    m.retaken_samples = object.at("retaken_samples").to_number<size_t>();
    m.preempted_samples = object.at("preempted_samples").to_number<size_t>();
    m.seconds = object.at("seconds").to_number<double>();
    m.date = object.at("date").as_string().c_str();
    m.load_before = object.at("load_before").as_string().c_str();
    m.load_after = object.at("load_after").as_string().c_str();
    return m;
  } catch (const std::exception& error) {
    throw std::runtime_error(std::string("not measurements of zxvp calibrate: ") + error.what());
  }
}

}  // namespace zxvp
