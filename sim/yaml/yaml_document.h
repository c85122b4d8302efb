#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace zxvp {

class YamlDocument;

// A node of a YamlDocument (a view: the document must outlive it), with where it starts in the
// text (1-based, as editors show it). Scalars keep their text; a plain empty, "~" or "null"
// scalar is a null node, as YAML says.
class YamlNode {
 public:
  enum class Kind : uint8_t { null, scalar, sequence, mapping };
  struct Entry;
  class ItemIterator;
  class EntryIterator;
  template <typename Iterator>
  struct Range {
    Iterator first;
    Iterator last;
    Iterator begin() const { return first; }
    Iterator end() const { return last; }
  };

  Kind kind() const;
  bool is_null() const { return kind() == Kind::null; }
  bool is_scalar() const { return kind() == Kind::scalar; }
  bool is_sequence() const { return kind() == Kind::sequence; }
  bool is_mapping() const { return kind() == Kind::mapping; }
  const std::string& scalar() const;
  // "file:line:column"
  std::string location(std::string_view file) const;
  // A sequence's items, or a mapping's entries (in file order; a key is never there twice).
  size_t size() const;
  Range<ItemIterator> items() const;
  Range<EntryIterator> entries() const;

 private:
  friend class YamlDocument;
  YamlNode(const YamlDocument* document, uint32_t index) : document_(document), index_(index) {}
  static uint32_t next_sibling(const YamlDocument* document, uint32_t index);
  uint32_t first_child() const;

  const YamlDocument* document_;
  uint32_t index_;
};

struct YamlNode::Entry {
  YamlNode key;
  YamlNode value;
};

class YamlNode::ItemIterator {
 public:
  ItemIterator(const YamlDocument* document, uint32_t index) : document_(document), index_(index) {}
  YamlNode operator*() const { return YamlNode(document_, index_); }
  ItemIterator& operator++() {
    index_ = next_sibling(document_, index_);
    return *this;
  }
  bool operator==(const ItemIterator& other) const { return index_ == other.index_; }

 private:
  const YamlDocument* document_;
  uint32_t index_;
};

// A mapping's children are its keys and values in turn.
class YamlNode::EntryIterator {
 public:
  EntryIterator(const YamlDocument* document, uint32_t index)
      : document_(document), index_(index) {}
  Entry operator*() const {
    return {YamlNode(document_, index_), YamlNode(document_, next_sibling(document_, index_))};
  }
  EntryIterator& operator++() {
    index_ = next_sibling(document_, next_sibling(document_, index_));
    return *this;
  }
  bool operator==(const EntryIterator& other) const { return index_ == other.index_; }

 private:
  const YamlDocument* document_;
  uint32_t index_;
};

// Text that is not YAML (or uses what zxvp refuses: aliases, nesting deeper than
// kMaxYamlDepth, tags, duplicate keys, a second document), with where the reader stopped.
class YamlError : public std::runtime_error {
 public:
  YamlError(uint32_t line, uint32_t column, const std::string& reason)
      : std::runtime_error(reason), line(line), column(column) {}
  uint32_t line;
  uint32_t column;
};

inline constexpr size_t kMaxYamlDepth = 64;

// The one document of a YAML text (a null root when there is none; a second document, a key given
// twice in a mapping or bytes that are not UTF-8 are refused with where they are), read with
// libyaml's event parser: no recursion, so that hostile nesting is refused rather than
// overflowing the stack.
// Nodes live in one array linked by index, so that a 10,000-step scenario costs few allocations.
class YamlDocument {
 public:
  explicit YamlDocument(std::string_view text);
  YamlDocument(const YamlDocument&) = delete;
  YamlDocument& operator=(const YamlDocument&) = delete;
  YamlNode root() const { return YamlNode(this, 0); }

 private:
  friend class YamlNode;
  static constexpr uint32_t kNone = UINT32_MAX;
  struct Node {
    YamlNode::Kind kind = YamlNode::Kind::null;
    uint32_t line = 0;
    uint32_t column = 0;
    uint32_t first_child = kNone;
    uint32_t next_sibling = kNone;
    uint32_t child_count = 0;
    std::string scalar;
  };
  std::vector<Node> nodes_;
};

}  // namespace zxvp
