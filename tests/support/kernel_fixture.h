#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "platforms/platform_file.h"
#include "sw/api/zircon/constants.h"
#include "sw/kernel/kernel.h"
#include "sw/workloads/system.h"

// Compares statuses by name, so that a failure reads "ZX_ERR_BAD_STATE vs ZX_OK".
#define EXPECT_ZX(expected, call) \
  EXPECT_STREQ(zx_status_get_string(expected), zx_status_get_string(call))
#define ASSERT_ZX(expected, call) \
  ASSERT_STREQ(zx_status_get_string(expected), zx_status_get_string(call))

namespace zxvp::testing {

// The default system (platform and kernel), with parameter overrides; the test body runs as
// software on cpu0 with a process "main" already made.
class KernelTest : public ::testing::Test {
 protected:
  void configure(const std::vector<std::string>& overrides) { overrides_ = overrides; }

  void run(const std::function<void(Kernel&, Process&)>& body) {
    ParameterSet parameters;
    System::declare_parameters(parameters);
    load_platform_file("default", parameters);
    for (const std::string& assignment : overrides_)
      parameters.set_assignment(assignment, "test");
    system_ = std::make_unique<System>(parameters);
    bool finished = false;
    system_->kernel().cpu().start_thread("test", [&] {
      Process* main = system_->kernel().create_process("main");
      ASSERT_NE(main, nullptr);
      body(system_->kernel(), *main);
      finished = true;
    });
    sc_core::sc_start();
    ASSERT_TRUE(finished) << "the test body stopped early (a failed ASSERT ends it)";
  }

  System& system() { return *system_; }

 public:
  // --- Helpers for bodies ---
  static zx_handle_t make_vmo(Kernel& kernel, Process& process, uint64_t size,
                              uint32_t options = 0) {
    zx_handle_t vmo = ZX_HANDLE_INVALID;
    EXPECT_ZX(ZX_OK, kernel.vmo_create(process, size, options, &vmo));
    return vmo;
  }
  // A fresh VMO of `size` mapped with `permissions`; returns the address.
  static uint64_t map_new(Kernel& kernel, Process& process, uint64_t size,
                          uint32_t permissions = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE,
                          zx_handle_t* vmo_out = nullptr) {
    const zx_handle_t vmo = make_vmo(kernel, process, size);
    uint64_t address = 0;
    EXPECT_ZX(ZX_OK, kernel.vmar_map(process, process.root_vmar_handle(), permissions, 0, vmo, 0,
                                     size, &address));
    if (vmo_out != nullptr) *vmo_out = vmo;
    return address;
  }
  static zx_rights_t rights_of(Process& process, zx_handle_t handle) {
    const Handle* found = process.handles().find(handle);
    return found == nullptr ? 0 : found->rights;
  }
  static std::vector<uint8_t> pattern(size_t length, uint8_t seed) {
    std::vector<uint8_t> bytes(length);
    for (size_t i = 0; i < length; ++i)
      bytes[i] = static_cast<uint8_t>(seed + i * 7 + (i >> 8));
    return bytes;
  }
  static std::vector<uint8_t> load(Kernel& kernel, Process& process, uint64_t address,
                                   size_t length) {
    std::vector<uint8_t> bytes(length);
    EXPECT_ZX(ZX_OK, kernel.user_load(process, address, bytes.data(), length));
    return bytes;
  }
  static void store(Kernel& kernel, Process& process, uint64_t address,
                    const std::vector<uint8_t>& bytes) {
    EXPECT_ZX(ZX_OK, kernel.user_store(process, address, bytes.data(), bytes.size()));
  }

 private:
  std::vector<std::string> overrides_;
  std::unique_ptr<System> system_;
};

}  // namespace zxvp::testing
