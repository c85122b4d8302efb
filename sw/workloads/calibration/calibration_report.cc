#include "sw/workloads/calibration/calibration_report.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <stdexcept>

#include "sim/params/units.h"

namespace zxvp {

namespace {

constexpr double kPage = 4096;

struct Target {
  const char* prefix;
  double median;
  double worst;
};
// The targets: memcpy within a median of 15% and no size beyond 35%; pwrite within a
// median of 20% and no size beyond 40%.
constexpr Target kTargets[] = {{"memcpy", 0.15, 0.35}, {"pwrite", 0.20, 0.40}};

std::string fixed(double value, int digits) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(digits) << value;
  return text.str();
}

std::string percent(double fraction) {
  return fixed(fraction * 100, std::abs(fraction) < 0.1 ? 1 : 0) + "%";
}

std::string signed_percent(double fraction) {
  std::string text = fraction >= 0 ? "+" : "";
  text += percent(fraction);
  return text;
}

// ns, with three significant figures at least.
std::string ns_text(double ns) {
  if (ns >= 1000) return fixed(ns, 0);
  return fixed(ns, ns >= 100 ? 0 : ns >= 10 ? 1 : 2);
}

std::string figure_text(const Figure& figure, int digits) {
  return fixed(figure.median, digits) + " [" + fixed(figure.low, digits) + "–" +
         fixed(figure.high, digits) + "]";
}

// What the model leaves out, for a workload that missed its target.
std::string leaves_out(const std::string& workload) {
  if (workload == "pwrite warm") {
    return "`kernel.page_lookup_cycles` and `kernel.handle_lookup_cycles` are fitted to "
           "pwrites of 1 and 2 bytes, whose page-cache tree and page descriptors stay in the "
           "caches; over a large file each page's descriptor and tree nodes come from further "
           "away, and Linux throttles dirty pages every few pages, which the small pwrites do "
           "not show and the model's fixed per-page cost does not follow.";
  }
  if (workload == "pwrite cold") {
    return "`kernel.page_alloc_cycles` is fitted to fallocate of a fresh memfd's pages, whose "
           "first page also pays the new file's setup (its first page-cache entry, charge and "
           "accounting, with the kernel's data cold after the other measurements) while the "
           "model charges a VMO's first commit as any other, which the smallest sizes show "
           "alone; and Zircon zero-fills a committed page where Linux skips the zero fill of a "
           "page that a write fills whole.";
  }
  return "glibc's memcpy picks its method by size (`rep movsb` from a few KiB up to about the L2's "
         "size, vector moves beyond; `ld.so --list-diagnostics` shows the thresholds) while the "
         "model copies one way, at the rates of the copy it was fitted to (32-byte vector moves, "
         "and in the L1 `rep movsb` where it is faster); and where a working set is about a "
         "cache's size the model's LRU cache holds "
         "it or not, while the host's replacement, and in a shared cache other cores' data, make "
         "that step gradual and variable.";
}

std::string gnuplot_quote(const std::string& text) {
  std::string out = "'";
  for (const char c : text)
    out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string shell_word(const std::string& word) {
  std::string out = "'";
  for (const char c : word)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// `name`.dat, `name`.gp and, through gnuplot, `name`.png and `name`.svg: a panel a series,
// measured (with its spread) and predicted against size, log-log.
bool plot(const std::filesystem::path& directory, const std::string& name,
          const std::vector<Series>& series, const std::string& title) {
  std::ofstream data(directory / (name + ".dat"));
  for (const Series& s : series) {
    data << "# " << s.name << ": bytes measured low high predicted\n";
    for (const Comparison& point : s.points) {
      data << point.bytes << " " << point.measured.median << " " << point.measured.low << " "
           << point.measured.high << " " << point.predicted << "\n";
    }
    data << "\n\n";
  }
  data.close();
  const size_t columns = series.size() > 2 ? 2 : series.size();
  const size_t rows = (series.size() + columns - 1) / columns;
  std::ostringstream panels;
  panels << "set multiplot layout " << rows << "," << columns << " title " << gnuplot_quote(title)
         << "\n";
  for (size_t i = 0; i < series.size(); ++i) {
    panels << "set title " << gnuplot_quote(series[i].name) << "\nset ylabel "
           << gnuplot_quote(series[i].unit) << "\nplot '" << name << ".dat' index " << i
           << " using 1:2:3:4 with yerrorlines title 'measured', '' index " << i
           << " using 1:5 with linespoints title 'predicted'\n";
  }
  panels << "unset multiplot\n";
  std::ofstream script(directory / (name + ".gp"));
  script << "set logscale xy 2\nset format x '%.0b%B'\nset xlabel 'bytes'\nset grid\n"
         << "set key top left\nset logscale y 10\nset format y '%g'\n"
         << "set terminal pngcairo size " << 560 * columns << "," << 420 * rows
         << " noenhanced\nset output '" << name << ".png'\n"
         << panels.str() << "set terminal svg size " << 560 * columns << "," << 420 * rows
         << " noenhanced\nset output '" << name << ".svg'\n"
         << panels.str();
  script.close();
  const std::string command =
      "cd " + shell_word(directory.string()) + " && gnuplot " + name + ".gp 2>/dev/null";
  return std::system(command.c_str()) == 0;
}

std::string level_summary(const FittedPlatform& fit) {
  std::ostringstream text;
  const uint64_t levels = std::stoull(fit.value("cache.levels"));
  for (uint64_t level = 1; level <= levels; ++level) {
    const std::string key = "cache.l" + std::to_string(level);
    text << (level == 1 ? "" : "; ") << "L" << level << " " << fit.value(key + ".size") << " "
         << fit.value(key + ".ways") << "-way, " << fit.value(key + ".hit_latency_cycles")
         << " cycles, " << fit.value(key + ".mshrs") << " misses in flight";
  }
  return text.str();
}

double memory_gbps(const FittedPlatform& fit) {
  return std::stod(fit.value("memory.clock_mhz")) * std::stod(fit.value("memory.bytes_per_cycle")) /
         1000.0;
}

}  // namespace

std::vector<Accuracy> accuracy_of(const Validation& validation) {
  std::vector<Accuracy> list;
  for (const Series& series : validation.validation) {
    Accuracy accuracy;
    accuracy.workload = series.name;
    for (const Target& target : kTargets) {
      if (series.name.starts_with(target.prefix)) {
        accuracy.target_median = target.median;
        accuracy.target_worst = target.worst;
      }
    }
    std::vector<double> errors;
    for (const Comparison& point : series.points) {
      const double error = std::abs(point.error());
      errors.push_back(error);
      if (error >= accuracy.worst_error) {
        accuracy.worst_error = error;
        accuracy.worst_bytes = point.bytes;
      }
      if (error > accuracy.target_worst) accuracy.beyond.push_back(point.bytes);
    }
    accuracy.median_error = median_of(errors);
    list.push_back(accuracy);
  }
  return list;
}

std::string write_report(const std::string& directory, const HostMeasurements& host,
                         const FittedPlatform& fit, const Validation& validation,
                         const RunContext& context) {
  const std::filesystem::path dir(directory);
  std::filesystem::create_directories(dir);
  const std::vector<Accuracy> accuracies = accuracy_of(validation);

  std::ofstream csv(dir / "results.csv");
  csv << "kind,workload,unit,bytes,measured_median,measured_low,measured_high,predicted,"
         "error_percent\n";
  for (const auto& [kind, list] :
       {std::pair{"validation", &validation.validation}, std::pair{"fitting", &validation.fitting},
        std::pair{"fitting", &validation.page_costs}}) {
    for (const Series& series : *list) {
      for (const Comparison& point : series.points) {
        csv << kind << "," << series.name << "," << series.unit << "," << point.bytes << ","
            << point.measured.median << "," << point.measured.low << "," << point.measured.high
            << "," << point.predicted << "," << fixed(point.error() * 100, 2) << "\n";
      }
    }
  }
  csv.close();
  std::ofstream(dir / "measurements.json") << boost::json::serialize(to_json(host)) << "\n";
  const bool plotted =
      plot(dir, "validation", validation.validation,
           "measured on this host and predicted by the fitted platform (ns a call)") &&
      plot(dir, "fitting", validation.fitting, "the fit's own measurements, and the fit");

  std::ofstream md(dir / "report.md");
  md << "# How close zxvp is to " << host.host.summary() << "\n\n"
     << "Made by `" << context.command << "`"
     << (context.quick ? " (quick: fewer sizes and repetitions)" : "")
     << "; the fitted platform is `" << context.platform_file << "`. Every measured figure is the "
     << "median of " << host.latency_ns.front().value.repetitions
     << " interleaved repetitions, with their range in brackets; measured " << host.date << " in "
     << static_cast<int>(host.seconds + 0.5) << " s, load average (1, 5, 15 min) "
     << host.load_before << " before, " << host.load_after << " after; " << host.retaken_samples
     << " of " << host.samples << " samples were taken again because another process had the "
     << "CPU meanwhile (" << host.preempted_samples << " kept all the same after four tries).\n\n"
     << "## The fitted platform\n\n"
     << "- core: " << fit.value("cpu.clock_mhz") << " MHz (measured; the host says "
     << fixed(host.host.clock_mhz.value_or(0), 0) << " MHz)\n"
     << "- caches: " << level_summary(fit) << "\n"
     << "- memory: " << fit.value("memory.read_latency_ns") << " ns beyond the caches, a "
     << fixed(memory_gbps(fit), 1) << " GB/s bus\n"
     << "- kernel: trap " << fit.value("cpu.trap_entry_cycles") << " + "
     << fit.value("cpu.trap_exit_cycles") << " cycles, fault " << fit.value("kernel.fault_cycles")
     << " cycles, page allocation " << fit.value("kernel.page_alloc_cycles")
     << " cycles, page lookup " << fit.value("kernel.page_lookup_cycles") << " cycles, handle "
     << fit.value("kernel.handle_lookup_cycles") << " cycles\n";
  for (const std::string& note : fit.notes)
    md << "- note: " << note << "\n";
  md << "\nEach value's source is next to it in the platform file.\n\n"
     << "## Accuracy on workloads the fit did not use\n\n"
     << "| workload | compared with | median error | worst error | target (median, worst) | "
        "met |\n| --- | --- | --- | --- | --- | --- |\n";
  for (size_t i = 0; i < accuracies.size(); ++i) {
    const Accuracy& a = accuracies[i];
    md << "| " << a.workload << " | " << validation.validation[i].model << " | "
       << percent(a.median_error) << " | " << percent(a.worst_error) << " ("
       << format_bytes(a.worst_bytes) << ") | " << percent(a.target_median) << ", "
       << percent(a.target_worst) << " | " << (a.met() ? "yes" : "no") << " |\n";
  }
  md << "\n| workload | size | measured ns | predicted ns | error |\n"
     << "| --- | ---: | ---: | ---: | ---: |\n";
  for (const Series& series : validation.validation) {
    for (const Comparison& point : series.points) {
      md << "| " << series.name << " | " << format_bytes(point.bytes) << " | "
         << figure_text(point.measured, 0) << " | " << ns_text(point.predicted) << " | "
         << signed_percent(point.error()) << " |\n";
    }
  }
  bool any_missed = false;
  for (const Accuracy& a : accuracies)
    any_missed = any_missed || !a.met();
  if (any_missed) md << "\n## Where a target is not met, and why\n\n";
  for (size_t i = 0; i < accuracies.size(); ++i) {
    const Accuracy& a = accuracies[i];
    if (a.met()) continue;
    const Series& series = validation.validation[i];
    md << "- **" << a.workload << "**: median " << percent(a.median_error) << " (target "
       << percent(a.target_median) << ")";
    if (!a.beyond.empty()) {
      md << "; beyond " << percent(a.target_worst) << " at";
      for (const Comparison& point : series.points) {
        if (std::abs(point.error()) > a.target_worst) {
          md << " " << format_bytes(point.bytes) << " (" << signed_percent(point.error()) << ")";
        }
      }
    }
    // Where the model is off the same way at every size from 16 KiB, the difference a page is
    // what a per-page cost would have to be.
    std::vector<double> per_page;
    bool same_sign = true;
    for (const Comparison& point : series.points) {
      if (point.bytes < 16 * kPage) continue;
      per_page.push_back((point.measured.median - point.predicted) /
                         (static_cast<double>(point.bytes) / kPage));
      same_sign = same_sign && (per_page.back() > 0) == (per_page.front() > 0);
    }
    if (!per_page.empty() && same_sign) {
      const double ns = median_of(per_page);
      md << ". From 64 KiB up the model is " << (ns > 0 ? "short by " : "over by ")
         << fixed(std::abs(ns), 0) << " ns a page (median)";
    }
    md << ". What the model leaves out: " << leaves_out(a.workload) << "\n";
  }
  md << "\n## How well the fit reproduces its own measurements\n\n"
     << "The pointer chase, the copy loop, the zero-page fault and the commit were fitted to; "
        "this is how close the fitted platform comes to them (not a validation). The first touch "
        "of a page (a fault that allocates and zero-fills it) was not: the fitted platform's "
        "fault, allocation and zero fill add up to it.\n\n"
     << "| measurement | working set | measured | fitted platform | error |\n"
     << "| --- | ---: | ---: | ---: | ---: |\n";
  for (const std::vector<Series>* list : {&validation.fitting, &validation.page_costs}) {
    for (const Series& series : *list) {
      for (const Comparison& point : series.points) {
        md << "| " << series.name << " (" << series.unit << ") | " << format_bytes(point.bytes)
           << " | " << figure_text(point.measured, 2) << " | " << fixed(point.predicted, 2) << " | "
           << signed_percent(point.error()) << " |\n";
      }
    }
  }
  md << "\n## Plots\n\n";
  if (plotted) {
    md << "![validation](validation.png)\n\n![fitting](fitting.png)\n";
  } else {
    md << "gnuplot is not installed: validation.gp and fitting.gp with their .dat files are "
          "here to plot.\n";
  }
  md << "\nEvery comparison is in `results.csv`; every host figure with its spread in "
        "`measurements.json`.\n";
  md.close();
  if (!md || !csv) throw std::runtime_error("cannot write the report into " + directory);
  return "wrote " + (dir / "report.md").string() + ", results.csv, measurements.json" +
         (plotted ? " and the plots (validation, fitting: .png, .svg)"
                  : " (no plots: gnuplot is missing; the .gp and .dat files are there)");
}

void print_summary(std::ostream& out, const HostMeasurements& host, const FittedPlatform& fit,
                   const Validation& validation, const RunContext& context) {
  out << "fitted platform (" << context.platform_file << "):\n"
      << "  core " << fit.value("cpu.clock_mhz") << " MHz (the host says "
      << fixed(host.host.clock_mhz.value_or(0), 0) << " MHz), trap "
      << fit.value("cpu.trap_entry_cycles") << " + " << fit.value("cpu.trap_exit_cycles")
      << " cycles\n"
      << "  " << level_summary(fit) << "\n"
      << "  memory " << fit.value("memory.read_latency_ns") << " ns beyond the caches, "
      << fixed(memory_gbps(fit), 1) << " GB/s bus; fault " << fit.value("kernel.fault_cycles")
      << " cycles, page allocation " << fit.value("kernel.page_alloc_cycles") << ", page lookup "
      << fit.value("kernel.page_lookup_cycles") << ", handle "
      << fit.value("kernel.handle_lookup_cycles") << " cycles\n";
  for (const std::string& note : fit.notes)
    out << "  note: " << note << "\n";
  out << "accuracy on workloads the fit did not use (|error|: median, worst at size; target):\n";
  for (const Accuracy& a : accuracy_of(validation)) {
    out << "  " << std::left << std::setw(12) << a.workload << std::right << std::setw(7)
        << percent(a.median_error) << std::setw(7) << percent(a.worst_error) << " at " << std::left
        << std::setw(7) << format_bytes(a.worst_bytes) << std::right << "  target "
        << percent(a.target_median) << ", " << percent(a.target_worst)
        << (a.met() ? "  met" : "  NOT met") << "\n";
  }
}

}  // namespace zxvp
