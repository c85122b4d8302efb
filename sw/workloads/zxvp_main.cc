#include <cstdlib>
#include <systemc>

#include "sw/workloads/command_line.h"

int sc_main(int argc, char* argv[]) {
  return zxvp::run_command_line(argc, argv);
}

// Our own entry point, so that SystemC's banner is silenced before SystemC can print it.
int main(int argc, char* argv[]) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}
