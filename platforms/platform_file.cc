#include "platforms/platform_file.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "platforms/builtin_platforms.h"
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
    std::ifstream file(path, std::ios::binary);
    if (!file) {
      throw ConfigError("platform '" + name_or_path + "' is neither a built-in platform (" +
                        known_platforms() + ") nor a readable file (looked for " + path.string() +
                        ")");
    }
    std::ostringstream content;
    content << file.rdbuf();
    text = content.str();
    platform.origin = path.string();
  }

  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& error) {
    throw ConfigError(platform.origin + ":" + std::to_string(error.mark.line + 1) + ":" +
                      std::to_string(error.mark.column + 1) + ": not valid YAML: " + error.msg);
  }
  if (!root.IsMap()) {
    throw ConfigError(platform.origin +
                      ": a platform file is a mapping with name, assembly and params");
  }
  for (const auto& item : root) {
    const std::string key = item.first.Scalar();
    const YAML::Node& value = item.second;
    if (key == "params") {
      apply_yaml_parameters(parameters, value, platform.origin);
      continue;
    }
    if (key != "name" && key != "description" && key != "assembly") {
      throw ConfigError(yaml_location(platform.origin, item.first) + ": unknown key '" + key +
                        "' (a platform file has name, description, assembly and params)");
    }
    if (!value.IsScalar()) {
      throw ConfigError(yaml_location(platform.origin, value) + ": '" + key + "' must be text");
    }
    (key == "name"          ? platform.name
     : key == "description" ? platform.description
                            : platform.assembly) = value.Scalar();
  }
  if (platform.assembly.empty()) platform.assembly = "default";
  if (platform.assembly != "default") {
    throw ConfigError(yaml_location(platform.origin, root["assembly"]) + ": unknown assembly '" +
                      platform.assembly + "' (assemblies: default)");
  }
  if (platform.name.empty()) platform.name = name_or_path;
  return platform;
}

}  // namespace zxvp
