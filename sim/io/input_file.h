#pragma once

#include <cstdint>
#include <string>

namespace zxvp {

// The whole of a file the user named (a scenario, a platform file, a program), refused with a
// ConfigError that names the path and the reason when it is not a regular file (a directory, a
// device such as /dev/zero, a FIFO), cannot be read, or is larger than `max_bytes`. `what` says
// what the file was to be ("scenario file"), for the messages.
std::string read_input_file(const std::string& path, const std::string& what, uint64_t max_bytes);

}  // namespace zxvp
