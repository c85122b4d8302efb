#include "sw/kernel/vm_object.h"

#include <algorithm>

#include "sw/kernel/vm_mapping.h"

namespace zxvp {

std::shared_ptr<VmObject> VmObject::create(uint64_t size, uint64_t content_size, Options options) {
  return std::shared_ptr<VmObject>(new VmObject(size, content_size, options));
}

VmObject::VmObject(uint64_t size, uint64_t content_size, Options options)
    : size_(size), content_size_(content_size), options_(options) {}

VmObject::~VmObject() {
  if (slice_parent_) std::erase(slice_parent_->slices_, this);
  if (auto parent = parent_.lock()) {
    --parent->children_;
    if (snapshot_child_) --parent->snapshot_children_;
  }
}

std::vector<uint64_t> VmObject::committed_physical_pages() const {
  std::vector<uint64_t> physical;
  physical.reserve(pages_.size());
  pages_.for_each(0, UINT64_MAX, [&physical](uint64_t, const VmPagePtr& page) {
    physical.push_back(page->physical_address());
  });
  return physical;
}

std::vector<std::pair<uint64_t, uint64_t>> VmObject::committed_in(uint64_t offset,
                                                                  uint64_t length) {
  std::vector<std::pair<uint64_t, uint64_t>> found;
  if (length == 0) return found;
  VmObject& holder = owner();
  const uint64_t first = owner_offset(offset) / kPageSize;
  const uint64_t end = (owner_offset(offset) + length + kPageSize - 1) / kPageSize;
  holder.pages_.for_each(first, end, [&](uint64_t index, const VmPagePtr& page) {
    found.emplace_back(index * kPageSize - slice_offset_, page->physical_address());
  });
  return found;
}

VmPage* VmObject::find_page(uint64_t offset) {
  VmObject& holder = owner();
  return holder.pages_.find(owner_offset(offset) / kPageSize);
}

zx_status_t VmObject::require_writable_page(uint64_t offset, PageOperations& operations,
                                            VmPage** page) {
  VmObject& holder = owner();
  const uint64_t index = owner_offset(offset) / kPageSize;
  VmPage* current = holder.pages_.find(index);
  if (current != nullptr && !current->shared()) {
    *page = current;
    return ZX_OK;
  }
  VmPagePtr fresh =
      current != nullptr ? operations.allocate_copy(*current) : operations.allocate_zeroed();
  if (!fresh) return ZX_ERR_NO_MEMORY;
  const bool forked = current != nullptr;
  *page = fresh.get();
  holder.pages_.set(index, std::move(fresh));
  // A fork moves this side to a new page: mappings still pointing at the shared one must go.
  if (forked) holder.pages_changed(index * kPageSize, kPageSize);
  return ZX_OK;
}

zx_status_t VmObject::commit_range(uint64_t offset, uint64_t length, PageOperations& operations) {
  for (uint64_t done = 0; done < length; done += kPageSize) {
    VmPage* page = nullptr;
    if (const zx_status_t status = require_writable_page(offset + done, operations, &page);
        status != ZX_OK) {
      return status;
    }
  }
  return ZX_OK;
}

void VmObject::drop_pages(uint64_t first_index, uint64_t end_index) {
  if (!pages_.erase_range(first_index, end_index)) return;
  pages_changed(first_index * kPageSize, (end_index - first_index) * kPageSize);
}

void VmObject::decommit_range(uint64_t offset, uint64_t length) {
  VmObject& holder = owner();
  const uint64_t start = owner_offset(offset);
  holder.drop_pages(start / kPageSize, (start + length) / kPageSize);
}

zx_status_t VmObject::zero_range(uint64_t offset, uint64_t length, PageOperations& operations) {
  // Partial pages at either end are zeroed in place when they hold data; the whole pages
  // between are released, whatever the length of the range (it may span terabytes).
  const uint64_t end = offset + length;
  const uint64_t whole_first = (offset + kPageSize - 1) / kPageSize;
  const uint64_t whole_end = end / kPageSize;
  auto zero_part = [&](uint64_t from, uint64_t to) -> zx_status_t {
    if (from >= to || find_page(from) == nullptr) return ZX_OK;
    VmPage* page = nullptr;
    if (const zx_status_t status = require_writable_page(from, operations, &page);
        status != ZX_OK) {
      return status;
    }
    operations.zero_bytes(*page, from % kPageSize, to - from);
    return ZX_OK;
  };
  if (whole_first > whole_end) return zero_part(offset, end);  // inside one page
  if (const zx_status_t status = zero_part(offset, whole_first * kPageSize); status != ZX_OK) {
    return status;
  }
  if (whole_first < whole_end) {
    owner().drop_pages(owner_offset(whole_first * kPageSize) / kPageSize,
                       owner_offset(whole_end * kPageSize) / kPageSize);
  }
  return zero_part(whole_end * kPageSize, end);
}

void VmObject::resize(uint64_t new_size) {
  if (new_size < size_) {
    const uint64_t old_size = size_;
    size_ = new_size;
    drop_pages(new_size / kPageSize, (old_size + kPageSize - 1) / kPageSize);
    // Mappings past the new end must fault from now on, committed pages or not.
    pages_changed(new_size, old_size - new_size);
  } else {
    size_ = new_size;
  }
}

std::shared_ptr<VmObject> VmObject::create_snapshot(uint64_t offset, uint64_t size,
                                                    uint64_t content_size, bool resizable) {
  auto child = std::shared_ptr<VmObject>(new VmObject(size, content_size, {resizable, false}));
  child->cache_policy_ = cache_policy_;
  child->snapshot_child_ = true;
  child->parent_ = weak_from_this();
  ++children_;
  ++snapshot_children_;
  // The child starts with every page of the range that holds data, shared; the parent's
  // mappings lose write access to them so that the next write forks.
  const uint64_t limit = std::min(size_, offset + size);
  if (offset < limit) {
    VmObject& holder = owner();
    const uint64_t first = owner_offset(offset) / kPageSize;
    const uint64_t end = owner_offset(limit) / kPageSize;
    holder.pages_.for_each(first, end, [&](uint64_t index, const VmPagePtr& page) {
      child->pages_.set(index - first, page);
    });
    holder.pages_changed(first * kPageSize, (end - first) * kPageSize);
  }
  return child;
}

std::shared_ptr<VmObject> VmObject::create_slice(uint64_t offset, uint64_t size,
                                                 uint64_t content_size) {
  auto slice = std::shared_ptr<VmObject>(new VmObject(size, content_size, {}));
  VmObject& holder = owner();
  slice->cache_policy_ = cache_policy_;
  slice->slice_parent_ = holder.shared_from_this();
  slice->slice_offset_ = owner_offset(offset);
  slice->parent_ = weak_from_this();
  holder.slices_.push_back(slice.get());
  ++children_;
  return slice;
}

void VmObject::add_mapping(VmMapping* mapping) {
  mappings_.push_back(mapping);
}

void VmObject::remove_mapping(VmMapping* mapping) {
  std::erase(mappings_, mapping);
}

void VmObject::pages_changed(uint64_t offset, uint64_t length) {
  for (VmMapping* mapping : std::vector<VmMapping*>(mappings_)) {
    mapping->vmo_range_changed(offset, length);
  }
  for (VmObject* slice : slices_) {
    const uint64_t start = std::max(offset, slice->slice_offset_);
    const uint64_t end = std::min(offset + length, slice->slice_offset_ + slice->size_);
    if (start >= end) continue;
    for (VmMapping* mapping : std::vector<VmMapping*>(slice->mappings_)) {
      mapping->vmo_range_changed(start - slice->slice_offset_, end - start);
    }
  }
}

}  // namespace zxvp
