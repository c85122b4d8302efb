#include "sw/workloads/calibration/platform_writer.h"

#include <ctime>
#include <fstream>
#include <iomanip>
#include <stdexcept>
#include <string>

#include "platforms/platform_file.h"
#include "sw/workloads/system.h"

namespace zxvp {

namespace {

// Cache keys of levels the platform does not have are left out.
bool unused_cache_key(const std::string& key, uint64_t levels) {
  if (!key.starts_with("cache.l")) return false;
  const char digit = key[std::string("cache.l").size()];
  return digit >= '1' && digit <= '9' && static_cast<uint64_t>(digit - '0') > levels;
}

// A YAML double-quoted scalar.
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

void write_platform_file(const FittedPlatform& fit, const HostDescription& host,
                         const std::string& command, const std::string& path) {
  ParameterSet parameters;
  System::declare_parameters(parameters);
  load_platform_file("default", parameters);
  for (const FittedValue& value : fit.values)
    parameters.set(value.key, value.value, "calibration");
  const uint64_t levels = parameters.get_unsigned("cache.levels");

  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::ofstream out(path);
  out << "# A platform fitted to " << host.summary() << " by `" << command << "`, "
      << std::put_time(&utc, "%Y-%m-%d %H:%M UTC") << ".\n"
      << "# Each fitted value names the measurement it came from (ns at the fitted clock are\n"
      << "# cycles = ns x GHz); the others are the default platform's (platforms/default.yaml\n"
      << "# gives their sources). Use it with `zxvp run --platform " << path << "`.\n";
  for (const std::string& note : fit.notes)
    out << "# Note: " << note << "\n";
  out << "name: calibrated\n"
      << "description: " << quoted("one core of " + host.summary() + ", fitted by zxvp calibrate")
      << "\n"
      << "assembly: default\n"
      << "params:\n";
  size_t width = 0;
  for (const auto& [key, entry] : parameters.entries()) {
    width = std::max(width, key.size() + ParameterSet::format_value(entry, entry.value).size());
  }
  auto line = [&](const std::string& key, const std::string& comment) {
    const auto& entry = parameters.entry(key);
    const std::string text = key + ": " + ParameterSet::format_value(entry, entry.value);
    out << "  " << text;
    if (!comment.empty()) {
      out << std::string(width + 4 - text.size(), ' ') << "# " << comment;
    }
    out << "\n";
  };
  for (const FittedValue& value : fit.values)
    line(value.key, value.source);
  out << "  # Not fitted: the default platform's values.\n";
  for (const auto& [key, entry] : parameters.entries()) {
    if (!fit.value(key).empty() || unused_cache_key(key, levels)) continue;
    line(key, "");
  }
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace zxvp
