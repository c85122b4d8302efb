#pragma once

#include <array>
#include <boost/json/value.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "sw/kernel/cycle_account.h"
#include "sw/workloads/scenario.h"
#include "sw/workloads/system.h"

namespace zxvp {

struct StepResult {
  size_t index = 0;
  std::string process;
  StepOp op = StepOp::vmo_create;
  bool ran = false;  // false when a name it uses was never bound (its step failed)
  zx_status_t status = ZX_OK;
  zx_status_t expected = ZX_OK;
  bool ok = false;
  std::string note;  // what differed
  CallRecord record;
  // A program step: how it ended, its return code and the one it had to give; its record holds
  // the cycles of the whole run (loading, calls, faults, and its code under `user`).
  bool program = false;
  std::string end;
  int64_t return_code = 0;
  int64_t expected_exit = 0;
  uint64_t instructions = 0;
};

// Runs a scenario's steps in order on cpu0 of a System, each in its process (made on first use),
// binding `out` names to the handles and addresses that succeeding steps return.
class ScenarioRunner {
 public:
  ScenarioRunner(System& system, const Scenario& scenario);

  // Starts the run as software on the core; call before sc_start().
  void start();
  void on_step(std::function<void(const StepResult&)> observer) { observer_ = std::move(observer); }

  bool finished() const { return finished_; }
  const std::vector<StepResult>& results() const { return results_; }
  size_t failures() const;
  uint64_t total_cycles() const;

 private:
  struct Binding {
    bool valid = false;
    uint64_t value = 0;
  };

  void run();
  Process* process_named(const std::string& name);
  // The value of a reference in `process`; false when its name's step failed.
  bool resolve(const Reference& reference, Process& process, uint64_t* value) const;
  StepResult execute(const Step& step, size_t index);
  // Runs a program step's program to its end in its process, which ends with it.
  void run_program(const Step& step, Process& process, StepResult& result);

  System& system_;
  const Scenario& scenario_;
  std::map<std::string, Process*> processes_;
  std::map<std::string, Binding> bindings_;
  std::vector<StepResult> results_;
  std::function<void(const StepResult&)> observer_;
  bool finished_ = false;
};

// The results as JSON: {"scenario", "platform", "steps": [...], "summary": {...}}.
boost::json::value results_json(const Scenario& scenario, const std::string& platform,
                                const ScenarioRunner& runner);
// One console line for a step.
std::string step_line(const StepResult& result);

}  // namespace zxvp
