#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "sw/api/zircon/types.h"
#include "sw/kernel/kernel_object.h"
#include "sw/kernel/vm_page.h"
#include "sw/kernel/vm_page_list.h"

namespace zxvp {

class VmMapping;

// A paged virtual memory object. Sparse: a page that was never written reads as zero and holds
// no physical page. A snapshot child starts as an exact copy of its parent's range that shares
// the parent's pages; whichever side writes a shared page first forks a private copy, so neither
// ever sees the other's later writes (Zircon's SNAPSHOT semantics). A slice has no pages of its
// own: it is a window onto its parent's, shared both ways.
class VmObject : public KernelObject, public std::enable_shared_from_this<VmObject> {
 public:
  // VmPageList::MAX_SIZE: UINT64_MAX rounded down to 2 x 16 x PAGE_SIZE.
  static constexpr uint64_t kMaxSize = 0xFFFF'FFFF'FFFE'0000;
  static constexpr uint64_t kPageSize = ZX_PAGE_SIZE;

  struct Options {
    bool resizable = false;
    bool discardable = false;
  };

  static std::shared_ptr<VmObject> create(uint64_t size, uint64_t content_size, Options options);
  ~VmObject() override;
  VmObject(const VmObject&) = delete;
  VmObject& operator=(const VmObject&) = delete;

  zx_obj_type_t type() const override { return ZX_OBJ_TYPE_VMO; }

  uint64_t size() const { return size_; }
  uint64_t content_size() const { return content_size_; }
  bool resizable() const { return options_.resizable; }
  bool discardable() const { return options_.discardable; }
  uint32_t cache_policy() const { return cache_policy_; }
  void set_cache_policy(uint32_t policy) { cache_policy_ = policy; }
  bool is_slice() const { return slice_parent_ != nullptr; }
  bool is_snapshot_child() const { return snapshot_child_; }
  // A child of any kind; or, for snapshots, a parent that still has one (Zircon then hangs it
  // under a hidden node and treats it as having a parent).
  bool is_child() const { return is_slice() || snapshot_child_; }
  bool has_children() const { return children_ > 0; }
  // The page owner is a snapshot child or has snapshot children: Zircon's VmCowPages then has a
  // parent (the hidden node) and refuses DECOMMIT.
  bool in_cow_hierarchy() {
    const VmObject& holder = owner();
    return holder.snapshot_child_ || holder.snapshot_children_ > 0;
  }
  bool has_snapshot_children() const { return snapshot_children_ > 0; }
  bool has_mappings() const { return !mappings_.empty(); }
  bool locked() const { return locked_; }
  void set_locked(bool locked) { locked_ = locked; }

  // Pages this object holds itself (a slice holds none).
  uint64_t committed_pages() const { return pages_.size(); }
  std::vector<uint64_t> committed_physical_pages() const;
  // (offset of the page in this VMO, its physical address) for each committed page that
  // overlaps [offset, offset + length).
  std::vector<std::pair<uint64_t, uint64_t>> committed_in(uint64_t offset, uint64_t length);

  // The page behind byte `offset`, or null when it reads as zero.
  VmPage* find_page(uint64_t offset);
  // The page behind byte `offset`, ready for writing: committed (zero-filled) if absent, forked
  // if shared. ZX_ERR_NO_MEMORY when no physical page is left.
  zx_status_t require_writable_page(uint64_t offset, PageOperations& operations, VmPage** page);
  // Commits (and forks) every page of the page-aligned range [offset, offset + length).
  zx_status_t commit_range(uint64_t offset, uint64_t length, PageOperations& operations);
  // Frees the pages of the page-aligned range; they read as zero again.
  void decommit_range(uint64_t offset, uint64_t length);
  // Makes [offset, offset + length) read as zero: whole pages are released, partial pages that
  // hold data are zeroed in place (after forking a shared one). Commits nothing new.
  zx_status_t zero_range(uint64_t offset, uint64_t length, PageOperations& operations);
  // Changes the size (page-aligned); pages past a smaller size are freed.
  void resize(uint64_t new_size);
  void set_content_size(uint64_t content_size) { content_size_ = content_size; }

  std::shared_ptr<VmObject> create_snapshot(uint64_t offset, uint64_t size, uint64_t content_size,
                                            bool resizable);
  std::shared_ptr<VmObject> create_slice(uint64_t offset, uint64_t size, uint64_t content_size);

  void add_mapping(VmMapping* mapping);
  void remove_mapping(VmMapping* mapping);

 private:
  VmObject(uint64_t size, uint64_t content_size, Options options);

  // Where a byte of this object lives: in the page-owning ancestor, at that ancestor's offset.
  VmObject& owner() { return slice_parent_ ? *slice_parent_ : *this; }
  uint64_t owner_offset(uint64_t offset) const { return offset + slice_offset_; }
  // The pages in [offset, offset + length) of this (page-owning) object changed: every mapping
  // of it, or of a slice of it, drops its page-table entries for them.
  void pages_changed(uint64_t offset, uint64_t length);
  void drop_pages(uint64_t first_index, uint64_t end_index);

  uint64_t size_;
  uint64_t content_size_;
  Options options_;
  uint32_t cache_policy_ = ZX_CACHE_POLICY_CACHED;
  bool locked_ = false;
  VmPageList pages_;

  std::shared_ptr<VmObject> slice_parent_;  // the page owner, for a slice
  uint64_t slice_offset_ = 0;
  std::vector<VmObject*> slices_;   // slices of this page owner
  std::weak_ptr<VmObject> parent_;  // for any child, to keep the parent's counts
  bool snapshot_child_ = false;
  uint32_t children_ = 0;
  uint32_t snapshot_children_ = 0;
  std::vector<VmMapping*> mappings_;
};

}  // namespace zxvp
