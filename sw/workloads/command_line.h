#pragma once

namespace zxvp {

// Exit statuses of the zxvp command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitCheckFailed = 1;
inline constexpr int kExitUsage = 2;

// `zxvp [run|params] [options]`, `zxvp --help`, `zxvp --version`. Runs inside sc_main.
int run_command_line(int argc, char** argv);

}  // namespace zxvp
