#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace zxvp {

// One node of a YAML document with where it starts in the text (1-based, as editors show it).
// Scalars keep their text; a plain empty, "~" or "null" scalar is a null node, as YAML says.
struct YamlNode {
  enum class Kind : uint8_t { null, scalar, sequence, mapping };
  struct Entry;

  Kind kind = Kind::null;
  uint32_t line = 0;
  uint32_t column = 0;
  std::string scalar;
  std::vector<YamlNode> items;  // a sequence's
  std::vector<Entry> entries;   // a mapping's, in file order (duplicate keys kept)

  bool is_null() const { return kind == Kind::null; }
  bool is_scalar() const { return kind == Kind::scalar; }
  bool is_sequence() const { return kind == Kind::sequence; }
  bool is_mapping() const { return kind == Kind::mapping; }
  // "file:line:column"
  std::string location(std::string_view file) const;
};

struct YamlNode::Entry {
  YamlNode key;
  YamlNode value;
};

// Text that is not YAML (or uses what zxvp refuses: aliases, nesting deeper than
// kMaxYamlDepth), with where the reader stopped.
class YamlError : public std::runtime_error {
 public:
  YamlError(uint32_t line, uint32_t column, const std::string& reason)
      : std::runtime_error(reason), line(line), column(column) {}
  uint32_t line;
  uint32_t column;
};

inline constexpr size_t kMaxYamlDepth = 64;

// The first document of `text` (a null node when there is none), read with libyaml's event
// parser: no recursion, so that hostile nesting is refused rather than overflowing the stack.
YamlNode parse_yaml(std::string_view text);

}  // namespace zxvp
