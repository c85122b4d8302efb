#pragma once

#include <cstdint>

namespace zxvp {

// Host backing of simulated physical memory. The whole size is one anonymous host mapping made
// with MAP_NORESERVE: the host kernel supplies zero-filled 4 KiB pages on first write, so
// memory that is never written costs no host memory (reads of it see the shared zero page), and
// the memory is a single contiguous range that can be granted for DMI and copied with one
// memcpy per run of pages.
class SparseStorage {
 public:
  // Small host pages keep the memory sparse to 4 KiB; huge ones (transparent huge pages, where
  // the host grants them) spare the host's TLB on long copies, at 2 MiB of host memory for each
  // 2 MiB touched.
  enum class HostPages { small, huge };
  explicit SparseStorage(uint64_t size_bytes, HostPages host_pages = HostPages::small);
  ~SparseStorage();
  SparseStorage(const SparseStorage&) = delete;
  SparseStorage& operator=(const SparseStorage&) = delete;

  uint8_t* data() const { return data_; }
  uint64_t size_bytes() const { return size_bytes_; }

  // Gives the whole host pages inside [offset, offset + length) back to the host; they read as
  // zero afterwards. Partial host pages at either end are zeroed in place.
  void discard(uint64_t offset, uint64_t length_bytes);

 private:
  uint8_t* data_ = nullptr;
  uint64_t size_bytes_ = 0;
};

}  // namespace zxvp
