#include "sim/host_description.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

namespace zxvp {

namespace {

std::string_view trimmed(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const size_t last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

template <typename Number>
std::optional<Number> number(std::string_view text) {
  Number value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string read_text(const char* path) {
  std::ifstream file(path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace

std::string HostDescription::summary() const {
  std::string text = cpu_model.empty() ? "unknown CPU" : cpu_model;
  if (cpu_family && cpu_model_number) {
    text += " (family " + std::to_string(*cpu_family) + " model " +
            std::to_string(*cpu_model_number) + ")";
  }
  text += ", " + std::to_string(cores_online) + (cores_online == 1 ? " core" : " cores") +
          " online, " +
          (clock_mhz ? std::to_string(std::lround(*clock_mhz)) + " MHz" : "clock unknown");
  if (virtual_machine) text += ", virtual machine";
  if (!kernel.empty()) text += ", " + kernel;
  return text;
}

HostDescription describe_host(std::string_view cpuinfo, std::optional<double> cpufreq_max_khz,
                              unsigned cores_online) {
  HostDescription host;
  host.cores_online = cores_online;
  std::optional<double> cpuinfo_mhz;
  // Fields of the first processor only: a blank line ends its block.
  while (!cpuinfo.empty()) {
    const size_t end = cpuinfo.find('\n');
    const std::string_view line = cpuinfo.substr(0, end);
    cpuinfo = end == std::string_view::npos ? std::string_view() : cpuinfo.substr(end + 1);
    if (trimmed(line).empty()) break;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view key = trimmed(line.substr(0, colon));
    const std::string_view value = trimmed(line.substr(colon + 1));
    if (key == "model name") {
      host.cpu_model = value;
    } else if (key == "cpu family") {
      host.cpu_family = number<int>(value);
    } else if (key == "model") {
      host.cpu_model_number = number<int>(value);
    } else if (key == "cpu MHz") {
      cpuinfo_mhz = number<double>(value);
    } else if (key == "flags") {
      // A flag of its own, not part of another flag's name.
      for (size_t word_start = 0; word_start < value.size();) {
        const size_t word_end = std::min(value.find(' ', word_start), value.size());
        if (value.substr(word_start, word_end - word_start) == "hypervisor") {
          host.virtual_machine = true;
        }
        word_start = word_end + 1;
      }
    }
  }
  // cpufreq's maximum is the clock the core reaches; "cpu MHz" is the current one, or under a
  // hypervisor the clock it was told.
  if (cpufreq_max_khz) {
    host.clock_mhz = *cpufreq_max_khz / 1000.0;
  } else {
    host.clock_mhz = cpuinfo_mhz;
  }
  return host;
}

HostDescription describe_this_host() {
  const std::string max_khz = read_text("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq");
  const long online = sysconf(_SC_NPROCESSORS_ONLN);
  HostDescription host = describe_host(read_text("/proc/cpuinfo"), number<double>(trimmed(max_khz)),
                                       online > 0 ? static_cast<unsigned>(online) : 0);
  utsname name{};
  if (uname(&name) == 0) host.kernel = std::string(name.sysname) + " " + name.release;
  return host;
}

}  // namespace zxvp
