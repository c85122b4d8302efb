#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace zxvp::testing {

struct ShellResult {
  int status = -1;     // the exit status; -1 when the command could not run or was killed
  std::string output;  // what it printed on stdout (and stderr, when the command sends it there)
};

// Runs `command` with /bin/sh and collects its standard output.
inline ShellResult run_shell(const std::string& command) {
  ShellResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> chunk{};
  size_t read = 0;
  while ((read = fread(chunk.data(), 1, chunk.size(), pipe)) > 0)
    result.output.append(chunk.data(), read);
  const int status = pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace zxvp::testing
