#include "sim/params/yaml_parameters.h"

#include "sim/params/config_error.h"

namespace zxvp {

YamlDocument read_yaml_configuration(std::string_view text, const std::string& origin) {
  // libyaml refuses a NUL byte as a control character at 1:1 wherever it is; a binary file given
  // by mistake gets a plainer answer.
  if (text.find('\0') != std::string_view::npos) {
    throw ConfigError(origin + ": not a text file (it holds NUL bytes); zxvp reads YAML");
  }
  try {
    return YamlDocument(text);
  } catch (const YamlError& error) {
    throw ConfigError(origin + ":" + std::to_string(error.line) + ":" +
                      std::to_string(error.column) + ": not valid YAML: " + error.what());
  }
}

void apply_yaml_parameters(ParameterSet& set, const YamlNode& params, std::string_view file) {
  if (params.is_null()) return;
  if (!params.is_mapping()) {
    throw ConfigError(params.location(file) +
                      ": 'params' must be a mapping of KEY: VALUE (for example memory.size: 4GiB)");
  }
  for (const YamlNode::Entry& entry : params.entries()) {
    if (!entry.key.is_scalar()) {
      throw ConfigError(entry.key.location(file) + ": a parameter key must be a string");
    }
    const std::string& key = entry.key.scalar();
    if (!entry.value.is_scalar()) {
      throw ConfigError(entry.value.location(file) + ": parameter '" + key +
                        "' needs a single value, not " +
                        (entry.value.is_null() ? "nothing" : "a list or mapping"));
    }
    set.set(key, entry.value.scalar(), entry.value.location(file));
  }
}

}  // namespace zxvp
