#pragma once

#include <string>

namespace zxvp {

// The machine zxvp runs on, as its figures should be labelled: measurements from one host mean
// little without its CPU model, core count and clock.
struct HostInfo {
  std::string cpu_model;  // "AMD EPYC", from the first "model name" of cpuinfo
  unsigned cores = 0;     // logical CPUs online
  double mhz = 0;         // the clock cpuinfo reports (nominal on most virtual machines)
  std::string kernel;     // "Linux 6.1.0-18-amd64"
};

// Reads `cpuinfo` (a /proc/cpuinfo-format file) and uname; fields it cannot find stay empty or 0.
HostInfo read_host_info(const std::string& cpuinfo = "/proc/cpuinfo");

// "AMD EPYC, 2 cores, 2445 MHz, Linux 6.1.0-18-amd64"
std::string describe(const HostInfo& host);

}  // namespace zxvp
