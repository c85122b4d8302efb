#include "platforms/platform_file.h"

#include <filesystem>

#include "platforms/builtin_platforms.h"
#include "sim/io/input_file.h"
#include "sim/params/yaml_parameters.h"

namespace zxvp {
namespace {

std::string known_platforms() {
  std::string names;
  for (const auto name : builtin_platform_names())
    names += (names.empty() ? "" : ", ") + std::string(name);
  return names;
}

}  // namespace

PlatformFile load_platform_file(const std::string& name_or_path, ParameterSet& parameters,
                                const std::string& base_directory) {
  PlatformFile platform;
  std::string text;
  if (const auto builtin = builtin_platform_text(name_or_path)) {
    text = *builtin;
    platform.origin = "builtin platform '" + name_or_path + "'";
  } else {
    const std::filesystem::path path = std::filesystem::path(base_directory) / name_or_path;
    std::error_code missing;
    if (!std::filesystem::exists(path, missing)) {
      throw ConfigError("platform '" + name_or_path + "' is neither a built-in platform (" +
                        known_platforms() + ") nor a readable file (looked for " + path.string() +
                        ")");
    }
    constexpr uint64_t kMaxPlatformBytes = uint64_t{16} << 20;
    text = read_input_file(path.string(), "platform file", kMaxPlatformBytes);
    platform.origin = path.string();
  }

  const YamlDocument document = read_yaml_configuration(text, platform.origin);
  const YamlNode root = document.root();
  if (!root.is_mapping()) {
    throw ConfigError(root.location(platform.origin) +
                      ": a platform file is a mapping with name, assembly and params");
  }
  for (const YamlNode::Entry& item : root.entries()) {
    const std::string key = item.key.is_scalar() ? item.key.scalar() : "";
    const YamlNode& value = item.value;
    if (key == "params") {
      apply_yaml_parameters(parameters, value, platform.origin);
      continue;
    }
    if (key != "name" && key != "description" && key != "assembly") {
      throw ConfigError(item.key.location(platform.origin) + ": unknown key '" + key +
                        "' (a platform file has name, description, assembly and params)");
    }
    if (!value.is_scalar()) {
      throw ConfigError(value.location(platform.origin) + ": '" + key + "' must be text");
    }
    if (key == "assembly" && value.scalar() != "default") {
      throw ConfigError(value.location(platform.origin) + ": unknown assembly '" + value.scalar() +
                        "' (assemblies: default)");
    }
    (key == "name"          ? platform.name
     : key == "description" ? platform.description
                            : platform.assembly) = value.scalar();
  }
  if (platform.assembly.empty()) platform.assembly = "default";
  if (platform.name.empty()) platform.name = name_or_path;
  return platform;
}

}  // namespace zxvp
