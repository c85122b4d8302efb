#include "sim/params/yaml_parameters.h"

#include <string>

namespace zxvp {

std::string yaml_location(std::string_view file, const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return std::string(file);
  return std::string(file) + ":" + std::to_string(mark.line + 1) + ":" +
         std::to_string(mark.column + 1);
}

void apply_yaml_parameters(ParameterSet& set, const YAML::Node& params, std::string_view file) {
  if (params.IsNull()) return;
  if (!params.IsMap()) {
    throw ConfigError(yaml_location(file, params) +
                      ": 'params' must be a mapping of KEY: VALUE (for example memory.size: 4GiB)");
  }
  for (const auto& item : params) {
    if (!item.first.IsScalar()) {
      throw ConfigError(yaml_location(file, item.first) + ": a parameter key must be a string");
    }
    const std::string key = item.first.Scalar();
    if (!item.second.IsScalar()) {
      throw ConfigError(yaml_location(file, item.second) + ": parameter '" + key +
                        "' needs a single value, not a list or mapping");
    }
    set.set(key, item.second.Scalar(), yaml_location(file, item.second));
  }
}

}  // namespace zxvp
