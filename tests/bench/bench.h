#pragma once

#include <string>
#include <vector>

namespace zxvp {

// `zxvp bench`: the simulator's host speed against its limits, measured in one process (host
// memcpy for moving bytes, a bare TLM-2.0 b_transport for one transaction). `arguments` are the
// command's own (--json, --repeat N). Returns the exit status.
int run_bench(const std::vector<std::string>& arguments, const std::string& executable);

}  // namespace zxvp
