#pragma once

#include <yaml-cpp/yaml.h>

#include <string_view>

#include "sim/params/parameter_set.h"

namespace zxvp {

// "file:line:column" of a YAML node, 1-based as editors show it.
std::string yaml_location(std::string_view file, const YAML::Node& node);

// Applies a `params:` mapping of KEY: VALUE scalars to `set`; each refusal names file, line and
// column of the offending key or value.
void apply_yaml_parameters(ParameterSet& set, const YAML::Node& params, std::string_view file);

}  // namespace zxvp
