#include "sim/io/input_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/params/config_error.h"

namespace zxvp {

std::string read_input_file(const std::string& path, const std::string& what, uint64_t max_bytes) {
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  if (error) throw ConfigError(path + ": cannot open the " + what + ": " + error.message());
  if (std::filesystem::is_directory(status)) {
    throw ConfigError(path + ": is a directory, not a " + what);
  }
  if (!std::filesystem::is_regular_file(status)) {
    throw ConfigError(path + ": is not a regular file (a " + what + " is one)");
  }
  const uint64_t size_bytes = std::filesystem::file_size(path, error);
  if (!error && size_bytes > max_bytes) {
    throw ConfigError(path + ": is " + std::to_string(size_bytes) + " bytes, more than the " +
                      std::to_string(max_bytes) + " a " + what + " may have");
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) throw ConfigError(path + ": cannot open the " + what + ": " + std::strerror(errno));
  std::ostringstream content;
  content << file.rdbuf();
  if (file.bad()) throw ConfigError(path + ": cannot read the " + what);
  return content.str();
}

}  // namespace zxvp
