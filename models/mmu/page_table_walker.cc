#include "models/mmu/page_table_walker.h"

#include <endian.h>

#include "models/mmu/page_table_format.h"

namespace zxvp {

PageTableWalker::PageTableWalker(MemoryPort& port, WalkCache& walk_cache,
                                 StatisticsRegistry& statistics, const std::string& name)
    : port_(port),
      walk_cache_(walk_cache),
      walks_(statistics.counter(name + ".walks", "page-table walks")),
      entry_reads_(statistics.counter(name + ".entry_reads", "page-table entries read")),
      bus_errors_(statistics.counter(name + ".bus_errors",
                                     "entry reads that got a bus error (walk ends not mapped)")) {}

bool PageTableWalker::read_entry(uint64_t entry_address, uint64_t* little_endian_entry,
                                 Ticks& now) {
  if (path_ != nullptr) {
    const LineResult loaded = path_->lines(page_lines(
        LineAccess::read, entry_address, page_table::kEntryBytes, line_bytes_, {now, 0, 0}, false));
    if (loaded.status != tlm::TLM_OK_RESPONSE) return false;
    now = loaded.done.last;
    return path_->functional(tlm::TLM_READ_COMMAND, entry_address,
                             reinterpret_cast<uint8_t*>(little_endian_entry),
                             page_table::kEntryBytes) == tlm::TLM_OK_RESPONSE;
  }
  const Ticks systemc_now = to_ticks(sc_core::sc_time_stamp());
  sc_core::sc_time delay = to_time(now - systemc_now);
  const bool ok = port_.read(entry_address, little_endian_entry, page_table::kEntryBytes, delay) ==
                  tlm::TLM_OK_RESPONSE;
  now = systemc_now + to_ticks(delay);
  return ok;
}

PageTableWalker::Result PageTableWalker::walk(uint64_t root_table_physical, uint16_t asid,
                                              uint64_t virtual_address, Ticks& now) {
  walks_.add();
  const WalkCache::Start start = walk_cache_.start(asid, virtual_address);
  uint64_t table = start.level == 0 ? root_table_physical : start.table_physical;
  for (unsigned level = start.level; level < page_table::kLevels; ++level) {
    const uint64_t entry_address =
        table + page_table::table_index(virtual_address, level) * page_table::kEntryBytes;
    uint64_t little_endian_entry = 0;
    entry_reads_.add();
    if (!read_entry(entry_address, &little_endian_entry, now)) {
      bus_errors_.add();
      return {Fault::not_mapped, 0};
    }
    const uint64_t entry = le64toh(little_endian_entry);
    if (!page_table::is_valid(entry)) return {Fault::not_mapped, 0};
    if (level + 1 == page_table::kLevels) return {Fault::none, entry};
    table = page_table::entry_address(entry);
    walk_cache_.insert(asid, level + 1, virtual_address, table);
  }
  return {Fault::not_mapped, 0};
}

}  // namespace zxvp
