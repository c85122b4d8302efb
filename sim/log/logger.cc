#include "sim/log/logger.h"

#include <array>
#include <cstdio>
#include <iomanip>
#include <systemc>

namespace zxvp {

LogLevel g_log_level = LogLevel::warning;

namespace {
constexpr std::array<std::string_view, 5> kLevelNames = {"error", "warning", "info", "debug",
                                                         "trace"};
}

std::optional<LogLevel> parse_log_level(std::string_view name) {
  for (size_t i = 0; i < kLevelNames.size(); ++i) {
    if (kLevelNames[i] == name) return static_cast<LogLevel>(i);
  }
  return std::nullopt;
}

std::string_view log_level_name(LogLevel level) {
  return kLevelNames.at(static_cast<size_t>(level));
}

void set_log_level(LogLevel level) {
  g_log_level = level;
}

LogLine::LogLine(LogLevel level, std::string_view component)
    : LogLine(level, component, sc_core::sc_time_stamp()) {}

LogLine::LogLine(LogLevel level, std::string_view component, const sc_core::sc_time& at)
    : level_(level) {
  const double at_us = at.to_seconds() * 1e6;
  stream_ << '[' << std::fixed << std::setprecision(3) << std::setw(12) << at_us << " us] "
          << log_level_name(level_) << ' ' << component << ": ";
}

LogLine::~LogLine() {
  stream_ << '\n';
  const std::string line = stream_.str();
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace zxvp
