#include "models/memory/sparse_storage.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace zxvp {

SparseStorage::SparseStorage(uint64_t size_bytes, HostPages host_pages) : size_bytes_(size_bytes) {
  if (size_bytes == 0) throw std::invalid_argument("memory size must be above 0 bytes");
  void* mapping = mmap(nullptr, size_bytes, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mapping == MAP_FAILED) {
    throw std::runtime_error(
        "cannot reserve " + std::to_string(size_bytes) +
        " bytes of host address space for simulated memory: " + std::strerror(errno));
  }
  data_ = static_cast<uint8_t*>(mapping);
  // Only advice: a host without transparent huge pages keeps small ones, with the same bytes.
  if (host_pages == HostPages::huge) madvise(mapping, size_bytes, MADV_HUGEPAGE);
}

SparseStorage::~SparseStorage() {
  munmap(data_, size_bytes_);
}

void SparseStorage::discard(uint64_t offset, uint64_t length_bytes) {
  if (offset >= size_bytes_) return;
  length_bytes = std::min(length_bytes, size_bytes_ - offset);
  const uint64_t host_page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  const uint64_t first_whole = (offset + host_page - 1) / host_page * host_page;
  const uint64_t end = offset + length_bytes;
  const uint64_t last_whole = end / host_page * host_page;
  if (first_whole >= last_whole) {
    std::memset(data_ + offset, 0, length_bytes);
    return;
  }
  std::memset(data_ + offset, 0, first_whole - offset);
  std::memset(data_ + last_whole, 0, end - last_whole);
  // MADV_DONTNEED on a private anonymous mapping drops the pages: later reads see zeros.
  if (madvise(data_ + first_whole, last_whole - first_whole, MADV_DONTNEED) != 0) {
    std::memset(data_ + first_whole, 0, last_whole - first_whole);
  }
}

}  // namespace zxvp
