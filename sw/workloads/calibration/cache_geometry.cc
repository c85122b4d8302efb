#include "sw/workloads/calibration/cache_geometry.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <optional>

namespace zxvp {

namespace {

std::optional<std::string> read_word(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::string word;
  if (!(file >> word)) return std::nullopt;
  return word;
}

// sysfs sizes read "32K" or "32768K"; counts are plain numbers.
std::optional<uint64_t> read_number(const std::filesystem::path& path) {
  const auto word = read_word(path);
  if (!word) return std::nullopt;
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(word->data(), word->data() + word->size(), value);
  if (error != std::errc()) return std::nullopt;
  const std::string unit(end, word->data() + word->size());
  if (unit == "K") {
    value *= 1024;
  } else if (unit == "M") {
    value *= 1024 * 1024;
  } else if (!unit.empty()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

CacheGeometry read_cache_geometry(const std::string& root) {
  CacheGeometry geometry;
  std::error_code error;
  if (!std::filesystem::is_directory(root, error)) {
    geometry.note = root + " does not exist";
    return geometry;
  }
  for (const auto& entry : std::filesystem::directory_iterator(root, error)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("index")) continue;
    const auto type = read_word(entry.path() / "type");
    if (!type || *type == "Instruction") continue;
    const auto level = read_number(entry.path() / "level");
    const auto size = read_number(entry.path() / "size");
    const auto ways = read_number(entry.path() / "ways_of_associativity");
    const auto line = read_number(entry.path() / "coherency_line_size");
    if (!level || !size || !ways || !line || *size == 0 || *ways == 0 || *line == 0) {
      geometry.levels.clear();
      geometry.note = entry.path().string() + " lacks a readable level, size, ways or line size";
      return geometry;
    }
    // "0" or "3": this CPU alone; "0-1" or "0,4": shared.
    const auto cpus = read_word(entry.path() / "shared_cpu_list");
    const bool shared = cpus && cpus->find_first_of(",-") != std::string::npos;
    geometry.levels.push_back({*level, *size, *ways, *line, shared});
  }
  std::sort(geometry.levels.begin(), geometry.levels.end(),
            [](const CacheLevel& a, const CacheLevel& b) { return a.level < b.level; });
  if (geometry.levels.empty()) {
    geometry.note = root + " describes no data cache";
  } else {
    for (size_t i = 0; i < geometry.levels.size(); ++i) {
      if (geometry.levels[i].level != i + 1) {
        geometry.levels.clear();
        geometry.note = root + " does not describe one data cache per level from 1 up";
        break;
      }
    }
  }
  return geometry;
}

}  // namespace zxvp
