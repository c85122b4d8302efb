#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "sw/kernel/program_runner.h"

namespace zxvp {

// The outputs of `zxvp run PROGRAM.elf`.

// One line on how the program ended: "'hello' exited with 0 after 1234 instructions, 5678
// cycles (CPI 1.42)", or the report of a program killed or stopped.
std::string program_end_line(const std::string& process, const ProgramOutcome& outcome);

// --json: {"program", "arguments", "platform", "exit": {"end", "code", "report"},
// "instructions", "cycles", "cpi", "breakdown": {PHASE: cycles}, "kernel_entries", "calls":
// [{"name", "status", "start_cycle", "cycles", "loader", "breakdown"}]} with every kernel entry
// (system calls, page faults, the loader's calls) when the outcome kept them.
boost::json::value program_json(const std::string& program,
                                const std::vector<std::string>& arguments,
                                const std::string& platform, const ProgramOutcome& outcome);

// For --stats: {"instructions", "cycles", "cpi", "calls": {NAME: {"count", "cycles"}}}.
boost::json::value program_statistics_json(const ProgramOutcome& outcome);

}  // namespace zxvp
