#include "sw/workloads/calibration/platform_fit.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <stdexcept>

#include "platforms/platform_file.h"
#include "sim/params/units.h"
#include "sw/workloads/calibration/step_fit.h"
#include "sw/workloads/system.h"

namespace zxvp {

namespace {

constexpr size_t kMaxLevels = 4;  // the default assembly's most cache levels
constexpr uint64_t kPageBytes = 4096;

std::string fixed(double value, int digits) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(digits) << value;
  return text.str();
}

std::string integer(double value) {
  return std::to_string(static_cast<uint64_t>(std::llround(std::max(0.0, value))));
}

std::vector<StepPoint> step_points(const Curve& curve) {
  std::vector<StepPoint> points;
  for (const CurvePoint& point : curve) {
    if (point.value.median > 0) points.push_back({point.bytes, point.value.median});
  }
  return points;
}

// How the points of a window make its plateau. Inside a cache level the best point is the
// level's own figure: spilling into the next level and other processes only ever make a
// latency longer and a bandwidth lower. Past the caches the points are alike: their median.
enum class Pick { lowest, highest, median };

// The plateau of a curve's points with working sets in (lower, upper]; the point nearest to
// that range when none is in it.
double plateau(const Curve& curve, uint64_t lower, uint64_t upper, Pick pick) {
  std::vector<double> inside;
  for (const CurvePoint& point : curve) {
    if (point.bytes > lower && point.bytes <= upper) inside.push_back(point.value.median);
  }
  if (!inside.empty()) {
    if (pick == Pick::lowest) return *std::min_element(inside.begin(), inside.end());
    if (pick == Pick::highest) return *std::max_element(inside.begin(), inside.end());
    return median_of(inside);
  }
  const CurvePoint* nearest = &curve.front();
  for (const CurvePoint& point : curve) {
    const double distance =
        std::abs(std::log(static_cast<double>(point.bytes)) - std::log(static_cast<double>(upper)));
    if (distance < std::abs(std::log(static_cast<double>(nearest->bytes)) -
                            std::log(static_cast<double>(upper)))) {
      nearest = &point;
    }
  }
  return nearest->value.median;
}

// The largest cache of `ways` ways of `line` bytes, a power-of-two number of sets, not above
// `bytes` (the model's caches are set-associative with 2^k sets).
uint64_t representable_cache(uint64_t bytes, uint64_t ways, uint64_t line) {
  const uint64_t sets = std::max<uint64_t>(1, bytes / (ways * line));
  return std::bit_floor(sets) * ways * line;
}

// The default platform's parameters, to start from and to read defaults of.
ParameterSet default_parameters() {
  ParameterSet parameters;
  System::declare_parameters(parameters);
  load_platform_file("default", parameters);
  return parameters;
}

using Params = std::vector<std::pair<std::string, std::string>>;

// A cache level as the fit sees it.
struct Level {
  std::string key;  // "cache.l2"
  uint64_t size = 0;
  uint64_t ways = 0;
  bool shared = false;
  std::string described;  // where its size came from
  // Working sets surely on this level's plateau: (lower, upper]. A shared level's share is
  // not known before it is fitted: its window stops at four times the level above.
  uint64_t lower = 0;
  uint64_t upper = 0;
  double latency_ns = 0;  // measured plateaus
  double read_gbps = 0;
  double copy_gbps = 0;
  std::string copy_source = "copy loop";  // what copy_gbps measured
};

// A cache's capacity and associativity (its sets: size / ways / line).
struct Geometry {
  uint64_t size = 0;
  uint64_t ways = 0;
};

// Index of the candidate whose simulated rate is nearest `target`, in ratio.
size_t nearest(const std::vector<double>& rates, double target) {
  size_t best = 0;
  for (size_t i = 1; i < rates.size(); ++i) {
    if (std::abs(std::log(rates[i] / target)) < std::abs(std::log(rates[best] / target))) best = i;
  }
  return best;
}

class Fitter {
 public:
  Fitter(const HostMeasurements& host, const Simulate& simulate, std::ostream& progress)
      : host_(host), simulate_(simulate), progress_(progress), defaults_(default_parameters()) {}

  FittedPlatform run() {
    fit_clock();
    fit_geometry();
    measure_plateaus();
    progress_ << "fitting: latencies" << std::flush;
    fit_latencies();
    fit_stores();
    fit_concurrency();
    for (size_t k = 0; k < levels_.size(); ++k)
      fit_port(k);
    progress_ << ", memory bandwidth" << std::flush;
    fit_memory_bandwidth();
    progress_ << ", sizes" << std::flush;
    for (size_t k = 0; k < levels_.size(); ++k)
      fit_size(k);
    progress_ << ", kernel costs\n";
    fit_kernel();
    return fit_;
  }

 private:
  // The fitted values so far, room in memory for the loops, then `extra`.
  ModelMachine machine(const Params& extra) const {
    ModelMachine m;
    m.params = fit_.params();
    m.params.emplace_back("memory.size", "2GiB");
    m.params.insert(m.params.end(), extra.begin(), extra.end());
    return m;
  }

  // As many passes of the copy loop at `working_set` as the host made.
  ModelWorkload copy_loop(uint64_t working_set) const {
    return {ModelWorkloadKind::copy_stream, working_set,
            std::max<uint64_t>(1, host_.stream_bytes / working_set)};
  }

  // Bytes copied a ns by the copy loop at `working_set` on each candidate.
  std::vector<double> copy_rates(const std::vector<Params>& candidates, uint64_t working_set) {
    std::vector<ModelMachine> machines;
    for (const Params& extra : candidates) {
      machines.push_back(machine(extra));
      machines.back().workloads.push_back(copy_loop(working_set));
    }
    std::vector<double> rates;
    for (const auto& results : simulate_(machines))
      rates.push_back(static_cast<double>(working_set / 2) / results.front().ns);
    return rates;
  }

  void fit_clock() {
    clock_mhz_ = std::round(host_.clock_mhz.median);
    ghz_ = clock_mhz_ / 1000.0;
    fit_.set("cpu.clock_mhz", integer(clock_mhz_),
             "add chain: " + fixed(host_.clock_mhz.median, 0) + " MHz (the host says " +
                 fixed(host_.host.clock_mhz.value_or(0), 0) + " MHz)");
  }

  void fit_geometry() {
    const CacheGeometry geometry = cache_geometry_for(host_);
    const bool from_sysfs = geometry.note.empty();
    if (!from_sysfs) fit_.notes.push_back(geometry.note);
    line_ = geometry.levels.front().line_bytes;
    fit_.set("cpu.line_bytes", std::to_string(line_),
             from_sysfs ? "sysfs coherency_line_size" : "64, every x86 core's line (no sysfs)");
    fit_.set("kernel.page_placement", "scattered",
             std::string("the host's loops ran in pages its kernel handed out") +
                 (host_.host.virtual_machine ? ", over memory a hypervisor backs" : "") +
                 ": scattered over physical memory, not in address order");
    fit_.set("cache.levels", std::to_string(geometry.levels.size()),
             from_sysfs ? "sysfs: data and unified caches" : "the latency curve's steps");
    for (const CacheLevel& cache : geometry.levels) {
      Level level;
      level.key = "cache.l" + std::to_string(cache.level);
      level.ways = cache.ways;
      level.shared = cache.shared;
      level.size = representable_cache(cache.size_bytes, level.ways, line_);
      level.described = (from_sysfs ? "sysfs size " : "latency curve: a step after ") +
                        format_bytes(cache.size_bytes) +
                        (level.size != cache.size_bytes ? ", as ways x 2^k sets x line" : "");
      fit_.set(level.key + ".size", format_bytes(level.size), level.described);
      fit_.set(level.key + ".ways", std::to_string(level.ways),
               from_sysfs ? "sysfs ways_of_associativity" : "default platform's (not measured)");
      levels_.push_back(level);
    }
  }

  // The copy rates that level k's port and size are fitted to. The L1's: at each working set
  // the faster of the vector loop and the string copy, which moves whole lines where vector
  // stores are the limit. Past the L1, the loop's: a string copy may skip reading lines it
  // writes whole, which the fitted copy (reading each line first) would take for bandwidth.
  Curve copy_curve(size_t k) const {
    Curve curve = host_.copy_gbps;
    if (k != 0 || host_.string_copy_gbps.size() != curve.size()) return curve;
    for (size_t i = 0; i < curve.size(); ++i) {
      if (host_.string_copy_gbps[i].bytes == curve[i].bytes &&
          host_.string_copy_gbps[i].value.median > curve[i].value.median) {
        curve[i].value = host_.string_copy_gbps[i].value;
      }
    }
    return curve;
  }

  // Each level's window, and the curves' medians in it.
  void measure_plateaus() {
    uint64_t above = 0;
    for (size_t k = 0; k < levels_.size(); ++k) {
      Level& level = levels_[k];
      level.lower = 2 * above;
      level.upper = level.size / 2;
      if (level.shared && above != 0) level.upper = std::min(level.upper, 4 * above);
      level.latency_ns = plateau(host_.latency_ns, level.lower, level.upper, Pick::lowest);
      level.read_gbps = plateau(host_.read_gbps, level.lower, level.upper, Pick::highest);
      level.copy_gbps = plateau(copy_curve(k), level.lower, level.upper, Pick::highest);
      if (k == 0 &&
          level.copy_gbps > plateau(host_.copy_gbps, level.lower, level.upper, Pick::highest)) {
        level.copy_source = "string copy (rep movsb)";
      }
      above = level.size;
    }
    // Memory: working sets past twice the last level as described.
    memory_window_ = 2 * levels_.back().size;
    memory_latency_ns_ = host_.latency_ns.back().value.median;
    memory_read_gbps_ = plateau(host_.read_gbps, memory_window_, ~uint64_t{0}, Pick::median);
    memory_copy_gbps_ = plateau(host_.copy_gbps, memory_window_, ~uint64_t{0}, Pick::median);
    memory_copy_at_ = host_.copy_gbps.back().bytes;
    for (const CurvePoint& point : host_.copy_gbps) {
      if (point.bytes > memory_window_) {
        memory_copy_at_ = point.bytes;
        break;
      }
    }
  }

  void set_latencies() {
    for (size_t k = 0; k < levels_.size(); ++k) {
      const Level& level = levels_[k];
      fit_.set(level.key + ".hit_latency_cycles", integer(hit_cycles_[k]),
               "chase: " + fixed(level.latency_ns, 1) + " ns load-to-use at " + window(level) +
                   " = " + integer(level.latency_ns * ghz_) + " cycles" +
                   (k == 0 ? "" : ", less the levels above"));
    }
    const std::string source = "chase: " + fixed(memory_latency_ns_, 1) + " ns at " +
                               format_bytes(host_.latency_ns.back().bytes) +
                               ", less the caches, the bus and a row opening";
    fit_.set("memory.read_latency_ns", fixed(read_latency_ns_, 1), source);
    fit_.set("memory.write_latency_ns", fixed(read_latency_ns_, 1),
             "as reads (not measured apart: write-backs hide it)");
  }

  // A provisional split of the measured latencies into levels, then one simulated chase at each
  // level and past the caches: the levels add up (a hit at level k pays levels 1..k), so each
  // is corrected by what it is off less what the levels above were.
  void fit_latencies() {
    double above = 0;
    for (const Level& level : levels_) {
      hit_cycles_.push_back(std::max(0.0, (std::max(level.latency_ns, above) - above) * ghz_));
      above = std::max(level.latency_ns, above);
    }
    read_latency_ns_ = std::max(0.0, memory_latency_ns_ - above);
    set_latencies();
    ModelMachine probe = machine({});
    for (const Level& level : levels_)
      probe.workloads.push_back({ModelWorkloadKind::chase, level.upper, 4096});
    probe.workloads.push_back({ModelWorkloadKind::chase, host_.latency_ns.back().bytes, 4096});
    const std::vector<ModelResult> chased = simulate_({probe}).front();
    double corrected_above = 0;
    for (size_t k = 0; k < levels_.size(); ++k) {
      const double off = levels_[k].latency_ns - chased[k].ns;
      hit_cycles_[k] = std::max(0.0, hit_cycles_[k] + (off - corrected_above) * ghz_);
      corrected_above = off;
    }
    read_latency_ns_ =
        std::max(0.0, read_latency_ns_ + (memory_latency_ns_ - chased.back().ns) - corrected_above);
    set_latencies();
  }

  // The copy loop, like glibc's memcpy past its `rep movsb` range, stores with ordinary vector
  // stores, which read a line before writing it (x86 memory is write-back, write-allocate); the
  // fitted copy does the same, so that its rates mean the same thing.
  void fit_stores() {
    fit_.set("cpu.write_streaming", "false",
             "the copy loop's ordinary stores read each line before writing it, as memcpy's do");
  }

  // Little's law: a level's misses wait for everything below it, so it needs the lines in
  // flight of the deepest stream through it: the most a loop reads from that level (the read
  // loop, or the copy loop, which reads its destination's lines as well as its source's) x that
  // level's latency.
  void fit_concurrency() {
    double lines = 0;
    std::string source;
    for (size_t k = levels_.size(); k-- > 0;) {
      const bool last = k + 1 == levels_.size();
      const double read = last ? memory_read_gbps_ : levels_[k + 1].read_gbps;
      const double copy_reads = 2 * (last ? memory_copy_gbps_ : levels_[k + 1].copy_gbps);
      const double gbps = std::max(read, copy_reads);
      const double latency_ns = last ? memory_latency_ns_ : levels_[k + 1].latency_ns;
      const double needed = std::ceil(gbps * latency_ns / static_cast<double>(line_));
      if (needed > lines) {
        lines = needed;
        source = "Little's law: " + fixed(gbps, 1) + " GB/s read from " +
                 (last ? std::string("memory") : "the L" + std::to_string(k + 2)) + " by the " +
                 (read >= copy_reads ? "read loop" : "copy loop") + " x " + fixed(latency_ns, 1) +
                 " ns / " + std::to_string(line_) + " B lines in flight";
      }
      fit_.set(levels_[k].key + ".mshrs", integer(std::clamp(lines, 1.0, 1024.0)), source);
    }
    const double distance = std::clamp(
        std::ceil(memory_latency_ns_ * memory_copy_gbps_ / static_cast<double>(line_)), 1.0, 64.0);
    for (size_t k = 1; k < levels_.size(); ++k) {
      fit_.set(
          levels_[k].key + ".prefetch.enabled", "true",
          "x86 cores stream-prefetch into the L2 and the L3 (a stream cannot tell them apart)");
      fit_.set(levels_[k].key + ".prefetch.distance_lines", integer(distance),
               "Little's law: the lead that hides " + fixed(memory_latency_ns_, 0) +
                   " ns of memory latency at the copy's " + fixed(memory_copy_gbps_, 1) + " GB/s");
    }
  }

  // The port that makes the copy loop inside level k run at the measured rate. The L1 has a
  // port for loads, whose rate the read loop gives, and one for stores, searched. A port moves a
  // line in a fraction of a cycle where its width does not divide it, so widths are searched
  // byte by byte: powers of two first, then the widths between the two around the target (the
  // rate rises with the width).
  void fit_port(size_t k) {
    const Level& level = levels_[k];
    progress_ << ", L" << k + 1 << " port" << std::flush;
    if (k == 0) {
      // A copy reads every byte it copies: where the copy outruns the read loop (a string copy
      // moving whole lines), the loads can move at least what it moves.
      const bool copy_faster = level.copy_gbps > level.read_gbps;
      const double gbps = copy_faster ? level.copy_gbps : level.read_gbps;
      const double bytes = std::max(1.0, std::round(gbps / ghz_));
      fit_.set(level.key + ".bytes_per_cycle", integer(bytes),
               (copy_faster ? level.copy_source : std::string("read loop")) + ": " +
                   fixed(gbps, 1) + " GB/s at " + window(level) + " = " + integer(bytes) +
                   " bytes a cycle at " + integer(clock_mhz_) + " MHz");
    }
    const std::string searched =
        level.key + (k == 0 ? ".write_bytes_per_cycle" : ".bytes_per_cycle");
    auto simulate_widths = [&](const std::vector<uint64_t>& widths) {
      std::vector<Params> sets;
      for (const uint64_t bytes : widths)
        sets.push_back({{searched, std::to_string(bytes)}});
      return copy_rates(sets, level.upper);
    };
    std::vector<uint64_t> widths;
    for (uint64_t bytes = 1; bytes <= 4 * line_; bytes *= 2)
      widths.push_back(bytes);
    std::vector<double> rates = simulate_widths(widths);
    size_t above = 0;
    while (above < rates.size() && rates[above] < level.copy_gbps)
      ++above;
    if (above != 0 && above != rates.size()) {
      constexpr double kSteps = 8;
      const double low = static_cast<double>(widths[above - 1]);
      const double high = static_cast<double>(widths[above]);
      std::vector<uint64_t> between;
      for (double step = 1; step < kSteps; ++step) {
        const auto bytes =
            static_cast<uint64_t>(std::llround(low * std::pow(high / low, step / kSteps)));
        if (bytes > widths[above - 1] && bytes < widths[above] &&
            (between.empty() || between.back() != bytes)) {
          between.push_back(bytes);
        }
      }
      const std::vector<double> between_rates = simulate_widths(between);
      widths.insert(widths.end(), between.begin(), between.end());
      rates.insert(rates.end(), between_rates.begin(), between_rates.end());
    }
    const size_t best = nearest(rates, level.copy_gbps);
    fit_.set(searched, std::to_string(widths[best]),
             level.copy_source + ": " + fixed(level.copy_gbps, 1) + " GB/s at " + window(level) +
                 "; simulated with this port: " + fixed(rates[best], 1) + " GB/s");
  }

  // The last level's size for the fit of the memory's bus: the host's copy at memory_copy_at_
  // is the slowest of its curve, served from memory, so the simulated one must be too, even
  // where the described size (a large cache shared with other cores) would hold it. Halved from
  // the described size (the sets stay a power of two) to a quarter of that working set at most;
  // the fit of the sizes then finds the size it holds in practice.
  uint64_t last_level_below_memory() const {
    const Level& last = levels_.back();
    uint64_t size = last.size;
    while (size > memory_copy_at_ / 4 && size / 2 >= last.ways * line_)
      size /= 2;
    return size;
  }

  // The memory's data bus (8 bytes a transfer, its clock searched) that makes the copy loop past
  // the caches run at the measured rate: six candidates from once to eight times the copy's
  // rate (it moves each line two or three times), then six between the two around the target,
  // then interpolated (the rate rises with the bus).
  void fit_memory_bandwidth() {
    constexpr double kBusBytes = 8;
    const double target = memory_copy_gbps_;
    auto mhz_of = [&](double gbps) { return std::round(gbps * 1000 / kBusBytes); };
    double low = 2 * target * 0.5;
    double high = 2 * target * 4;
    const std::string last_level_size = format_bytes(last_level_below_memory());
    std::vector<double> gbps;
    std::vector<double> rates;
    for (int round = 0; round < 2; ++round) {
      constexpr int kPoints = 6;
      gbps.clear();
      std::vector<Params> sets;
      for (int i = 0; i < kPoints; ++i) {
        gbps.push_back(low * std::pow(high / low, static_cast<double>(i) / (kPoints - 1)));
        sets.push_back({{"memory.bytes_per_cycle", integer(kBusBytes)},
                        {"memory.clock_mhz", integer(mhz_of(gbps.back()))},
                        {levels_.back().key + ".size", last_level_size}});
      }
      rates = copy_rates(sets, memory_copy_at_);
      size_t above = 0;
      while (above < rates.size() && rates[above] < target)
        ++above;
      if (above == 0 || above == rates.size()) break;  // outside: keep the nearest
      low = gbps[above - 1];
      high = gbps[above];
    }
    // The answer between the two candidates around the target; if no candidate reaches it, the
    // slowest bus that gives nearly the best rate (past it, the bus is not what limits).
    const double best_rate = *std::max_element(rates.begin(), rates.end());
    double bus = gbps.back();
    for (size_t i = 0; i < rates.size(); ++i) {
      if (rates[i] >= 0.98 * best_rate) {
        bus = gbps[i];
        break;
      }
    }
    for (size_t i = 0; i + 1 < rates.size(); ++i) {
      if (rates[i] < target && rates[i + 1] >= target) {
        const double t = std::log(target / rates[i]) / std::log(rates[i + 1] / rates[i]);
        bus = gbps[i] * std::pow(gbps[i + 1] / gbps[i], t);
      }
    }
    if (rates.front() > target) bus = gbps.front();
    const double reached = std::min(best_rate, std::max(rates.front(), target));
    fit_.set("memory.bytes_per_cycle", integer(kBusBytes),
             "8 bytes a transfer: memory.clock_mhz carries the fitted bandwidth");
    fit_.set("memory.clock_mhz", integer(mhz_of(bus)),
             "copy loop: " + fixed(target, 1) + " GB/s at " + format_bytes(memory_copy_at_) +
                 ": a bus of " + fixed(mhz_of(bus) * kBusBytes / 1000, 1) +
                 " GB/s (one core's share of the host's channels)");
    if (std::abs(std::log(reached / target)) > 0.05) {
      fit_.notes.push_back("the simulated copy past the caches reaches " + fixed(reached, 1) +
                           " GB/s at best against " + fixed(target, 1) +
                           " GB/s measured: something other than the bus limits it");
    }
  }

  // What a level holds in practice can be less than its size: a shared level keeps what other
  // cores leave it, and any level also holds page tables, code and the stack. Its size is the
  // one whose simulated copy loop follows the measured one best from twice the level above to
  // four times the described size (least squared log error): first the described size and its
  // halves (to a sixteenth for a shared level, a half for a private one, and no less than four
  // times the level above), then, in the octave below the best of them, the sizes its sets give
  // with fewer ways (a cache that keeps 12 of 16 ways for this stream). The described size
  // unless another is better by a fifth: a smaller one must follow the curve clearly better, not
  // within its noise.
  void fit_size(size_t k) {
    Level& level = levels_[k];
    const uint64_t above = k == 0 ? 0 : levels_[k - 1].size;
    const uint64_t described = level.size;
    const uint64_t smallest = std::max<uint64_t>(4 * above, 4 * line_);
    std::vector<Geometry> halves;
    for (uint64_t size = described; size >= smallest && halves.size() < (level.shared ? 5u : 2u);
         size /= 2) {
      halves.push_back({size, level.ways});
    }
    std::vector<CurvePoint> points;
    for (const CurvePoint& point : copy_curve(k)) {
      if (point.bytes > 2 * above && point.bytes <= std::min(4 * described, memory_window_)) {
        points.push_back(point);
      }
    }
    if (halves.size() < 2 || points.empty()) return;
    const std::vector<double> half_errors = size_errors(level, halves, points);
    const double described_error = half_errors.front();
    Geometry best = halves.front();
    double best_error = described_error;
    auto consider = [&](const Geometry& candidate, double error) {
      if (error < best_error && error < 0.8 * described_error) {
        best = candidate;
        best_error = error;
      }
    };
    for (size_t i = 1; i < halves.size(); ++i)
      consider(halves[i], half_errors[i]);
    std::vector<Geometry> fewer_ways;
    const uint64_t set_bytes = best.size / best.ways;
    for (uint64_t ways = best.ways - 1; ways > best.ways / 2; --ways) {
      if (set_bytes * ways >= smallest) fewer_ways.push_back({set_bytes * ways, ways});
    }
    if (!fewer_ways.empty()) {
      const std::vector<double> errors = size_errors(level, fewer_ways, points);
      for (size_t i = 0; i < fewer_ways.size(); ++i)
        consider(fewer_ways[i], errors[i]);
    }
    std::string source = level.described + "; copy loop from " +
                         format_bytes(points.front().bytes) + " to " +
                         format_bytes(points.back().bytes) + ", simulated with " +
                         format_bytes(described) + ", its halves and their ways: rms error " +
                         fixed(described_error * 100, 0) + "% with " + format_bytes(described);
    if (best.size != described) {
      source += ", " + fixed(best_error * 100, 0) + "% with " + format_bytes(best.size) +
                (best.ways != level.ways ? " in " + std::to_string(best.ways) + " ways" : "") +
                (level.shared ? " (this core's share)" : " (what it holds besides the rest)");
    }
    if (best.ways != level.ways) {
      fit_.set(level.key + ".ways", std::to_string(best.ways),
               "the ways of " + format_bytes(best.size) + " (see " + level.key + ".size)");
    }
    level.size = best.size;
    level.ways = best.ways;
    fit_.set(level.key + ".size", format_bytes(level.size), source);
  }

  // The rms log error of the simulated copy loop against `points`, with each geometry of `level`.
  std::vector<double> size_errors(const Level& level, const std::vector<Geometry>& geometries,
                                  const std::vector<CurvePoint>& points) {
    std::vector<ModelMachine> machines;
    for (const Geometry& geometry : geometries) {
      machines.push_back(machine({{level.key + ".size", format_bytes(geometry.size)},
                                  {level.key + ".ways", std::to_string(geometry.ways)}}));
      for (const CurvePoint& point : points)
        machines.back().workloads.push_back(copy_loop(point.bytes));
    }
    const auto results = simulate_(machines);
    std::vector<double> errors;
    for (size_t i = 0; i < geometries.size(); ++i) {
      double squares = 0;
      for (size_t p = 0; p < points.size(); ++p) {
        const double rate = static_cast<double>(points[p].bytes / 2) / results[i][p].ns;
        squares += std::pow(std::log(rate / points[p].value.median), 2);
      }
      errors.push_back(std::sqrt(squares / static_cast<double>(points.size())));
    }
    return errors;
  }

  void fit_kernel() {
    const uint64_t syscall_cycles = defaults_.get_unsigned("kernel.syscall_cycles");
    const double null_ns = host_.null_syscall_ns.median;
    const double trap = std::max(0.0, (null_ns * ghz_ - static_cast<double>(syscall_cycles)) / 2);
    for (const char* key : {"cpu.trap_entry_cycles", "cpu.trap_exit_cycles"}) {
      fit_.set(key, integer(trap),
               "null system call: " + fixed(null_ns, 0) + " ns = " + integer(null_ns * ghz_) +
                   " cycles, less kernel.syscall_cycles " + std::to_string(syscall_cycles) +
                   " (dispatch), halved");
    }
    fit_.set("kernel.copy_engine", "cpu",
             "a host's kernel copies with the core (the validation compares the core's copy)");
    fit_.set("kernel.page_lookup_waits", "true",
             "Linux's write path locks each page-cache folio it writes: a locked instruction, "
             "which waits for the stores before it (the kernel costs below are Linux's too)");
    constexpr uint64_t kPages = 256;
    ModelMachine probe = machine({{"kernel.fault_cycles", "0"}, {"kernel.page_alloc_cycles", "0"}});
    probe.workloads.push_back({ModelWorkloadKind::fault_present, 0, kPages});
    probe.workloads.push_back({ModelWorkloadKind::commit, 0, kPages});
    const std::vector<ModelResult> without = simulate_({probe}).front();
    const double fault = std::max(0.0, (host_.fault_ns.median - without[0].ns) * ghz_);
    fit_.set("kernel.fault_cycles", integer(fault),
             "zero-page fault: " + fixed(host_.fault_ns.median, 0) + " ns a page, less " +
                 fixed(without[0].ns, 0) + " ns the machine spends mapping it");
    // The allocation a write into a fresh VMO pays, from the allocation a write into a fresh
    // memfd pays; an anonymous first touch allocates on another path (a fault, a zero fill,
    // reverse mapping), which the fitted platform's first touch is checked against instead.
    const double alloc = std::max(0.0, (host_.commit_ns.median - without[1].ns) * ghz_);
    fit_.set("kernel.page_alloc_cycles", integer(alloc),
             "fallocate of a fresh memfd: " + fixed(host_.commit_ns.median, 0) +
                 " ns a page, less the machine's " + fixed(without[1].ns, 0) +
                 " ns a page of ZX_VMO_OP_COMMIT without it (the call, the zero fill)");
    fit_write_path();
  }

  // The write path apart from its copy, from pwrites of 1 byte and of 2 bytes across a page
  // boundary into present pages, against the same zx_vmo_write calls on a machine without the
  // two costs: the second page is the page cost; the rest of the first call, less one page, is
  // the call's (the file's lookup and locks stand for the handle's lookup and the VMO's lock).
  void fit_write_path() {
    ModelMachine probe =
        machine({{"kernel.handle_lookup_cycles", "0"}, {"kernel.page_lookup_cycles", "0"}});
    probe.workloads.push_back({ModelWorkloadKind::vmo_write_at, 1, 0});
    probe.workloads.push_back({ModelWorkloadKind::vmo_write_at, 2, kPageBytes - 1});
    const std::vector<ModelResult> calls = simulate_({probe}).front();
    const double byte_ns = host_.pwrite_byte_ns.median;
    const double two_pages_ns = host_.pwrite_two_pages_ns.median;
    const double machine_second_page_ns = calls[1].warm_ns - calls[0].warm_ns;
    const double page = std::max(0.0, ((two_pages_ns - byte_ns) - machine_second_page_ns) * ghz_);
    fit_.set("kernel.page_lookup_cycles", integer(page),
             "pwrite of 2 bytes across two present pages: " + fixed(two_pages_ns, 0) +
                 " ns, of 1 byte: " + fixed(byte_ns, 0) +
                 " ns; the difference less the machine's " + fixed(machine_second_page_ns, 0) +
                 " ns");
    const double call = std::max(0.0, (byte_ns - calls[0].warm_ns) * ghz_ - page);
    fit_.set("kernel.handle_lookup_cycles", integer(call),
             "pwrite of 1 byte: " + fixed(byte_ns, 0) + " ns, less the machine's " +
                 fixed(calls[0].warm_ns, 0) + " ns without it and one page");
  }

  // The working sets a level's plateau is taken from.
  static std::string window(const Level& level) {
    return "working sets in (" + (level.lower == 0 ? std::string("0") : format_bytes(level.lower)) +
           ", " + format_bytes(level.upper) + "]";
  }

  const HostMeasurements& host_;
  const Simulate& simulate_;
  std::ostream& progress_;
  const ParameterSet defaults_;
  FittedPlatform fit_;
  double clock_mhz_ = 0;
  double ghz_ = 0;
  uint64_t line_ = 64;
  std::vector<Level> levels_;
  std::vector<double> hit_cycles_;
  double read_latency_ns_ = 0;
  uint64_t memory_window_ = 0;
  double memory_latency_ns_ = 0;
  double memory_read_gbps_ = 0;
  double memory_copy_gbps_ = 0;
  uint64_t memory_copy_at_ = 0;
};

}  // namespace

CacheGeometry cache_geometry_for(const HostMeasurements& host) {
  if (!host.caches.levels.empty()) {
    CacheGeometry geometry = host.caches;
    if (geometry.levels.size() > kMaxLevels) geometry.levels.resize(kMaxLevels);
    return geometry;
  }
  const std::vector<StepPoint> points = step_points(host.latency_ns);
  if (points.size() < 2) {
    throw std::runtime_error("no cache description (" + host.caches.note +
                             ") and too few latency points to measure the caches");
  }
  const size_t count = count_steps(points, std::min(kMaxLevels, points.size() - 1), 0.1);
  const Steps steps = fit_steps(points, count);
  const ParameterSet defaults = default_parameters();
  CacheGeometry geometry;
  for (size_t k = 0; k < count; ++k) {
    geometry.levels.push_back({k + 1, steps.levels[k].size_bytes,
                               defaults.get_unsigned("cache.l" + std::to_string(k + 1) + ".ways"),
                               64, k + 1 == count});
  }
  geometry.note = "no cache description (" + host.caches.note + "): " + std::to_string(count) +
                  " levels measured, each as large as the working sets on its step of the "
                  "latency curve, the last taken as shared; ways are the default platform's";
  return geometry;
}

std::string FittedPlatform::value(const std::string& key) const {
  for (const FittedValue& fitted : values) {
    if (fitted.key == key) return fitted.value;
  }
  return {};
}

void FittedPlatform::set(const std::string& key, const std::string& value,
                         const std::string& source) {
  for (FittedValue& fitted : values) {
    if (fitted.key == key) {
      fitted.value = value;
      fitted.source = source;
      return;
    }
  }
  values.push_back({key, value, source});
}

std::vector<std::pair<std::string, std::string>> FittedPlatform::params() const {
  std::vector<std::pair<std::string, std::string>> list;
  for (const FittedValue& fitted : values)
    list.emplace_back(fitted.key, fitted.value);
  return list;
}

FittedPlatform fit_platform(const HostMeasurements& host, const Simulate& simulate,
                            std::ostream& progress) {
  return Fitter(host, simulate, progress).run();
}

}  // namespace zxvp
