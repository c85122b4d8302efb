#include "sim/trace/trace_event_writer.h"

#include <boost/json.hpp>

namespace zxvp {

void TraceEventWriter::name_track(int track, const std::string& name) {
  events_.push_back({{"name", "thread_name"},
                     {"ph", "M"},
                     {"pid", kProcess},
                     {"tid", track},
                     {"ts", 0},
                     {"args", {{"name", name}}}});
}

void TraceEventWriter::slice(int track, const std::string& name, const std::string& category,
                             double start_us, double duration_us, boost::json::object args) {
  events_.push_back({{"name", name},
                     {"cat", category},
                     {"ph", "X"},
                     {"pid", kProcess},
                     {"tid", track},
                     {"ts", start_us},
                     {"dur", duration_us},
                     {"args", std::move(args)}});
}

void TraceEventWriter::counter(const std::string& name, double time_us, const std::string& series,
                               double value) {
  events_.push_back({{"name", name},
                     {"ph", "C"},
                     {"pid", kProcess},
                     {"tid", 0},
                     {"ts", time_us},
                     {"args", {{series, value}}}});
}

boost::json::value TraceEventWriter::to_json() const {
  boost::json::array events;
  events.push_back({{"name", "process_name"},
                    {"ph", "M"},
                    {"pid", kProcess},
                    {"tid", 0},
                    {"ts", 0},
                    {"args", {{"name", "zxvp"}}}});
  for (const auto& event : events_)
    events.push_back(event);
  return boost::json::object{{"traceEvents", std::move(events)}, {"displayTimeUnit", "ns"}};
}

}  // namespace zxvp
