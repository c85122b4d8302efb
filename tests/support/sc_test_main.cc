#include <gtest/gtest.h>

#include <cstdlib>
#include <systemc>

// Every test binary runs its tests through sc_main, as a SystemC program must. CTest starts one
// process per test (gtest_discover_tests), because SystemC cannot elaborate twice in a process.
int sc_main(int argc, char* argv[]) {
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

int main(int argc, char* argv[]) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}
