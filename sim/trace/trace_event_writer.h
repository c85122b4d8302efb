#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace zxvp {

// Collects Chrome trace-event format events (the JSON that ui.perfetto.dev and chrome://tracing
// open): named tracks (threads of one process), complete slices ("X", nested by time on a
// track) and counters ("C"). Times are microseconds.
class TraceEventWriter {
 public:
  void name_track(int track, const std::string& name);
  void slice(int track, const std::string& name, const std::string& category, double start_us,
             double duration_us, boost::json::object args = {});
  void counter(const std::string& name, double time_us, const std::string& series, double value);

  boost::json::value to_json() const;

 private:
  static constexpr int kProcess = 1;
  std::vector<boost::json::object> events_;
};

}  // namespace zxvp
