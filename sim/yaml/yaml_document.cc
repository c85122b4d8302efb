#include "sim/yaml/yaml_document.h"

#include <yaml.h>

namespace zxvp {

namespace {

// Owns a libyaml parser and the event it last produced.
class EventReader {
 public:
  explicit EventReader(std::string_view text) {
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
      throw YamlError(static_cast<uint32_t>(parser_.problem_mark.line + 1),
                      static_cast<uint32_t>(parser_.problem_mark.column + 1), reason);
    }
    has_event_ = true;
    return event_;
  }

 private:
  yaml_parser_t parser_{};
  yaml_event_t event_{};
  bool has_event_ = false;
};

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
  // Open sequences and mappings: their node and their last child so far.
  struct Open {
    uint32_t node;
    uint32_t last_child;
  };
  std::vector<Open> open;
  bool have_root = false;
  // A new node, linked as the next child of the innermost open node (or made the root).
  auto add = [&](const yaml_event_t& event, YamlNode::Kind kind) -> uint32_t {
    uint32_t index = 0;
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
      ++nodes_[parent.node].child_count;
    }
    Node& node = nodes_[index];
    node.kind = kind;
    node.line = static_cast<uint32_t>(event.start_mark.line + 1);
    node.column = static_cast<uint32_t>(event.start_mark.column + 1);
    return index;
  };
  while (!have_root) {
    const yaml_event_t& event = reader.next();
    switch (event.type) {
      case YAML_STREAM_END_EVENT:
        return;
      case YAML_SCALAR_EVENT: {
        const bool null = is_plain_null(event);
        const uint32_t index = add(event, null ? YamlNode::Kind::null : YamlNode::Kind::scalar);
        if (!null) {
          nodes_[index].scalar.assign(reinterpret_cast<const char*>(event.data.scalar.value),
                                      event.data.scalar.length);
        }
        have_root = open.empty();
        break;
      }
      case YAML_SEQUENCE_START_EVENT:
      case YAML_MAPPING_START_EVENT:
        if (open.size() >= kMaxYamlDepth) {
          throw YamlError(static_cast<uint32_t>(event.start_mark.line + 1),
                          static_cast<uint32_t>(event.start_mark.column + 1),
                          "nested deeper than " + std::to_string(kMaxYamlDepth) + " levels");
        }
        open.push_back(
            {add(event, event.type == YAML_SEQUENCE_START_EVENT ? YamlNode::Kind::sequence
                                                                : YamlNode::Kind::mapping),
             kNone});
        break;
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        open.pop_back();
        have_root = open.empty();
        break;
      case YAML_ALIAS_EVENT:
        throw YamlError(static_cast<uint32_t>(event.start_mark.line + 1),
                        static_cast<uint32_t>(event.start_mark.column + 1),
                        "aliases (*name) are not supported; write the value out");
      default:  // stream and document starts, document end
        break;
    }
  }
}

}  // namespace zxvp
