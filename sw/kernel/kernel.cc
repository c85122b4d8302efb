#include "sw/kernel/kernel.h"

#include <algorithm>
#include <array>
#include <random>
#include <unordered_set>

#include "sim/log/logger.h"
#include "sw/api/zircon/constants.h"
#include "sw/kernel/vm_mapping.h"

namespace zxvp {

namespace {

constexpr uint64_t kPageSize = ZX_PAGE_SIZE;
// User addresses are the lower half of the 48-bit space (x86-64's lower canonical half).
constexpr uint64_t kUserAddressEnd = uint64_t{1} << 47;
const std::array<uint8_t, kPageSize> kZeroPage{};

// The user half is checked per chunk; a bad pointer gets what a soft fault would say: NOT_FOUND.
bool in_user_half(uint64_t address, uint64_t length) {
  return address < kUserAddressEnd && length <= kUserAddressEnd - address;
}

uint32_t permission_bit(AccessType access) {
  switch (access) {
    case AccessType::read:
      return ZX_VM_PERM_READ;
    case AccessType::write:
      return ZX_VM_PERM_WRITE;
    case AccessType::execute:
      return ZX_VM_PERM_EXECUTE;
  }
  return 0;
}

}  // namespace

void KernelConfig::bind(ParameterBinding& binding) {
  binding.field("copy_engine", copy_engine,
                ChoiceSpec{"who moves the bytes of zx_vmo_read and zx_vmo_write: the core, the "
                           "DMA engine, or the engine from kernel.dma_threshold bytes up",
                           {"cpu", "dma", "auto"}});
  binding.field("dma_threshold", dma_threshold,
                UnsignedSpec{"bytes",
                             "with copy_engine auto, the smallest call the DMA engine "
                             "moves",
                             0, UINT64_MAX});
  binding.field("dma_ring_pages", dma_ring_pages,
                UnsignedSpec{"pages",
                             "DMA descriptor ring (128 descriptors a page); longer "
                             "lists run as several chains",
                             1, 1024});
  binding.field("dma_bytes_per_channel", dma_bytes_per_channel,
                UnsignedSpec{"bytes",
                             "a DMA transfer is spread over as many channels as get at least "
                             "this many bytes each",
                             4096, UINT64_MAX});
  binding.field(
      "syscall_cycles", syscall_cycles,
      UnsignedSpec{"cycles", "argument decoding and dispatch of every system call", 0, 1'000'000});
  binding.field(
      "handle_lookup_cycles", handle_lookup_cycles,
      UnsignedSpec{"cycles", "one handle lookup with its type and rights checks", 0, 1'000'000});
  binding.field("page_lookup_cycles", page_lookup_cycles,
                UnsignedSpec{"cycles",
                             "finding one page of a VMO that a read or write touches, committed or "
                             "not (the page list)",
                             0, 1'000'000});
  binding.field("page_lookup_waits", page_lookup_waits,
                BoolSpec{"each page's lookup first waits for the memory work before it, as a "
                         "write path that locks every page does (a locked instruction waits for "
                         "the stores before it: Linux's page cache); the wait counts in lookup. "
                         "Zircon looks pages up under the VMO's lock, taken once a call"});
  binding.field(
      "page_alloc_cycles", page_alloc_cycles,
      UnsignedSpec{"cycles", "physical memory manager work to allocate one page", 0, 1'000'000});
  binding.field("fault_cycles", fault_cycles,
                UnsignedSpec{"cycles",
                             "taking and returning from one page fault, lookups "
                             "included",
                             0, 1'000'000});
  binding.field("tlb_invalidate_cycles", tlb_invalidate_cycles,
                UnsignedSpec{"cycles", "one TLB invalidation by page", 0, 1'000'000});
  binding.field("enable_debugging_syscalls", enable_debugging_syscalls,
                BoolSpec{"Zircon's kernel.enable-debugging-syscalls boot option (allows "
                         "ZX_VMO_OP_CACHE_INVALIDATE)"});
  binding.field("page_placement", page_placement,
                ChoiceSpec{"the order physical pages are handed out in: by address (a buffer's "
                           "pages follow each other), or scattered at random over memory, as on "
                           "a machine that has run a while or under a hypervisor (caches indexed "
                           "by physical address see random page colours)",
                           {"ascending", "scattered"}});
  binding.field("seed", seed,
                UnsignedSpec{"", "seed of the per-process handle secrets and of scattered pages", 0,
                             UINT64_MAX});
}

Kernel::Kernel(CpuCore& cpu, const KernelConfig& config, uint64_t memory_base, uint64_t memory_size,
               const DmaDevice& dma, StatisticsRegistry& statistics)
    : cpu_(cpu),
      config_(config),
      pmm_(memory_base, memory_size, statistics,
           config.page_placement == "scattered" ? PhysicalMemoryManager::Placement::scattered
                                                : PhysicalMemoryManager::Placement::ascending,
           config.seed),
      account_(cpu),
      dma_(cpu, pmm_, account_, dma, config.dma_ring_pages, config.dma_bytes_per_channel),
      secret_state_(config.seed),
      statistics_(statistics),
      faults_(statistics.counter("kernel.page_faults", "soft page faults served")),
      pages_committed_(
          statistics.counter("kernel.pages_committed", "VMO pages committed (zero-filled)")),
      pages_forked_(
          statistics.counter("kernel.pages_forked", "shared snapshot pages copied on write")) {
  cpu_.set_fault_handler([this](uint64_t address, AccessType access, Fault) {
    last_fault_status_ =
        current_ ? handle_page_fault(*current_, address, access) : ZX_ERR_NOT_FOUND;
    return last_fault_status_ == ZX_OK;
  });
}

Kernel::~Kernel() {
  cpu_.set_fault_handler(nullptr);
}

Process* Kernel::create_process(const std::string& name) {
  // The kernel's own setup, before its first process: the DMA ring and zero page.
  dma_.ready();
  // An address-space id no live process holds (a dead one's TLB entries went with it).
  auto asid_taken = [this](uint16_t asid) {
    return std::any_of(processes_.begin(), processes_.end(),
                       [asid](const Process& p) { return p.asid() == asid; });
  };
  do {
    next_asid_ = static_cast<uint16_t>(next_asid_ + 1);
  } while (next_asid_ == 0 || asid_taken(next_asid_));
  auto vmar =
      std::make_shared<VmAddressRegion>(cpu_, pmm_, next_asid_, config_.tlb_invalidate_cycles);
  if (!vmar->initialize()) return nullptr;
  // Each live table's secret differs from every other's in bits 20..29, so that a handle value
  // of one process (ids below 2^18) never decodes to a live handle of another.
  auto secret_taken = [this](uint32_t secret) {
    return processes_.size() < 1023 &&
           std::any_of(processes_.begin(), processes_.end(), [secret](Process& p) {
             return (p.handles().secret() >> 20) == (secret >> 20);
           });
  };
  std::mt19937_64 random(secret_state_);
  uint32_t secret = 0;
  do {
    secret = static_cast<uint32_t>(random()) & 0x3FFF'FFFC;
  } while ((secret >> 20) == 0 || secret_taken(secret));
  secret_state_ = random();
  processes_.emplace_back(name, next_koid_++, next_asid_, secret, next_handle_id_, std::move(vmar));
  // Setting up is no call's work: the next call must not pay for its stores.
  cpu_.drain();
  return &processes_.back();
}

Process* Kernel::find_process(zx_koid_t koid) {
  const auto it = std::find_if(processes_.begin(), processes_.end(),
                               [koid](const Process& p) { return p.koid() == koid; });
  return it == processes_.end() ? nullptr : &*it;
}

void Kernel::destroy_process(Process& process) {
  if (current_ == &process) current_ = nullptr;
  // Closing the handles and the mappings frees what only they held; the page tables and the
  // address space go with the process.
  process.handles().clear();
  const auto it = std::find_if(processes_.begin(), processes_.end(),
                               [&process](const Process& p) { return &p == &process; });
  if (it != processes_.end()) processes_.erase(it);
  cpu_.drain();
}

void Kernel::enter_address_space(Process& process) {
  current_ = &process;
  const ArchPageTables& tables = process.root_vmar().tables();
  if (cpu_.mmu().root_table() != tables.root_table() || cpu_.mmu().asid() != tables.asid()) {
    cpu_.set_address_space(tables.root_table(), tables.asid());
  }
}

void Kernel::record(const CallRecord& call) {
  // Calls come in runs of one kind (a loop of writes), named by the same string literal: the
  // last one's histogram is tried before the map.
  if (call.name.data() != last_call_name_) {
    auto it = call_cycles_.find(call.name);
    if (it == call_cycles_.end()) {
      Histogram& histogram = statistics_.histogram(
          "kernel.calls." + std::string(call.name) + ".cycles", "cycles per call");
      it = call_cycles_.emplace(std::string(call.name), &histogram).first;
    }
    last_call_name_ = call.name.data();
    last_call_cycles_ = it->second;
  }
  last_call_cycles_->record(call.cycles);
  for (const auto& observer : observers_)
    observer(call);
}

void Kernel::begin_syscall(std::string_view name, Process& process) {
  account_.begin(name, CyclePhase::entry);
  cpu_.trap_entry();
  enter_address_space(process);
  account_.switch_to(CyclePhase::checks);
  cpu_.compute(config_.syscall_cycles);
}

zx_status_t Kernel::end_syscall(zx_status_t status) {
  if (pending_out_) status = finish_user_out(status);
  account_.switch_to(CyclePhase::exit);
  cpu_.trap_exit();
  const CallRecord& call = account_.finish(status);
  ZXVP_LOG_AT(LogLevel::debug, "kernel", cpu_.local_time())
      << "zx_" << call.name << " -> " << zx_status_get_string(status) << " in " << call.cycles
      << " cycles";
  record(call);
  return status;
}

zx_status_t Kernel::finish_user_out(zx_status_t status) {
  const UserOut out = *pending_out_;
  pending_out_.reset();
  if (status != ZX_OK || current_ == nullptr) return status;
  if (copy_out(*current_, out.user_address, out.value, out.size_bytes) == ZX_OK) return ZX_OK;
  CycleAccount::Scope phase(account_, CyclePhase::map);
  if (out.kind == UserOut::Kind::handle) {
    current_->handles().remove(*static_cast<const zx_handle_t*>(out.value));
  } else if (out.kind == UserOut::Kind::mapping) {
    const uint64_t base = *static_cast<const uint64_t*>(out.value);
    if (const VmMapping* mapping = current_->root_vmar().find(base)) {
      current_->root_vmar().unmap(base, mapping->size());
    }
  }
  return ZX_ERR_INVALID_ARGS;
}

std::shared_ptr<VmObject> Kernel::track(std::shared_ptr<VmObject> vmo) {
  // The list is swept of VMOs that are gone only once it has doubled since the last sweep: a
  // sweep per creation made a run with many live VMOs quadratic.
  if (vmos_.size() >= 2 * vmos_after_sweep_ + 64) {
    std::erase_if(vmos_, [](const std::weak_ptr<VmObject>& known) { return known.expired(); });
    vmos_after_sweep_ = vmos_.size();
  }
  vmos_.push_back(vmo);
  return vmo;
}

uint64_t Kernel::committed_pages() const {
  std::unordered_set<uint64_t> pages;
  for (const auto& known : vmos_) {
    if (auto vmo = known.lock()) {
      for (uint64_t physical : vmo->committed_physical_pages())
        pages.insert(physical);
    }
  }
  return pages.size();
}

uint64_t Kernel::page_table_pages() const {
  uint64_t pages = 0;
  for (const Process& process : processes_) {
    pages += process.root_vmar().tables().table_pages();
  }
  return pages;
}

// --- Pages ---

VmPagePtr Kernel::allocate_page() {
  cpu_.compute(config_.page_alloc_cycles);
  const auto physical = pmm_.allocate();
  if (!physical) return nullptr;
  return VmPagePtr(new VmPage(pmm_, *physical));
}

void Kernel::look_up_page() {
  CycleAccount::Scope phase(account_, CyclePhase::lookup);
  if (config_.page_lookup_waits) account_.wait_for_memory();
  cpu_.compute_beside_memory(config_.page_lookup_cycles);
}

VmPagePtr Kernel::allocate_zeroed() {
  CycleAccount::Scope phase(account_, CyclePhase::commit);
  VmPagePtr page = allocate_page();
  if (!page) return nullptr;
  cpu_.physical_zero(page->physical_address(), kPageSize);
  wrote(page->physical_address(), kPageSize);
  pages_committed_.add();
  return page;
}

VmPagePtr Kernel::allocate_copy(const VmPage& source) {
  CycleAccount::Scope phase(account_, CyclePhase::commit);
  VmPagePtr page = allocate_page();
  if (!page) return nullptr;
  cpu_.copy_physical(source.physical_address(), page->physical_address(), kPageSize);
  wrote(page->physical_address(), kPageSize);
  pages_forked_.add();
  return page;
}

void Kernel::zero_bytes(const VmPage& page, uint64_t offset, uint64_t length_bytes) {
  cpu_.physical_zero(page.physical_address() + offset, length_bytes);
  wrote(page.physical_address() + offset, length_bytes);
}

// --- Faults and user memory ---

zx_status_t Kernel::handle_page_fault(Process& process, uint64_t address, AccessType access) {
  CycleAccount::Scope phase(account_, CyclePhase::fault);
  faults_.add();
  ZXVP_LOG_AT(LogLevel::trace, "kernel", cpu_.local_time())
      << "page fault in '" << process.name() << "' at 0x" << std::hex << address;
  cpu_.compute(config_.fault_cycles);
  VmMapping* mapping = process.root_vmar().find(address);
  if (mapping == nullptr) return ZX_ERR_NOT_FOUND;
  if ((mapping->permissions() & permission_bit(access)) == 0) return ZX_ERR_ACCESS_DENIED;
  const uint64_t page_address = address & ~(kPageSize - 1);
  const uint64_t vmo_offset = mapping->vmo_offset() + (page_address - mapping->base());
  VmObject& vmo = *mapping->vmo();
  if (vmo_offset >= vmo.size()) return ZX_ERR_OUT_OF_RANGE;

  // A write gets a private page; a read of a shared snapshot page maps it read-only, so that a
  // later write faults and forks it. A first touch of any kind commits the page.
  VmPage* page = access == AccessType::write ? nullptr : vmo.find_page(vmo_offset);
  if (page == nullptr) {
    if (const zx_status_t status = vmo.require_writable_page(vmo_offset, *this, &page);
        status != ZX_OK) {
      return status;
    }
  }
  const uint32_t permissions = mapping->permissions();
  const page_table::PagePermissions entry{(permissions & ZX_VM_PERM_READ) != 0,
                                          (permissions & ZX_VM_PERM_WRITE) != 0 && !page->shared(),
                                          (permissions & ZX_VM_PERM_EXECUTE) != 0, true};
  CycleAccount::Scope map_phase(account_, CyclePhase::map);
  return process.root_vmar().tables().map_page(page_address, page->physical_address(), entry,
                                               static_cast<MemoryType>(vmo.cache_policy()));
}

zx_status_t Kernel::translate_user(Process& process, uint64_t address, AccessType access,
                                   Translation* translation) {
  CycleAccount::Scope phase(account_, CyclePhase::translate);
  *translation = cpu_.translate(address, access, Privilege::user);
  if (!translation->ok()) {
    if (const zx_status_t status = handle_page_fault(process, address, access); status != ZX_OK) {
      return status;
    }
    *translation = cpu_.translate(address, access, Privilege::user);
    if (!translation->ok()) return ZX_ERR_INTERNAL;
  }
  return ZX_OK;
}

Kernel::CopyPlan Kernel::plan_copy(uint64_t length_bytes) {
  CopyPlan plan;
  plan.dma = config_.copy_engine == "dma" ||
             (config_.copy_engine == "auto" && length_bytes >= config_.dma_threshold);
  if (plan.dma && !dma_.ready()) plan.dma = false;  // no memory for the ring: the core copies
  return plan;
}

void Kernel::move(CopyPlan& plan, uint64_t source, uint64_t destination, uint64_t length,
                  MemoryType source_type, MemoryType destination_type) {
  wrote(destination, length);
  if (plan.dma) {
    plan.segments.push_back({source, destination, length, source_type, destination_type});
    return;
  }
  CycleAccount::Scope phase(account_, CyclePhase::copy);
  cpu_.copy_physical(source, destination, length, source_type, destination_type);
}

zx_status_t Kernel::finish(CopyPlan& plan, zx_status_t status) {
  // What was gathered before a failure still moves: a partial write is not rolled back.
  if (!plan.dma || plan.segments.empty()) return status;
  if (DmaDriver::overlapping(plan.segments)) {
    // A buffer that aliases the VMO (a mapping of it): the core copies, piece by piece.
    for (const DmaDriver::Segment& piece : plan.segments) {
      CycleAccount::Scope phase(account_, CyclePhase::copy);
      cpu_.copy_physical(piece.source, piece.destination, piece.length_bytes, piece.source_type,
                         piece.destination_type);
    }
    return status;
  }
  const zx_status_t moved = dma_.copy(plan.segments);
  return status == ZX_OK ? moved : status;
}

void Kernel::maintain_committed(VmObject& vmo, CacheMaintenance operation, uint64_t offset,
                                uint64_t length) {
  CycleAccount::Scope phase(account_, CyclePhase::cache_maint);
  for (const auto& [page_offset, physical] : vmo.committed_in(offset, length)) {
    const uint64_t start = std::max(offset, page_offset);
    const uint64_t end = std::min(offset + length, page_offset + kPageSize);
    cpu_.maintain_caches(operation, physical + (start - page_offset), end - start);
  }
}

template <typename PieceFunction>
zx_status_t Kernel::for_each_user_piece(Process& process, uint64_t user_address, uint64_t length,
                                        AccessType access, PieceFunction&& piece) {
  if (!in_user_half(user_address, length)) return ZX_ERR_NOT_FOUND;
  uint64_t done = 0;
  while (done < length) {
    const uint64_t address = user_address + done;
    const uint64_t piece_length = std::min(length - done, kPageSize - (address & (kPageSize - 1)));
    Translation translation;
    if (const zx_status_t status = translate_user(process, address, access, &translation);
        status != ZX_OK) {
      return status;
    }
    piece(translation, done, piece_length);
    for (const auto& observer : user_access_observers_)
      observer(process, address, piece_length, access);
    done += piece_length;
  }
  return ZX_OK;
}

zx_status_t Kernel::copy_from_user(Process& process, CopyPlan& plan, uint64_t user_address,
                                   uint64_t physical, uint64_t length) {
  return for_each_user_piece(process, user_address, length, AccessType::read,
                             [&](const Translation& source, uint64_t done, uint64_t piece_length) {
                               move(plan, source.physical_address, physical + done, piece_length,
                                    source.memory_type, MemoryType::cached);
                             });
}

zx_status_t Kernel::copy_to_user(Process& process, CopyPlan& plan, uint64_t user_address,
                                 const VmPage* page, uint64_t page_offset, uint64_t length) {
  return for_each_user_piece(
      process, user_address, length, AccessType::write,
      [&](const Translation& destination, uint64_t done, uint64_t piece_length) {
        if (page != nullptr) {
          move(plan, page->physical_address() + page_offset + done, destination.physical_address,
               piece_length, MemoryType::cached, destination.memory_type);
        } else if (plan.dma) {
          move(plan, dma_.zero_page() + ((page_offset + done) & (kPageSize - 1)),
               destination.physical_address, piece_length, MemoryType::cached,
               destination.memory_type);
        } else {
          CycleAccount::Scope phase(account_, CyclePhase::copy);
          cpu_.physical_write(destination.physical_address, kZeroPage.data(), piece_length,
                              destination.memory_type);
          wrote(destination.physical_address, piece_length);
        }
      });
}

template <typename AccessFunction>
zx_status_t Kernel::user_access(Process& process, const char* name, AccessFunction&& access) {
  account_.begin(name, CyclePhase::copy);
  enter_address_space(process);
  last_fault_status_ = ZX_OK;
  zx_status_t status = ZX_OK;
  if (!access().ok()) status = last_fault_status_ != ZX_OK ? last_fault_status_ : ZX_ERR_INTERNAL;
  cpu_.drain();  // the access's stores count in it
  record(account_.finish(status));
  return status;
}

zx_status_t Kernel::user_load(Process& process, uint64_t address, void* data, uint64_t length) {
  return user_access(process, "load",
                     [&] { return cpu_.load(address, data, length, Privilege::user); });
}

zx_status_t Kernel::user_store(Process& process, uint64_t address, const void* data,
                               uint64_t length) {
  return user_access(process, "store",
                     [&] { return cpu_.store(address, data, length, Privilege::user); });
}

zx_status_t Kernel::page_fault(Process& process, uint64_t address, AccessType access) {
  account_.begin("page_fault", CyclePhase::fault);
  enter_address_space(process);
  const zx_status_t status = handle_page_fault(process, address, access);
  record(account_.finish(status));
  return status;
}

zx_status_t Kernel::copy_in(Process& process, uint64_t user_address, void* data, uint64_t length) {
  if (!in_user_half(user_address, length)) return ZX_ERR_INVALID_ARGS;
  auto* bytes = static_cast<uint8_t*>(data);
  const zx_status_t status = for_each_user_piece(
      process, user_address, length, AccessType::read,
      [&](const Translation& source, uint64_t done, uint64_t piece_length) {
        CycleAccount::Scope phase(account_, CyclePhase::copy);
        cpu_.physical_read(source.physical_address, bytes + done, piece_length, source.memory_type);
      });
  return status == ZX_OK ? ZX_OK : ZX_ERR_INVALID_ARGS;
}

zx_status_t Kernel::copy_out(Process& process, uint64_t user_address, const void* data,
                             uint64_t length) {
  if (!in_user_half(user_address, length)) return ZX_ERR_INVALID_ARGS;
  const auto* bytes = static_cast<const uint8_t*>(data);
  const zx_status_t status = for_each_user_piece(
      process, user_address, length, AccessType::write,
      [&](const Translation& destination, uint64_t done, uint64_t piece_length) {
        CycleAccount::Scope phase(account_, CyclePhase::copy);
        cpu_.physical_write(destination.physical_address, bytes + done, piece_length,
                            destination.memory_type);
        wrote(destination.physical_address, piece_length);
      });
  return status == ZX_OK ? ZX_OK : ZX_ERR_INVALID_ARGS;
}

}  // namespace zxvp
