#include "sim/host_description.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

namespace zxvp {
namespace {

using ::testing::HasSubstr;

// The first two processors of this project's machine, as its /proc/cpuinfo shows them.
constexpr std::string_view kKvmEpyc =
    "processor\t: 0\n"
    "vendor_id\t: AuthenticAMD\n"
    "cpu family\t: 25\n"
    "model\t\t: 1\n"
    "model name\t: AMD EPYC\n"
    "stepping\t: 1\n"
    "cpu MHz\t\t: 2445.434\n"
    "flags\t\t: fpu vme de pse tsc msr pae hypervisor lahf_lm cmp_legacy\n"
    "\n"
    "processor\t: 1\n"
    "model name\t: Some Other CPU\n"
    "cpu MHz\t\t: 1000.000\n";

TEST(Host, ReadsTheFirstProcessorOfCpuinfo) {
  const HostDescription host = describe_host(kKvmEpyc, std::nullopt, 2);
  EXPECT_EQ(host.cpu_model, "AMD EPYC");
  EXPECT_EQ(host.cpu_family, 25);
  EXPECT_EQ(host.cpu_model_number, 1);
  EXPECT_EQ(host.cores_online, 2u);
  ASSERT_TRUE(host.clock_mhz.has_value());
  EXPECT_DOUBLE_EQ(*host.clock_mhz, 2445.434);
  EXPECT_TRUE(host.virtual_machine);
  EXPECT_EQ(host.summary(),
            "AMD EPYC (family 25 model 1), 2 cores online, 2445 MHz, virtual machine");
}

TEST(Host, CpufreqsMaximumIsTheClockWhenThereIsOne) {
  const HostDescription host = describe_host(kKvmEpyc, 3'500'000.0, 2);
  EXPECT_DOUBLE_EQ(host.clock_mhz.value_or(0), 3500.0);
}

TEST(Host, WhatTheSystemDoesNotTellStaysUnknown) {
  // An arm64 /proc/cpuinfo has no model name, family or clock.
  const HostDescription host =
      describe_host("processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd\n", std::nullopt, 1);
  EXPECT_TRUE(host.cpu_model.empty());
  EXPECT_FALSE(host.cpu_family.has_value());
  EXPECT_FALSE(host.clock_mhz.has_value());
  EXPECT_FALSE(host.virtual_machine);
  EXPECT_EQ(host.summary(), "unknown CPU, 1 core online, clock unknown");
  EXPECT_FALSE(describe_host("flags\t: xhypervisor\n", std::nullopt, 1).virtual_machine);
}

TEST(Host, ThisMachineCountsTheCoresTheStandardLibrarySees) {
  const HostDescription host = describe_this_host();
  EXPECT_EQ(host.cores_online, std::thread::hardware_concurrency());
  EXPECT_THAT(host.summary(), HasSubstr(std::to_string(host.cores_online) + " core"));
}

}  // namespace
}  // namespace zxvp
