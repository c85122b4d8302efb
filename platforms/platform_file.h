#pragma once

#include <string>

#include "sim/params/parameter_set.h"

namespace zxvp {

struct PlatformFile {
  std::string name;
  std::string description;
  std::string assembly;
  std::string origin;  // "builtin:default" or the file's path
};

// Reads a platform: a built-in name ("default") or the path of a YAML file (relative paths are
// taken from `base_directory`), and applies its `params:` to `parameters`, which must already
// hold every key of the assembly. Refusals are ConfigErrors with file, line and column.
PlatformFile load_platform_file(const std::string& name_or_path, ParameterSet& parameters,
                                const std::string& base_directory = ".");

}  // namespace zxvp
