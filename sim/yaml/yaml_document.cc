#include "sim/yaml/yaml_document.h"

#include <yaml.h>

#include <algorithm>
#include <memory>
#include <unordered_map>

namespace zxvp {

namespace {

// Owns a libyaml parser and the event it last produced.
class EventReader {
 public:
  explicit EventReader(std::string_view text) : text_(text) {
    yaml_parser_initialize(&parser_);
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()),
                                 text.size());
  }
  ~EventReader() {
    if (has_event_) yaml_event_delete(&event_);
    yaml_parser_delete(&parser_);
  }
  EventReader(const EventReader&) = delete;
  EventReader& operator=(const EventReader&) = delete;

  const yaml_event_t& next() {
    if (has_event_) yaml_event_delete(&event_);
    has_event_ = false;
    if (yaml_parser_parse(&parser_, &event_) == 0) {
      std::string reason = parser_.problem != nullptr ? parser_.problem : "unreadable YAML";
      if (parser_.context != nullptr) reason = std::string(parser_.context) + ": " + reason;
      if (parser_.error == YAML_READER_ERROR) {
        // The reader (bytes that are not UTF-8) says where by offset, not by mark.
        const size_t offset = std::min(parser_.problem_offset, text_.size());
        const std::string_view before = text_.substr(0, offset);
        const size_t line_start =
            before.rfind('\n') == std::string_view::npos ? 0 : before.rfind('\n') + 1;
        throw YamlError(static_cast<uint32_t>(std::count(before.begin(), before.end(), '\n') + 1),
                        static_cast<uint32_t>(offset - line_start + 1), reason);
      }
      throw YamlError(static_cast<uint32_t>(parser_.problem_mark.line + 1),
                      static_cast<uint32_t>(parser_.problem_mark.column + 1), reason);
    }
    has_event_ = true;
    return event_;
  }

 private:
  std::string_view text_;
  yaml_parser_t parser_{};
  yaml_event_t event_{};
  bool has_event_ = false;
};

YamlError error_at(const yaml_event_t& event, const std::string& reason) {
  return YamlError(static_cast<uint32_t>(event.start_mark.line + 1),
                   static_cast<uint32_t>(event.start_mark.column + 1), reason);
}

bool is_plain_null(const yaml_event_t& event) {
  if (event.data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return false;
  const std::string_view text(reinterpret_cast<const char*>(event.data.scalar.value),
                              event.data.scalar.length);
  return text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL";
}

}  // namespace

YamlNode::Kind YamlNode::kind() const {
  return document_->nodes_[index_].kind;
}

const std::string& YamlNode::scalar() const {
  return document_->nodes_[index_].scalar;
}

std::string YamlNode::location(std::string_view file) const {
  const YamlDocument::Node& node = document_->nodes_[index_];
  if (node.line == 0) return std::string(file);
  return std::string(file) + ":" + std::to_string(node.line) + ":" + std::to_string(node.column);
}

size_t YamlNode::size() const {
  const YamlDocument::Node& node = document_->nodes_[index_];
  return node.kind == Kind::mapping ? node.child_count / 2 : node.child_count;
}

uint32_t YamlNode::first_child() const {
  return document_->nodes_[index_].first_child;
}

uint32_t YamlNode::next_sibling(const YamlDocument* document, uint32_t index) {
  return document->nodes_[index].next_sibling;
}

YamlNode::Range<YamlNode::ItemIterator> YamlNode::items() const {
  return {ItemIterator(document_, first_child()), ItemIterator(document_, YamlDocument::kNone)};
}

YamlNode::Range<YamlNode::EntryIterator> YamlNode::entries() const {
  return {EntryIterator(document_, first_child()), EntryIterator(document_, YamlDocument::kNone)};
}

YamlDocument::YamlDocument(std::string_view text) {
  nodes_.reserve(text.size() / 8 + 1);
  nodes_.emplace_back();  // the root, null until the document's first node replaces it
  EventReader reader(text);
  // Open sequences and mappings: their node and their last child so far; a mapping with many
  // keys also keeps them by text (a few are compared one by one).
  struct Open {
    uint32_t node;
    uint32_t last_child;
    std::unique_ptr<std::unordered_map<std::string, uint32_t>> keys;
  };
  constexpr uint32_t kKeysComparedOneByOne = 32;
  std::vector<Open> open;
  bool have_root = false;
  // A new node, linked as the next child of the innermost open node (or made the root); `key`
  // says whether it is a mapping's key.
  auto add = [&](const yaml_event_t& event, YamlNode::Kind kind, bool* key) -> uint32_t {
    uint32_t index = 0;
    *key = false;
    if (!open.empty()) {
      index = static_cast<uint32_t>(nodes_.size());
      nodes_.emplace_back();
      Open& parent = open.back();
      if (parent.last_child == kNone) {
        nodes_[parent.node].first_child = index;
      } else {
        nodes_[parent.last_child].next_sibling = index;
      }
      parent.last_child = index;
      *key = nodes_[parent.node].kind == YamlNode::Kind::mapping &&
             nodes_[parent.node].child_count % 2 == 0;
      ++nodes_[parent.node].child_count;
    }
    Node& node = nodes_[index];
    node.kind = kind;
    node.line = static_cast<uint32_t>(event.start_mark.line + 1);
    node.column = static_cast<uint32_t>(event.start_mark.column + 1);
    return index;
  };
  // A scalar key of the innermost open mapping, refused when an earlier key has its text.
  auto check_key = [&](uint32_t index) {
    Open& parent = open.back();
    const Node& key = nodes_[index];
    auto refuse = [&](uint32_t first) {
      throw YamlError(key.line, key.column,
                      "duplicate key '" + key.scalar + "' (first at line " +
                          std::to_string(nodes_[first].line) + ", column " +
                          std::to_string(nodes_[first].column) + ")");
    };
    if (parent.keys) {
      const auto [found, added] = parent.keys->emplace(key.scalar, index);
      if (!added) refuse(found->second);
      return;
    }
    uint32_t earlier = 0;
    for (uint32_t other = nodes_[parent.node].first_child; other != index;
         other = nodes_[nodes_[other].next_sibling].next_sibling, ++earlier) {
      if (nodes_[other].kind == key.kind && nodes_[other].scalar == key.scalar) refuse(other);
    }
    if (earlier + 1 >= kKeysComparedOneByOne) {
      parent.keys = std::make_unique<std::unordered_map<std::string, uint32_t>>();
      for (uint32_t other = nodes_[parent.node].first_child;;
           other = nodes_[nodes_[other].next_sibling].next_sibling) {
        if (nodes_[other].kind != YamlNode::Kind::sequence &&
            nodes_[other].kind != YamlNode::Kind::mapping) {
          parent.keys->emplace(nodes_[other].scalar, other);
        }
        if (other == index) break;
      }
    }
  };
  // A tag would change what a value means, and zxvp reads values by their text alone.
  auto refuse_tag = [](const yaml_event_t& event, const yaml_char_t* tag) {
    if (tag != nullptr) {
      throw error_at(event, "tags (" + std::string(reinterpret_cast<const char*>(tag)) +
                                ") are not supported; write the value without one");
    }
  };
  bool key = false;
  while (!have_root) {
    const yaml_event_t& event = reader.next();
    if (event.type == YAML_SCALAR_EVENT) refuse_tag(event, event.data.scalar.tag);
    if (event.type == YAML_SEQUENCE_START_EVENT) refuse_tag(event, event.data.sequence_start.tag);
    if (event.type == YAML_MAPPING_START_EVENT) refuse_tag(event, event.data.mapping_start.tag);
    switch (event.type) {
      case YAML_STREAM_END_EVENT:
        return;
      case YAML_SCALAR_EVENT: {
        const bool null = is_plain_null(event);
        const uint32_t index =
            add(event, null ? YamlNode::Kind::null : YamlNode::Kind::scalar, &key);
        if (!null) {
          nodes_[index].scalar.assign(reinterpret_cast<const char*>(event.data.scalar.value),
                                      event.data.scalar.length);
        }
        if (key) check_key(index);
        have_root = open.empty();
        break;
      }
      case YAML_SEQUENCE_START_EVENT:
      case YAML_MAPPING_START_EVENT:
        if (open.size() >= kMaxYamlDepth) {
          throw error_at(event, "nested deeper than " + std::to_string(kMaxYamlDepth) + " levels");
        }
        open.push_back({add(event,
                            event.type == YAML_SEQUENCE_START_EVENT ? YamlNode::Kind::sequence
                                                                    : YamlNode::Kind::mapping,
                            &key),
                        kNone, nullptr});
        break;
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        open.pop_back();
        have_root = open.empty();
        break;
      case YAML_ALIAS_EVENT:
        throw error_at(event, "aliases (*name) are not supported; write the value out");
      default:  // stream and document starts, document end
        break;
    }
  }
  // What follows the document: its end, and the stream's, nothing more.
  for (;;) {
    const yaml_event_t& event = reader.next();
    if (event.type == YAML_STREAM_END_EVENT) return;
    if (event.type == YAML_DOCUMENT_START_EVENT) {
      throw error_at(event,
                     "a second YAML document: a file holds one (remove this '---' and what "
                     "follows, or give it a file of its own)");
    }
  }
}

}  // namespace zxvp
