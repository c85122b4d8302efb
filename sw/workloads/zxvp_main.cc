#include <cstdlib>
#include <string>
#include <systemc>
#include <vector>

#include "sw/workloads/command_line.h"
#include "tests/bench/bench.h"

int sc_main(int argc, char* argv[]) {
  // `zxvp bench` measures the simulator itself; its code lives with the tests.
  if (argc >= 2 && std::string(argv[1]) == "bench") {
    return zxvp::run_bench(std::vector<std::string>(argv + 2, argv + argc), "/proc/self/exe");
  }
  return zxvp::run_command_line(argc, argv);
}

// Our own entry point, so that SystemC's banner is silenced before SystemC can print it.
int main(int argc, char* argv[]) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}
