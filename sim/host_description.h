#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace zxvp {

// The machine zxvp runs on, so that figures measured on it (a bench, a calibration) say where
// they come from. Fields the system does not tell stay empty.
struct HostDescription {
  std::string cpu_model;  // /proc/cpuinfo's "model name", e.g. "AMD EPYC"
  // x86 family and model numbers, which tell a generation apart (25 and 1: a Zen 3 EPYC).
  std::optional<int> cpu_family;
  std::optional<int> cpu_model_number;
  unsigned cores_online = 0;
  std::optional<double> clock_mhz;  // cpufreq's maximum, else /proc/cpuinfo's "cpu MHz"
  bool virtual_machine = false;     // the CPU says it runs under a hypervisor
  std::string kernel;               // uname's system and release: "Linux 6.1.0-18-amd64"

  // "AMD EPYC (family 25 model 1), 2 cores online, 2445 MHz, virtual machine, Linux 6.1.0"
  std::string summary() const;
};

// From the text of /proc/cpuinfo (its first processor) and cpufreq's cpuinfo_max_freq in kHz,
// when the system has one.
HostDescription describe_host(std::string_view cpuinfo, std::optional<double> cpufreq_max_khz,
                              unsigned cores_online);
// This machine's, with its kernel.
HostDescription describe_this_host();

}  // namespace zxvp
