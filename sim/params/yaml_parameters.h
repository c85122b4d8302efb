#pragma once

#include <string>
#include <string_view>

#include "sim/params/parameter_set.h"
#include "sim/yaml/yaml_document.h"

namespace zxvp {

// Reads the YAML of a configuration file (a scenario, a platform file): text with NUL bytes, text
// that is not YAML and text past YamlDocument's limits (nesting, aliases) are ConfigErrors that
// name `origin`, and line and column where the reader stopped. Every file zxvp is given goes
// through here, so that all are refused alike.
YamlDocument read_yaml_configuration(std::string_view text, const std::string& origin);

// Applies a `params:` mapping of KEY: VALUE scalars to `set`; each refusal names file, line and
// column of the offending key or value.
void apply_yaml_parameters(ParameterSet& set, const YamlNode& params, std::string_view file);

}  // namespace zxvp
