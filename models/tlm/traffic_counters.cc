#include "models/tlm/traffic_counters.h"

namespace zxvp {

TrafficCounters::TrafficCounters(StatisticsRegistry& registry, const std::string& prefix)
    : reads_(registry.counter(prefix + ".reads", "read transactions")),
      writes_(registry.counter(prefix + ".writes", "write transactions")),
      bytes_read_(registry.counter(prefix + ".bytes_read", "bytes read")),
      bytes_written_(registry.counter(prefix + ".bytes_written", "bytes written")) {}

}  // namespace zxvp
