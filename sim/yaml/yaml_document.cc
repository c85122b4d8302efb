#include "sim/yaml/yaml_document.h"

#include <yaml.h>

#include <memory>

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

YamlNode node_at(const yaml_event_t& event, YamlNode::Kind kind) {
  YamlNode node;
  node.kind = kind;
  node.line = static_cast<uint32_t>(event.start_mark.line + 1);
  node.column = static_cast<uint32_t>(event.start_mark.column + 1);
  return node;
}

bool is_plain_null(const yaml_event_t& event) {
  if (event.data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return false;
  const std::string_view text(reinterpret_cast<const char*>(event.data.scalar.value),
                              event.data.scalar.length);
  return text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL";
}

// A sequence or mapping being filled; a mapping's key waits here for its value.
struct OpenNode {
  YamlNode node;
  bool has_key = false;
  YamlNode key;
};

}  // namespace

std::string YamlNode::location(std::string_view file) const {
  if (line == 0) return std::string(file);
  return std::string(file) + ":" + std::to_string(line) + ":" + std::to_string(column);
}

YamlNode parse_yaml(std::string_view text) {
  EventReader reader(text);
  std::vector<OpenNode> open;
  YamlNode root;
  bool have_root = false;
  // Puts a finished node in its parent, or makes it the document.
  auto attach = [&](YamlNode&& node) {
    if (open.empty()) {
      root = std::move(node);
      have_root = true;
      return;
    }
    OpenNode& parent = open.back();
    if (parent.node.is_sequence()) {
      parent.node.items.push_back(std::move(node));
    } else if (!parent.has_key) {
      parent.key = std::move(node);
      parent.has_key = true;
    } else {
      parent.node.entries.push_back({std::move(parent.key), std::move(node)});
      parent.has_key = false;
    }
  };
  while (!have_root) {
    const yaml_event_t& event = reader.next();
    switch (event.type) {
      case YAML_STREAM_END_EVENT:
        return root;
      case YAML_SCALAR_EVENT: {
        YamlNode node =
            node_at(event, is_plain_null(event) ? YamlNode::Kind::null : YamlNode::Kind::scalar);
        if (node.is_scalar()) {
          node.scalar.assign(reinterpret_cast<const char*>(event.data.scalar.value),
                             event.data.scalar.length);
        }
        attach(std::move(node));
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
            {node_at(event, event.type == YAML_SEQUENCE_START_EVENT ? YamlNode::Kind::sequence
                                                                    : YamlNode::Kind::mapping),
             false,
             {}});
        break;
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT: {
        YamlNode node = std::move(open.back().node);
        open.pop_back();
        attach(std::move(node));
        break;
      }
      case YAML_ALIAS_EVENT:
        throw YamlError(static_cast<uint32_t>(event.start_mark.line + 1),
                        static_cast<uint32_t>(event.start_mark.column + 1),
                        "aliases (*name) are not supported; write the value out");
      default:  // stream and document starts, document end
        break;
    }
  }
  return root;
}

}  // namespace zxvp
