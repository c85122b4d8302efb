#include "sw/kernel/vm_page_list.h"

#include <utility>

namespace zxvp {

VmPageList::Node* VmPageList::find_node(uint64_t key) const {
  if (last_node_ != nullptr && last_key_ == key) return last_node_;
  const auto it = nodes_.find(key);
  if (it == nodes_.end()) return nullptr;
  last_key_ = key;
  last_node_ = const_cast<Node*>(&it->second);
  return last_node_;
}

VmPage* VmPageList::find(uint64_t index) const {
  const Node* node = find_node(index / kPagesPerNode);
  return node != nullptr ? node->pages[index % kPagesPerNode].get() : nullptr;
}

void VmPageList::set(uint64_t index, VmPagePtr page) {
  const uint64_t key = index / kPagesPerNode;
  Node* node = find_node(key);
  if (node == nullptr) {
    if (!page) return;
    node = &nodes_[key];
    last_key_ = key;
    last_node_ = node;
  }
  VmPagePtr& slot = node->pages[index % kPagesPerNode];
  if (slot) {
    --node->used;
    --page_count_;
  }
  slot = std::move(page);
  if (slot) {
    ++node->used;
    ++page_count_;
  }
  if (node->used == 0) {
    nodes_.erase(key);
    last_node_ = nullptr;
  }
}

bool VmPageList::erase_range(uint64_t first_index, uint64_t end_index) {
  if (first_index >= end_index) return false;
  bool erased = false;
  auto it = nodes_.lower_bound(first_index / kPagesPerNode);
  while (it != nodes_.end() && it->first * kPagesPerNode < end_index) {
    const uint64_t base = it->first * kPagesPerNode;
    Node& node = it->second;
    for (uint64_t slot = first_index > base ? first_index - base : 0;
         slot < kPagesPerNode && base + slot < end_index; ++slot) {
      if (node.pages[slot]) {
        node.pages[slot].reset();
        --node.used;
        --page_count_;
        erased = true;
      }
    }
    if (node.used == 0) {
      if (last_node_ == &node) last_node_ = nullptr;
      it = nodes_.erase(it);
    } else {
      ++it;
    }
  }
  return erased;
}

}  // namespace zxvp
