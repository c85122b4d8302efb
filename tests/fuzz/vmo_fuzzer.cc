// Differential fuzzing of the kernel model against the reference model (tests/fuzz/
// reference_model.h): the input decodes into system calls, loads and stores across three
// processes, with bogus handles and addresses and huge sizes; any difference in a status or in
// the bytes a read or load returns aborts, and so does a broken page invariant.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <systemc>
#include <vector>

#include "platforms/platform_file.h"
#include "sw/api/zircon/constants.h"
#include "sw/workloads/system.h"
#include "tests/fuzz/reference_model.h"

namespace {

using zxvp::Kernel;
using zxvp::Process;
namespace reference = zxvp::reference;

constexpr uint64_t kPage = 4096;

[[noreturn]] void fail(const char* what, long long kernel_value, long long reference_value) {
  std::fprintf(stderr, "vmo_fuzzer: %s: kernel %lld (%s), reference %lld (%s)\n", what,
               kernel_value, zx_status_get_string(static_cast<zx_status_t>(kernel_value)),
               reference_value, zx_status_get_string(static_cast<zx_status_t>(reference_value)));
  std::abort();
}

// ZXVP_FUZZ_TRACE=1 prints every operation, to read a crash input's story.
const bool kTrace = std::getenv("ZXVP_FUZZ_TRACE") != nullptr;

void same(const char* what, zx_status_t kernel, zx_status_t model) {
  if (kTrace) std::fprintf(stderr, "  %s -> %s\n", what, zx_status_get_string(kernel));
  if (kernel != model) fail(what, kernel, model);
}

struct HandlePair {
  zx_handle_t kernel;
  zx_handle_t model;
};
struct MappingPair {
  uint64_t base;
  uint64_t size;
};

class Session {
 public:
  Session(Kernel& kernel, FuzzedDataProvider& input) : kernel_(kernel), input_(input) {}

  void run() {
    for (size_t p = 0; p < reference::Model::kProcesses; ++p) {
      processes_[p] = kernel_.create_process("fuzz" + std::to_string(p));
      if (processes_[p] == nullptr) std::abort();
      handles_[p].push_back({processes_[p]->root_vmar_handle(), model_.root_vmar(p)});
    }
    for (int steps = 0; steps < 64 && input_.remaining_bytes() > 0; ++steps) {
      step();
      watch();
    }
    check_invariants();
    for (Process* process : processes_)
      kernel_.destroy_process(*process);
  }

 private:
  size_t process() { return input_.ConsumeIntegralInRange<size_t>(0, 2); }

  HandlePair handle(size_t p) {
    switch (input_.ConsumeIntegralInRange<int>(0, 9)) {
      case 0:
        return {ZX_HANDLE_INVALID, ZX_HANDLE_INVALID};
      case 1: {  // another process's handle
        const size_t other = (p + 1 + input_.ConsumeIntegralInRange<size_t>(0, 1)) % 3;
        const auto& list = handles_[other];
        return list[input_.ConsumeIntegralInRange<size_t>(0, list.size() - 1)];
      }
      case 2: {  // low bits wrong
        const auto& list = handles_[p];
        const HandlePair pick = list[input_.ConsumeIntegralInRange<size_t>(0, list.size() - 1)];
        return {pick.kernel ^ 1, pick.model ^ 1};
      }
      default: {
        const auto& list = handles_[p];
        return list[input_.ConsumeIntegralInRange<size_t>(0, list.size() - 1)];
      }
    }
  }

  uint64_t size_value() {
    switch (input_.ConsumeIntegralInRange<int>(0, 15)) {
      case 0:
        return UINT64_MAX;
      case 1:
        return reference::Model::kMaxSize;
      case 2:
        return 0xFFFF'FFFF'FFFF'F000;
      case 3:
        return uint64_t{1} << 40;
      case 4:
        return 0;
      default:
        return input_.ConsumeIntegralInRange<uint64_t>(0, 4 * kPage + 100);
    }
  }

  uint64_t address(size_t p) {
    const auto& list = mappings_[p];
    if (list.empty() || input_.ConsumeIntegralInRange<int>(0, 7) == 0) {
      static constexpr uint64_t kBogus[] = {
          0, 0x1000, 0x7FFF'FFFF'F000, 0x8000'0000'0000, 0xFFFF'8000'0000'0000, UINT64_MAX - 100};
      return kBogus[input_.ConsumeIntegralInRange<size_t>(0, 5)];
    }
    const MappingPair& mapping = list[input_.ConsumeIntegralInRange<size_t>(0, list.size() - 1)];
    return mapping.base + input_.ConsumeIntegralInRange<uint64_t>(0, mapping.size + 2 * kPage);
  }

  uint64_t length() {
    return input_.ConsumeIntegralInRange<int>(0, 15) == 0
               ? input_.ConsumeIntegral<uint64_t>()
               : input_.ConsumeIntegralInRange<uint64_t>(0, 3 * kPage + 17);
  }

  void keep(size_t p, zx_status_t status, zx_handle_t kernel, zx_handle_t model) {
    if (status == ZX_OK) handles_[p].push_back({kernel, model});
  }

  void step() {
    const size_t p = process();
    if (kTrace) std::fprintf(stderr, " step in process %zu\n", p);
    Process& kp = *processes_[p];
    const int operation = input_.ConsumeIntegralInRange<int>(0, 13);
    if (kTrace) std::fprintf(stderr, "  op %d\n", operation);
    switch (operation) {
      case 0: {
        const uint64_t size = size_value();
        const uint32_t options = input_.PickValueInArray<uint32_t>(
            {0u, ZX_VMO_RESIZABLE, ZX_VMO_UNBOUNDED, ZX_VMO_RESIZABLE | ZX_VMO_UNBOUNDED, 0x100u});
        zx_handle_t k = 0;
        zx_handle_t m = 0;
        const zx_status_t status = kernel_.vmo_create(kp, size, options, &k);
        same("vmo_create", status, model_.vmo_create(p, size, options, &m));
        if (kTrace)
          std::fprintf(stderr, "  [created %x size %llx]\n", k,
                       static_cast<unsigned long long>(size));
        keep(p, status, k, m);
        break;
      }
      case 1:
      case 2: {
        const bool write = input_.ConsumeBool();
        const HandlePair h = handle(p);
        const uint64_t buffer = address(p);
        const uint64_t offset = input_.ConsumeBool()
                                    ? size_value()
                                    : input_.ConsumeIntegralInRange<uint64_t>(0, 3 * kPage);
        const uint64_t count = length();
        if (kTrace) {
          std::fprintf(stderr, "  [%s handle %x buffer %llx offset %llx len %llx]\n",
                       write ? "write" : "read", h.kernel, static_cast<unsigned long long>(buffer),
                       static_cast<unsigned long long>(offset),
                       static_cast<unsigned long long>(count));
        }
        if (write) {
          same("vmo_write", kernel_.vmo_write(kp, h.kernel, buffer, offset, count),
               model_.vmo_write(p, h.model, buffer, offset, count));
        } else {
          same("vmo_read", kernel_.vmo_read(kp, h.kernel, buffer, offset, count),
               model_.vmo_read(p, h.model, buffer, offset, count));
        }
        break;
      }
      case 3: {
        const HandlePair h = handle(p);
        const uint64_t size = size_value();
        same("vmo_set_size", kernel_.vmo_set_size(kp, h.kernel, size),
             model_.vmo_set_size(p, h.model, size));
        break;
      }
      case 4: {
        const HandlePair h = handle(p);
        const uint32_t policy = input_.ConsumeIntegralInRange<uint32_t>(0, 4);
        if (kTrace) std::fprintf(stderr, "  [p%zu handle %x policy %u]\n", p, h.kernel, policy);
        same("vmo_set_cache_policy", kernel_.vmo_set_cache_policy(kp, h.kernel, policy),
             model_.vmo_set_cache_policy(p, h.model, policy));
        break;
      }
      case 5: {
        const HandlePair h = handle(p);
        const uint32_t options = input_.PickValueInArray<uint32_t>(
            {ZX_VMO_CHILD_SNAPSHOT, ZX_VMO_CHILD_SLICE,
             ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_RESIZABLE,
             ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_NO_WRITE,
             ZX_VMO_CHILD_SLICE | ZX_VMO_CHILD_NO_WRITE, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
             ZX_VMO_CHILD_REFERENCE, 0u, 0x2u});
        const uint64_t offset = input_.ConsumeBool()
                                    ? kPage * input_.ConsumeIntegralInRange<uint64_t>(0, 4)
                                    : size_value();
        const uint64_t size = size_value();
        zx_handle_t k = 0;
        zx_handle_t m = 0;
        const zx_status_t status =
            kernel_.vmo_create_child(kp, h.kernel, options, offset, size, &k);
        same("vmo_create_child", status,
             model_.vmo_create_child(p, h.model, options, offset, size, &m));
        keep(p, status, k, m);
        break;
      }
      case 6: {
        const HandlePair h = handle(p);
        const zx_rights_t rights = input_.PickValueInArray<zx_rights_t>(
            {ZX_RIGHT_SAME_RIGHTS, 0u, ZX_RIGHT_READ,
             ZX_RIGHT_READ | ZX_RIGHT_MAP | ZX_RIGHT_DUPLICATE, ZX_RIGHT_WRITE | ZX_RIGHT_MAP,
             ZX_DEFAULT_VMO_RIGHTS, ZX_RIGHT_RESIZE});
        zx_handle_t k = 0;
        zx_handle_t m = 0;
        const zx_status_t status = kernel_.handle_duplicate(kp, h.kernel, rights, &k);
        same("handle_duplicate", status, model_.handle_duplicate(p, h.model, rights, &m));
        keep(p, status, k, m);
        break;
      }
      case 7: {
        const HandlePair h = handle(p);
        if (h.kernel == kp.root_vmar_handle()) break;  // the fuzzer keeps each root VMAR
        same("handle_close", kernel_.handle_close(kp, h.kernel), model_.handle_close(p, h.model));
        break;
      }
      case 8: {
        const HandlePair h = handle(p);
        const uint32_t options = input_.PickValueInArray<uint32_t>(
            {ZX_VM_PERM_READ, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, ZX_VM_PERM_WRITE, 0u});
        const uint64_t vmo_offset =
            input_.ConsumeBool() ? 0 : input_.ConsumeIntegralInRange<uint64_t>(0, 3 * kPage);
        // Mappings stay small (or fail): a copy through one then stays well inside memory.
        const uint64_t size = input_.ConsumeBool()
                                  ? input_.ConsumeIntegralInRange<uint64_t>(0, 6 * kPage)
                                  : input_.PickValueInArray<uint64_t>(
                                        {0u, UINT64_MAX, reference::Model::kMaxSize, 64 * kPage});
        uint64_t k = 0;
        uint64_t m = 0;
        const zx_status_t status =
            kernel_.vmar_map(kp, kp.root_vmar_handle(), options, 0, h.kernel, vmo_offset, size, &k);
        same("vmar_map", status, model_.vmar_map(p, options, h.model, vmo_offset, size, &m));
        if (kTrace) {
          std::fprintf(stderr, "  [map %x options %x vmo_offset %llx size %llx at %llx]\n",
                       h.kernel, options, static_cast<unsigned long long>(vmo_offset),
                       static_cast<unsigned long long>(size), static_cast<unsigned long long>(k));
        }
        if (status == ZX_OK) {
          if (k != m)
            fail("vmar_map address", static_cast<long long>(k), static_cast<long long>(m));
          mappings_[p].push_back({k, (size + kPage - 1) / kPage * kPage});
        }
        break;
      }
      case 9: {
        const uint64_t base = address(p) & ~(kPage - 1);
        const uint64_t size = input_.ConsumeIntegralInRange<uint64_t>(0, 4 * kPage);
        same("vmar_unmap", kernel_.vmar_unmap(kp, kp.root_vmar_handle(), base, size),
             model_.vmar_unmap(p, base, size));
        break;
      }
      case 10:
      case 11: {
        const uint64_t at = address(p);
        const size_t count = input_.ConsumeIntegralInRange<size_t>(0, 2 * kPage + 9);
        if (kTrace) {
          std::fprintf(stderr, "  [access %llx len %zx]\n", static_cast<unsigned long long>(at),
                       count);
        }
        if (input_.ConsumeBool()) {
          std::vector<uint8_t> bytes(count,
                                     static_cast<uint8_t>(input_.ConsumeIntegral<uint8_t>()));
          for (size_t i = 0; i < count; i += 97)
            bytes[i] = static_cast<uint8_t>(i);
          same("store", kernel_.user_store(kp, at, bytes.data(), count),
               model_.store(p, at, bytes.data(), count));
        } else {
          std::vector<uint8_t> k(count);
          std::vector<uint8_t> m(count);
          const zx_status_t status = kernel_.user_load(kp, at, k.data(), count);
          same("load", status, model_.load(p, at, m.data(), count));
          if (status == ZX_OK && k != m) {
            const auto at_byte = std::mismatch(k.begin(), k.end(), m.begin()).first - k.begin();
            fail("load bytes differ at byte", at_byte, 0);
          }
        }
        break;
      }
      case 12: {
        const HandlePair h = handle(p);
        const uint32_t op = input_.PickValueInArray<uint32_t>(
            {ZX_VMO_OP_COMMIT, ZX_VMO_OP_DECOMMIT, ZX_VMO_OP_ZERO, 77u});
        const uint64_t offset = input_.ConsumeBool()
                                    ? size_value()
                                    : input_.ConsumeIntegralInRange<uint64_t>(0, 3 * kPage);
        // Huge ranges only where they cannot commit more than a few pages.
        const uint64_t size = op == ZX_VMO_OP_COMMIT ? length() % (16 * kPage) : size_value();
        same("vmo_op_range", kernel_.vmo_op_range(kp, h.kernel, op, offset, size, 0),
             model_.vmo_op_range(p, h.model, op, offset, size));
        break;
      }
      default: {
        const HandlePair h = handle(p);
        uint64_t k = 0;
        uint64_t m = 0;
        const zx_status_t status = kernel_.vmo_get_size(kp, h.kernel, &k);
        same("vmo_get_size", status, model_.vmo_get_size(p, h.model, &m));
        if (status == ZX_OK && k != m)
          fail("vmo_get_size value", static_cast<long long>(k), static_cast<long long>(m));
        break;
      }
    }
  }

  // ZXVP_FUZZ_WATCH=P:ADDRESS:LENGTH (hex) compares that range of process P's memory in both
  // models after every step, to find the step where they part.
  void watch() {
    static const char* spec = std::getenv("ZXVP_FUZZ_WATCH");
    if (spec == nullptr) return;
    size_t p = 0;
    unsigned long long at = 0;
    unsigned long long count = 0;
    if (std::sscanf(spec, "%zu:%llx:%llx", &p, &at, &count) != 3 || p > 2) return;
    std::vector<uint8_t> k(count);
    std::vector<uint8_t> m(count);
    const zx_status_t ks = kernel_.user_load(*processes_[p], at, k.data(), count);
    const zx_status_t ms = model_.load(p, at, m.data(), count);
    std::fprintf(stderr, "  watch: %s / %s, %s\n", zx_status_get_string(ks),
                 zx_status_get_string(ms), k == m ? "same bytes" : "BYTES DIFFER");
  }

  void check_invariants() {
    const uint64_t used = kernel_.pmm().used_pages();
    const uint64_t accounted =
        kernel_.committed_pages() + kernel_.page_table_pages() + kernel_.kernel_pages();
    if (used != accounted) fail("pages in use vs committed + tables + kernel", used, accounted);
  }

  Kernel& kernel_;
  FuzzedDataProvider& input_;
  reference::Model model_;
  Process* processes_[3] = {};
  std::vector<HandlePair> handles_[3];
  std::vector<MappingPair> mappings_[3];
};

// One system for the whole fuzzing run (SystemC elaborates once); each input runs in the core's
// software thread, woken by an event, and the simulation returns when it waits again.
struct Harness {
  Harness() {
    zxvp::ParameterSet parameters;
    zxvp::System::declare_parameters(parameters);
    zxvp::load_platform_file("default", parameters);
    parameters.set("memory.size", "256MiB", "fuzzer");
    system = std::make_unique<zxvp::System>(parameters);
    system->kernel().cpu().start_thread("fuzz", [this] {
      while (true) {
        sc_core::wait(work);
        Kernel& kernel = system->kernel();
        const uint64_t baseline = kernel.pmm().used_pages();
        {
          Session session(kernel, *input);
          session.run();
        }
        // Every process exited: every page is free again but the kernel's own.
        if (kernel.pmm().used_pages() != kernel.kernel_pages() || kernel.committed_pages() != 0) {
          fail("pages left after every process exited", kernel.pmm().used_pages(), baseline);
        }
      }
    });
    sc_core::sc_start();
  }
  void run(const uint8_t* data, size_t size) {
    FuzzedDataProvider provider(data, size);
    input = &provider;
    work.notify(sc_core::SC_ZERO_TIME);
    sc_core::sc_start();
    input = nullptr;
  }

  std::unique_ptr<zxvp::System> system;
  sc_core::sc_event work{"work"};
  FuzzedDataProvider* input = nullptr;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness* harness = [] {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
    return new Harness();
  }();
  harness->run(data, size);
  return 0;
}

// libsystemc.so brings a main() that calls sc_main; libFuzzer's main is the one that runs.
int sc_main(int, char**) {
  return 0;
}
