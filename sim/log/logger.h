#pragma once

#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <systemc>

namespace zxvp {

enum class LogLevel { error = 0, warning = 1, info = 2, debug = 3, trace = 4 };

std::optional<LogLevel> parse_log_level(std::string_view name);
std::string_view log_level_name(LogLevel level);

void set_log_level(LogLevel level);
inline bool log_enabled(LogLevel level) {
  extern LogLevel g_log_level;
  return level <= g_log_level;
}

// One log line: "[  1.250 us] warning memory: ..." on stderr, written when the object dies. The
// time is SystemC's, or `at` for a model that runs ahead of it (a core with temporal decoupling
// may not synchronise for a whole call; a transaction happens at SystemC time plus its delay).
// Build it only behind log_enabled() (the ZXVP_LOG macro does), so a disabled level costs a
// compare and no formatting.
class LogLine {
 public:
  LogLine(LogLevel level, std::string_view component);
  LogLine(LogLevel level, std::string_view component, const sc_core::sc_time& at);
  ~LogLine();
  LogLine(const LogLine&) = delete;
  LogLine& operator=(const LogLine&) = delete;
  std::ostream& stream() { return stream_; }

 private:
  LogLevel level_;
  std::ostringstream stream_;
};

}  // namespace zxvp

#define ZXVP_LOG(level, component)   \
  if (!::zxvp::log_enabled(level)) { \
  } else                             \
    ::zxvp::LogLine((level), (component)).stream()

#define ZXVP_LOG_AT(level, component, at) \
  if (!::zxvp::log_enabled(level)) {      \
  } else                                  \
    ::zxvp::LogLine((level), (component), (at)).stream()
