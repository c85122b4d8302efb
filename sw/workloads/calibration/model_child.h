#pragma once

#include <string>
#include <vector>

#include "sw/workloads/calibration/model_workloads.h"

namespace zxvp {

// SystemC elaborates once per process, and each step of a calibration needs machines whose
// parameters the step before chose: each step's machines run in a child process,
// `zxvp calibrate --simulate REQUEST.json --result RESULT.json`, all in one simulation.

// Runs `machines` in a child of `executable` (this zxvp) and returns their results. Throws
// std::runtime_error when the child cannot run or fails, with what it printed on stderr.
std::vector<std::vector<ModelResult>> run_in_child(const std::string& executable,
                                                   const std::vector<ModelMachine>& machines);

// The child's side: reads the request, runs it, writes the result. Returns the exit status.
int run_simulate_request(const std::string& request_path, const std::string& result_path);

}  // namespace zxvp
