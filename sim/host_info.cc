#include "sim/host_info.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <sstream>

namespace zxvp {

namespace {

// The value of a "key<tabs>: value" line of cpuinfo, or empty when `line` is not about `key`.
std::string cpuinfo_value(const std::string& line, const std::string& key) {
  if (!line.starts_with(key)) return {};
  const auto colon = line.find(':');
  if (colon == std::string::npos || line.find_first_not_of(" \t", key.size()) != colon) return {};
  const auto start = line.find_first_not_of(' ', colon + 1);
  return start == std::string::npos ? std::string() : line.substr(start);
}

}  // namespace

HostInfo read_host_info(const std::string& cpuinfo) {
  HostInfo host;
  std::ifstream file(cpuinfo);
  for (std::string line; std::getline(file, line);) {
    if (host.cpu_model.empty()) host.cpu_model = cpuinfo_value(line, "model name");
    if (host.mhz == 0) {
      const std::string mhz = cpuinfo_value(line, "cpu MHz");
      if (!mhz.empty()) host.mhz = std::strtod(mhz.c_str(), nullptr);
    }
  }
  const long online = sysconf(_SC_NPROCESSORS_ONLN);
  host.cores = online > 0 ? static_cast<unsigned>(online) : 0;
  utsname name{};
  if (uname(&name) == 0) host.kernel = std::string(name.sysname) + " " + name.release;
  return host;
}

std::string describe(const HostInfo& host) {
  std::ostringstream text;
  text << (host.cpu_model.empty() ? "unknown CPU" : host.cpu_model) << ", " << host.cores
       << (host.cores == 1 ? " core" : " cores");
  if (host.mhz > 0) text << ", " << std::lround(host.mhz) << " MHz";
  if (!host.kernel.empty()) text << ", " << host.kernel;
  return text.str();
}

}  // namespace zxvp
