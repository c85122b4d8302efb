#include "sw/kernel/console.h"

namespace zxvp {

void Console::write(const std::string& process, std::string_view bytes) {
  if (!prefix_names_) {
    out_->write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return;
  }
  std::string& line = partial_lines_[process];
  for (char c : bytes) {
    line += c;
    if (c == '\n') {
      *out_ << process << ": " << line;
      line.clear();
    }
  }
}

void Console::finish(const std::string& process) {
  const auto it = partial_lines_.find(process);
  if (it != partial_lines_.end()) {
    if (!it->second.empty()) *out_ << process << ": " << it->second << "\n";
    partial_lines_.erase(it);
  }
  out_->flush();
}

}  // namespace zxvp
