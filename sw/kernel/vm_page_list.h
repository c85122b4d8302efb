#pragma once

#include <array>
#include <cstdint>
#include <map>

#include "sw/kernel/vm_page.h"

namespace zxvp {

// The committed pages of a VMO by page index. As Zircon's VmPageList, slots live in nodes of
// consecutive indices kept in an ordered map: a VMO of N pages is a tree of N / kPagesPerNode
// nodes, and the node of the previous lookup is remembered, so that the page-by-page walks of
// reads, writes and commits mostly skip the tree.
class VmPageList {
 public:
  static constexpr uint64_t kPagesPerNode = 64;

  VmPage* find(uint64_t index) const;
  // Puts `page` at `index` (null empties the slot).
  void set(uint64_t index, VmPagePtr page);
  // Empties [first_index, end_index); returns whether any page was there.
  bool erase_range(uint64_t first_index, uint64_t end_index);
  // Calls visit(index, page) for every page in [first_index, end_index), in index order.
  template <typename Visit>
  void for_each(uint64_t first_index, uint64_t end_index, Visit&& visit) const {
    if (first_index >= end_index) return;
    for (auto it = nodes_.lower_bound(first_index / kPagesPerNode);
         it != nodes_.end() && it->first * kPagesPerNode < end_index; ++it) {
      const uint64_t base = it->first * kPagesPerNode;
      for (uint64_t slot = first_index > base ? first_index - base : 0;
           slot < kPagesPerNode && base + slot < end_index; ++slot) {
        if (it->second.pages[slot]) visit(base + slot, it->second.pages[slot]);
      }
    }
  }
  uint64_t size() const { return page_count_; }

 private:
  struct Node {
    std::array<VmPagePtr, kPagesPerNode> pages;
    uint32_t used = 0;
  };

  Node* find_node(uint64_t key) const;

  std::map<uint64_t, Node> nodes_;  // by index / kPagesPerNode
  uint64_t page_count_ = 0;
  mutable uint64_t last_key_ = 0;
  mutable Node* last_node_ = nullptr;
};

}  // namespace zxvp
