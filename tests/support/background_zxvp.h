#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

namespace zxvp::testing {

// Generous: the suite runs two tests at once on a loaded two-core machine.
inline constexpr auto kBackgroundTimeout = std::chrono::seconds(120);

// A file of this test process's own under the temporary directory.
inline std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("zxvp_test_" + std::to_string(getpid()) + "_" + name))
      .string();
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The text after `prefix` in `text` up to the first character not in `allowed`; empty when
// `prefix` is not there (or nothing follows it).
inline std::string word_after(const std::string& text, const std::string& prefix,
                              const std::string& allowed) {
  const size_t at = text.find(prefix);
  if (at == std::string::npos) return "";
  const size_t start = at + prefix.size();
  const size_t end = text.find_first_not_of(allowed, start);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// zxvp running in the background, its stdout and stderr in files; killed if it has not ended
// when the object goes.
class BackgroundZxvp {
 public:
  BackgroundZxvp(const std::string& binary, const std::vector<std::string>& arguments)
      : out_(temp_path("out_" + std::to_string(++count_))),
        error_(temp_path("err_" + std::to_string(count_))) {
    pid_ = fork();
    if (pid_ == 0) {
      if (!freopen(out_.c_str(), "w", stdout) || !freopen(error_.c_str(), "w", stderr)) _exit(127);
      std::vector<char*> argv{const_cast<char*>(binary.c_str())};
      for (const std::string& argument : arguments)
        argv.push_back(const_cast<char*>(argument.c_str()));
      argv.push_back(nullptr);
      execv(binary.c_str(), argv.data());
      _exit(127);
    }
  }
  ~BackgroundZxvp() {
    if (pid_ > 0 && status_ < 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    std::filesystem::remove(out_);
    std::filesystem::remove(error_);
  }
  BackgroundZxvp(const BackgroundZxvp&) = delete;
  BackgroundZxvp& operator=(const BackgroundZxvp&) = delete;

  // The port of the gdb server zxvp printed, once it listens; 0 when it never did.
  int gdb_port() const {
    const auto deadline = std::chrono::steady_clock::now() + kBackgroundTimeout;
    while (std::chrono::steady_clock::now() < deadline) {
      // Something after the digits: the port is complete.
      const std::string line = "gdb server on 127.0.0.1:";
      const std::string error = read_file(error_);
      const std::string port = word_after(error, line, "0123456789");
      if (!port.empty() && error.find(line) + line.size() + port.size() < error.size()) {
        return std::stoi(port);
      }
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) return 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return 0;
  }
  // zxvp's exit status once it ended (1000 + the signal of a crash; -1 after the timeout).
  int wait() {
    const auto deadline = std::chrono::steady_clock::now() + kBackgroundTimeout;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
        return status_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }
  std::string out() const { return read_file(out_); }
  std::string error() const { return read_file(error_); }

 private:
  static inline int count_ = 0;
  std::string out_;
  std::string error_;
  pid_t pid_ = -1;
  int status_ = -1;
};

}  // namespace zxvp::testing
