#pragma once

#include <string>

#include "sim/host_description.h"
#include "sw/workloads/calibration/platform_fit.h"

namespace zxvp {

// Writes `fit` as a platform file that `zxvp run --platform FILE` takes: the default assembly,
// every parameter (fitted ones with the measurement each came from, the rest the default
// platform's), the host and the command in its header. Throws std::runtime_error when the file
// cannot be written.
void write_platform_file(const FittedPlatform& fit, const HostDescription& host,
                         const std::string& command, const std::string& path);

}  // namespace zxvp
