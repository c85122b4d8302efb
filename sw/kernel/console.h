#pragma once

#include <iostream>
#include <map>
#include <string>
#include <string_view>

namespace zxvp {

// The processes' console, where zx_debug_write goes: zxvp's standard output. When several
// processes share it, each line carries its process's name ("name: line"), so that their output
// stays readable when it interleaves; a line then waits until it is complete (or its process
// ends) to be written.
class Console {
 public:
  explicit Console(std::ostream& out = std::cout) : out_(&out) {}

  void set_stream(std::ostream& out) { out_ = &out; }
  void set_prefix_names(bool prefix) { prefix_names_ = prefix; }
  void write(const std::string& process, std::string_view bytes);
  // The process ended: the rest of its last line goes out.
  void finish(const std::string& process);

 private:
  std::ostream* out_;
  bool prefix_names_ = false;
  std::map<std::string, std::string, std::less<>> partial_lines_;
};

}  // namespace zxvp
