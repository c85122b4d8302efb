#pragma once

#include <string>
#include <vector>

namespace zxvp {

// `zxvp calibrate [--out FILE.yaml] [--report DIR] [--quick]`: measures this host, fits a
// platform to it, validates the fit on measurements it did not use, and writes the platform
// file and the report. `arguments` are the command's own; `executable` is this zxvp (its
// simulations run in child processes). Returns the exit status.
int run_calibrate(const std::vector<std::string>& arguments, const std::string& executable);

}  // namespace zxvp
