#pragma once

#include <stdexcept>
#include <string>

namespace zxvp {

// A refused configuration: a bad parameter, platform file or scenario. The message names the
// place (file:line:column or command-line option), the offending key or value and what is allowed.
// The command line reports it and exits with status 2 before any simulation starts.
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace zxvp
