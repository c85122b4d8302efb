#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/cpu/cpu_core.h"
#include "sim/params/parameter_set.h"
#include "sim/stats/statistics.h"
#include "sw/api/zircon/types.h"
#include "sw/kernel/console.h"
#include "sw/kernel/cycle_account.h"
#include "sw/kernel/dma_driver.h"
#include "sw/kernel/physical_memory_manager.h"
#include "sw/kernel/process.h"
#include "sw/kernel/vm_object.h"

namespace zxvp {

struct KernelConfig {
  std::string copy_engine = "auto";
  uint64_t dma_threshold = uint64_t{16} * 1024;
  uint64_t dma_ring_pages = 4;
  uint64_t dma_bytes_per_channel = uint64_t{64} * 1024;
  uint64_t syscall_cycles = 30;
  // Defaults: the `default` platform's (platforms/default.yaml says where they come from).
  uint64_t handle_lookup_cycles = 40;
  uint64_t page_lookup_cycles = 40;
  bool page_lookup_waits = false;
  uint64_t page_alloc_cycles = 1200;
  uint64_t fault_cycles = 720;
  uint64_t tlb_invalidate_cycles = 150;
  bool enable_debugging_syscalls = false;
  std::string page_placement = "ascending";
  uint64_t seed = 1;

  void bind(ParameterBinding& binding);
};

// The Zircon-like kernel model. It runs on the CPU model: every system call traps into it
// (entry cost), does its checks in Zircon's order (../spec: zircon-vmo.md sections 2 and 3), does
// its work through the core (page-table stores, page zeroing, copies, translations of user
// buffers through the MMU) and returns (exit cost); the core's time from trap to return is the
// call's cycle estimate, split by phase. Callable from software threads running on the core.
class Kernel : private PageOperations {
 public:
  Kernel(CpuCore& cpu, const KernelConfig& config, uint64_t memory_base, uint64_t memory_size,
         const DmaDevice& dma, StatisticsRegistry& statistics);
  ~Kernel() override;

  // A new process with an empty address space; null when physical memory is exhausted.
  Process* create_process(const std::string& name);
  // The process exits: its handles close, its mappings and page tables go.
  void destroy_process(Process& process);
  // The live process with `koid`; null when there is none (it never was, or it exited).
  Process* find_process(zx_koid_t koid);
  PhysicalMemoryManager& pmm() { return pmm_; }
  CpuCore& cpu() { return cpu_; }

  // --- System calls, on behalf of `process` (buffers are its virtual addresses) ---
  zx_status_t vmo_create(Process& process, uint64_t size, uint32_t options, zx_handle_t* out);
  zx_status_t vmo_read(Process& process, zx_handle_t handle, uint64_t buffer, uint64_t offset,
                       uint64_t buffer_size);
  zx_status_t vmo_write(Process& process, zx_handle_t handle, uint64_t buffer, uint64_t offset,
                        uint64_t buffer_size);
  zx_status_t vmo_get_size(Process& process, zx_handle_t handle, uint64_t* size);
  zx_status_t vmo_set_size(Process& process, zx_handle_t handle, uint64_t size);
  zx_status_t vmo_set_cache_policy(Process& process, zx_handle_t handle, uint32_t cache_policy);
  zx_status_t vmo_op_range(Process& process, zx_handle_t handle, uint32_t op, uint64_t offset,
                           uint64_t size, uint64_t buffer_size);
  zx_status_t vmo_create_child(Process& process, zx_handle_t handle, uint32_t options,
                               uint64_t offset, uint64_t size, zx_handle_t* out);
  zx_status_t handle_duplicate(Process& process, zx_handle_t handle, zx_rights_t rights,
                               zx_handle_t* out);
  zx_status_t handle_replace(Process& process, zx_handle_t handle, zx_rights_t rights,
                             zx_handle_t* out);
  zx_status_t handle_close(Process& process, zx_handle_t handle);
  zx_status_t vmar_map(Process& process, zx_handle_t vmar, uint32_t options, uint64_t vmar_offset,
                       zx_handle_t vmo, uint64_t vmo_offset, uint64_t length, uint64_t* address);
  zx_status_t vmar_unmap(Process& process, zx_handle_t vmar, uint64_t address, uint64_t length);
  zx_status_t vmar_protect(Process& process, zx_handle_t vmar, uint32_t options, uint64_t address,
                           uint64_t length);
  zx_status_t vmo_replace_as_executable(Process& process, zx_handle_t handle, zx_handle_t vmex,
                                        zx_handle_t* out);
  // The process's thread ends; the caller then destroys the process (zxvp's processes have one
  // thread). The call never returns to user mode: it costs its entry and dispatch only.
  void process_exit(Process& process, int64_t return_code);
  // Writes up to 256 bytes of the process's memory to the console (Zircon's kMaxDebugWriteSize).
  zx_status_t debug_write(Process& process, uint64_t buffer, uint64_t buffer_size);
  // Simulated time: ticks are nanoseconds (kTicksPerSecond), as the hart's `time` counter.
  static constexpr zx_ticks_t kTicksPerSecond = 1'000'000'000;
  zx_ticks_t ticks_get(Process& process);
  zx_ticks_t ticks_per_second(Process& process);
  zx_time_t clock_get_monotonic(Process& process);
  // A call number the table does not have: ZX_ERR_BAD_SYSCALL, after the cost of a trap.
  zx_status_t bad_syscall(Process& process, uint64_t number);

  // --- User-mode loads and stores through the MMU; page faults are served by the kernel ---
  zx_status_t user_load(Process& process, uint64_t address, void* data, uint64_t length);
  zx_status_t user_store(Process& process, uint64_t address, const void* data, uint64_t length);

  // --- For processes running guest code (sw/kernel/program_runner.h) ---
  // Makes `process`'s address space the core's, before its code runs.
  void enter(Process& process) { enter_address_space(process); }
  // A page fault taken by guest code: served as any fault (commit, fork, map) and recorded as the
  // call "page_fault"; ZX_OK when the access may run again.
  zx_status_t page_fault(Process& process, uint64_t address, AccessType access);
  // User copies of a call's pointer arguments (Zircon's copy_from_user and copy_to_user): page
  // by page through the MMU, faults served; a range outside the user half, or a fault the kernel
  // cannot serve, is ZX_ERR_INVALID_ARGS.
  zx_status_t copy_in(Process& process, uint64_t user_address, void* data, uint64_t length);
  zx_status_t copy_out(Process& process, uint64_t user_address, const void* data, uint64_t length);
  // The out-parameter of the next call made for a caller whose pointers are user addresses
  // (guest code): the call fills `value` as usual, then, before returning to user mode and only
  // when it succeeded, copies it to `user_address`, as Zircon's syscall wrappers do. A copy that
  // fails makes the call ZX_ERR_INVALID_ARGS and undoes what it made: the handle is closed, the
  // mapping removed.
  struct UserOut {
    enum class Kind : uint8_t { value, handle, mapping };
    Kind kind = Kind::value;
    uint64_t user_address = 0;
    const void* value = nullptr;
    uint32_t size_bytes = 0;
  };
  void copy_out_on_return(const UserOut& out) { pending_out_ = out; }
  // Told of every range of physical memory the kernel writes (copies, zero fills, forks), for
  // whoever keeps something derived from memory (a hart's decoded code).
  void add_write_observer(std::function<void(uint64_t physical, uint64_t length)> observer) {
    write_observers_.push_back(std::move(observer));
  }
  // Told of every range of user memory the kernel reads or writes on a process's behalf (its
  // user copies), by virtual address, for a debugger's watchpoints.
  using UserAccessObserver =
      std::function<void(const Process&, uint64_t address, uint64_t length, AccessType access)>;
  void add_user_access_observer(UserAccessObserver observer) {
    user_access_observers_.push_back(std::move(observer));
  }
  Console& console() { return console_; }

  // The cycles of the last call or access, by phase.
  const CallRecord& last_record() const { return account_.last(); }
  // Whether call records carry their phase segments in time order (for traces).
  void keep_phase_segments(bool keep) { account_.set_keep_segments(keep); }
  void add_observer(std::function<void(const CallRecord&)> observer) {
    observers_.push_back(std::move(observer));
  }

  // Invariant checks: pages held by live VMOs (each counted once), page-table pages, and pages
  // the kernel keeps for itself (the DMA descriptor ring and zero page).
  uint64_t committed_pages() const;
  uint64_t page_table_pages() const;
  uint64_t kernel_pages() const { return dma_.kernel_pages(); }

 private:
  // Trap in, enter the caller's address space and pay the dispatch; the body of the call
  // follows, then end_syscall() returns to user mode and records the call.
  void begin_syscall(std::string_view name, Process& process);
  zx_status_t end_syscall(zx_status_t status);
  // Handle lookup in Zircon's order: BAD_HANDLE, WRONG_TYPE, ACCESS_DENIED.
  template <class Object>
  zx_status_t lookup(Process& process, zx_handle_t value, zx_rights_t required,
                     std::shared_ptr<Object>* object, zx_rights_t* rights = nullptr) {
    cpu_.compute(config_.handle_lookup_cycles);
    Handle* handle = process.handles().find(value);
    if (handle == nullptr) return ZX_ERR_BAD_HANDLE;
    auto typed = std::dynamic_pointer_cast<Object>(handle->object);
    if (!typed) return ZX_ERR_WRONG_TYPE;
    if ((handle->rights & required) != required) return ZX_ERR_ACCESS_DENIED;
    *object = std::move(typed);
    if (rights != nullptr) *rights = handle->rights;
    return ZX_OK;
  }
  void enter_address_space(Process& process);
  // The checks zx_vmo_read and zx_vmo_write share, in Zircon's order.
  zx_status_t check_read_write(Process& process, zx_handle_t handle, zx_rights_t right,
                               uint64_t offset, uint64_t length, std::shared_ptr<VmObject>* vmo);
  void record(const CallRecord& record);

  // How the bytes of one call move: by the core as they come, or gathered into segments for
  // the DMA engine, which moves them all at the end.
  struct CopyPlan {
    bool dma = false;
    std::vector<DmaDriver::Segment> segments;
  };
  CopyPlan plan_copy(uint64_t length_bytes);
  void move(CopyPlan& plan, uint64_t source, uint64_t destination, uint64_t length,
            MemoryType source_type, MemoryType destination_type);
  zx_status_t finish(CopyPlan& plan, zx_status_t status);
  // Moving bytes between a VMO page and a user buffer, page by page of the user buffer.
  zx_status_t copy_from_user(Process& process, CopyPlan& plan, uint64_t user_address,
                             uint64_t physical, uint64_t length);
  zx_status_t copy_to_user(Process& process, CopyPlan& plan, uint64_t user_address,
                           const VmPage* page, uint64_t page_offset, uint64_t length);
  void maintain_committed(VmObject& vmo, CacheMaintenance operation, uint64_t offset,
                          uint64_t length);
  // Calls `piece(translation, done, piece_length)` for each page-bounded piece of a user range,
  // translated for `access`; stops at the first translation that fails.
  template <typename PieceFunction>
  zx_status_t for_each_user_piece(Process& process, uint64_t user_address, uint64_t length,
                                  AccessType access, PieceFunction&& piece);
  // A load or store by the process, accounted as the call `name`; faults become statuses.
  template <typename AccessFunction>
  zx_status_t user_access(Process& process, const char* name, AccessFunction&& access);
  // The physical address behind a user address for `access`, soft-faulting it in if needed.
  zx_status_t translate_user(Process& process, uint64_t address, AccessType access,
                             Translation* translation);
  zx_status_t handle_page_fault(Process& process, uint64_t address, AccessType access);
  std::shared_ptr<VmObject> track(std::shared_ptr<VmObject> vmo);
  void wrote(uint64_t physical, uint64_t length) {
    for (const auto& observer : write_observers_)
      observer(physical, length);
  }
  // The pending out-parameter, at the end of a call that returned `status`.
  zx_status_t finish_user_out(zx_status_t status);

  // PageOperations, done on the core.
  VmPagePtr allocate_zeroed() override;
  VmPagePtr allocate_copy(const VmPage& source) override;
  void zero_bytes(const VmPage& page, uint64_t offset, uint64_t length_bytes) override;
  VmPagePtr allocate_page();
  // The page-list lookup of one page of a read or write, before its commit or copy.
  void look_up_page();

  CpuCore& cpu_;
  KernelConfig config_;
  PhysicalMemoryManager pmm_;
  CycleAccount account_;
  DmaDriver dma_;
  std::list<Process> processes_;
  uint16_t next_asid_ = 0;
  // Koids count up from 1024, past the ones Zircon gives its own objects; 0 is never one.
  zx_koid_t next_koid_ = 1024;
  std::vector<std::weak_ptr<VmObject>> vmos_;
  size_t vmos_after_sweep_ = 0;
  uint32_t next_handle_id_ = 1;
  uint64_t secret_state_;
  std::map<std::string, Histogram*, std::less<>> call_cycles_;
  const char* last_call_name_ = nullptr;
  Histogram* last_call_cycles_ = nullptr;
  Process* current_ = nullptr;
  zx_status_t last_fault_status_ = ZX_OK;
  std::vector<std::function<void(const CallRecord&)>> observers_;
  std::vector<std::function<void(uint64_t, uint64_t)>> write_observers_;
  std::vector<UserAccessObserver> user_access_observers_;
  std::optional<UserOut> pending_out_;
  Console console_;
  StatisticsRegistry& statistics_;
  Counter& faults_;
  Counter& pages_committed_;
  Counter& pages_forked_;
};

}  // namespace zxvp
