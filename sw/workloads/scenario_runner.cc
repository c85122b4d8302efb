#include "sw/workloads/scenario_runner.h"

#include <boost/json.hpp>
#include <iomanip>
#include <set>
#include <sstream>

#include "sw/api/zircon/constants.h"
#include "sw/api/zircon/syscall_numbers.h"
#include "sw/kernel/syscall_dispatch.h"

namespace zxvp {

ScenarioRunner::ScenarioRunner(System& system, const Scenario& scenario)
    : system_(system), scenario_(scenario) {}

void ScenarioRunner::start() {
  // The console names each line's process when more than one may write to it.
  std::set<std::string> names;
  for (const Step& step : scenario_.steps)
    names.insert(step.process);
  system_.kernel().console().set_prefix_names(names.size() > 1);
  system_.kernel().cpu().start_thread("scenario", [this] { run(); });
}

void ScenarioRunner::run() {
  results_.reserve(scenario_.steps.size());
  for (size_t i = 0; i < scenario_.steps.size(); ++i) {
    results_.push_back(execute(scenario_.steps[i], i));
    if (observer_) observer_(results_.back());
  }
  finished_ = true;
}

Process* ScenarioRunner::process_named(const std::string& name) {
  auto it = processes_.find(name);
  if (it != processes_.end()) return it->second;
  Process* process = system_.kernel().create_process(name);
  if (process != nullptr) processes_.emplace(name, process);
  return process;
}

bool ScenarioRunner::resolve(const Reference& reference, Process& process, uint64_t* value) const {
  if (reference.name.empty()) {
    *value = reference.value;
    return true;
  }
  if (reference.name == "root_vmar" && bindings_.count("root_vmar") == 0) {
    *value = process.root_vmar_handle();
    return true;
  }
  const auto it = bindings_.find(reference.name);
  if (it == bindings_.end() || !it->second.valid) return false;
  *value = it->second.value + reference.value;
  return true;
}

StepResult ScenarioRunner::execute(const Step& step, size_t index) {
  StepResult result;
  result.index = index;
  result.process = step.process;
  result.op = step.op;
  result.expected = step.expect;
  Process* process = process_named(step.process);
  if (process == nullptr) {
    result.note = "process '" + step.process + "' could not be created: no memory";
    return result;
  }
  std::map<std::string, uint64_t> values;
  for (const auto& [key, reference] : step.references) {
    if (!resolve(reference, *process, &values[key])) {
      result.note = "'" + reference.name + "' is not bound: the step that binds it failed";
      return result;
    }
  }
  auto number = [&](const char* key) { return step.numbers.at(key); };
  auto value = [&](const char* key) { return values.at(key); };
  Kernel& kernel = system_.kernel();
  uint64_t out = 0;
  zx_status_t status = ZX_OK;
  // A system call: its registers as Zircon's ABI orders them, through the dispatch guest code
  // takes; out-parameters come back here rather than through user memory (their registers 0).
  auto call = [&](uint64_t syscall, const std::array<uint64_t, 8>& arguments) {
    const SyscallResult called =
        dispatch_syscall(kernel, *process, syscall, arguments, OutParameters::caller);
    status = static_cast<zx_status_t>(static_cast<int64_t>(called.value));
    out = called.out;
  };
  switch (step.op) {
    case StepOp::program:
      run_program(step, *process, result);
      return result;
    case StepOp::vmo_create:
      call(ZX_SYS_vmo_create, {number("size"), number("options")});
      break;
    case StepOp::vmo_read:
      call(ZX_SYS_vmo_read,
           {value("handle"), value("buffer"), number("offset"), number("buffer_size")});
      break;
    case StepOp::vmo_write:
      call(ZX_SYS_vmo_write,
           {value("handle"), value("buffer"), number("offset"), number("buffer_size")});
      break;
    case StepOp::vmo_get_size:
      call(ZX_SYS_vmo_get_size, {value("handle")});
      if (status == ZX_OK && step.numbers.count("expect_size") &&
          out != step.numbers.at("expect_size")) {
        result.note = "size is " + std::to_string(out) + ", expected " +
                      std::to_string(step.numbers.at("expect_size"));
      }
      break;
    case StepOp::vmo_set_size:
      call(ZX_SYS_vmo_set_size, {value("handle"), number("size")});
      break;
    case StepOp::vmo_set_cache_policy:
      call(ZX_SYS_vmo_set_cache_policy, {value("handle"), number("cache_policy")});
      break;
    case StepOp::vmo_op_range:
      call(ZX_SYS_vmo_op_range,
           {value("handle"), number("op"), number("offset"), number("size"), 0, 0});
      break;
    case StepOp::vmo_create_child:
      call(ZX_SYS_vmo_create_child,
           {value("handle"), number("options"), number("offset"), number("size")});
      break;
    case StepOp::handle_duplicate:
      call(ZX_SYS_handle_duplicate, {value("handle"), number("rights")});
      break;
    case StepOp::handle_replace:
      call(ZX_SYS_handle_replace, {value("handle"), number("rights")});
      break;
    case StepOp::handle_close:
      call(ZX_SYS_handle_close, {value("handle")});
      break;
    case StepOp::vmar_map:
      call(ZX_SYS_vmar_map, {value("vmar"), number("options"), number("vmar_offset"), value("vmo"),
                             number("vmo_offset"), number("len")});
      break;
    case StepOp::vmar_unmap:
      call(ZX_SYS_vmar_unmap, {value("vmar"), value("addr"), number("len")});
      break;
    case StepOp::vmar_protect:
      call(ZX_SYS_vmar_protect, {value("vmar"), number("options"), value("addr"), number("len")});
      break;
    case StepOp::store: {
      const std::vector<uint8_t> bytes = step.data->materialize();
      status = kernel.user_store(*process, values.at("addr"), bytes.data(), bytes.size());
      break;
    }
    case StepOp::load: {
      const std::vector<uint8_t> expected = step.data->materialize();
      std::vector<uint8_t> seen(expected.size());
      status = kernel.user_load(*process, values.at("addr"), seen.data(), seen.size());
      if (status == ZX_OK && seen != expected) {
        const auto mismatch = std::mismatch(seen.begin(), seen.end(), expected.begin());
        const size_t at = static_cast<size_t>(mismatch.first - seen.begin());
        std::ostringstream note;
        note << "memory differs at byte " << at << ": 0x" << std::hex << std::setw(2)
             << std::setfill('0') << int{*mismatch.first} << ", expected 0x" << std::setw(2)
             << int{*mismatch.second};
        result.note = note.str();
      }
      break;
    }
  }
  result.ran = true;
  result.status = status;
  result.record = kernel.last_record();
  result.ok = status == step.expect && result.note.empty();
  if (!result.note.empty() && status != step.expect) result.note.clear();
  if (!step.out.empty()) bindings_[step.out] = Binding{status == ZX_OK, out};
  return result;
}

void ScenarioRunner::run_program(const Step& step, Process& process, StepResult& result) {
  const ProgramOutcome outcome = system_.programs().run(process, *step.program, step.arguments);
  processes_.erase(step.process);  // it ended; the name makes a new process from here on
  result.ran = true;
  result.program = true;
  result.end = program_end_name(outcome.end);
  result.return_code = outcome.return_code;
  result.expected_exit = step.expect_exit;
  result.instructions = outcome.instructions;
  result.record.name = "program";
  result.record.status = ZX_OK;
  result.record.start_cycle = outcome.start_cycle;
  result.record.cycles = outcome.cycles;
  result.record.breakdown = outcome.breakdown;
  const bool ended =
      outcome.end == ProgramOutcome::End::exited || outcome.end == ProgramOutcome::End::killed;
  result.ok = ended && outcome.return_code == step.expect_exit;
  if (!outcome.report.empty()) {
    result.note = outcome.report;
  } else if (!result.ok) {
    result.note = "returned " + std::to_string(outcome.return_code) + ", expected " +
                  std::to_string(step.expect_exit);
  }
}

size_t ScenarioRunner::failures() const {
  size_t failed = 0;
  for (const StepResult& result : results_)
    failed += result.ok ? 0 : 1;
  return failed;
}

uint64_t ScenarioRunner::total_cycles() const {
  uint64_t cycles = 0;
  for (const StepResult& result : results_)
    cycles += result.record.cycles;
  return cycles;
}

namespace {

// A status's name, or its number when it has none (a scenario may expect any value).
std::string status_text(zx_status_t status) {
  const std::string name = zx_status_get_string(status);
  return name == "(UNKNOWN)" ? "(UNKNOWN " + std::to_string(status) + ")" : name;
}

// Appends `text` padded with spaces to `width` (on the left when `right_aligned`), as setw does.
void append_column(std::string& line, std::string_view text, size_t width, bool right_aligned) {
  const size_t padding = text.size() < width ? width - text.size() : 0;
  if (right_aligned) line.append(padding, ' ');
  line.append(text);
  if (!right_aligned) line.append(padding, ' ');
}

}  // namespace

// Built by appending rather than with a stream: a 10,000-step run prints 10,000 of these, and
// constructing a string stream per line showed in its profile.
std::string step_line(const StepResult& result) {
  std::string line;
  line.reserve(160);
  append_column(line, std::to_string(result.index), 5, true);
  line += "  ";
  append_column(line, result.process, 8, false);
  append_column(line, step_op_name(result.op), 22, false);
  if (result.program) {
    append_column(line, result.end + " " + std::to_string(result.return_code), 22, false);
    append_column(line, "exit " + std::to_string(result.expected_exit), 22, false);
  } else {
    append_column(line, result.ran ? status_text(result.status) : "(not run)", 22, false);
    append_column(line, status_text(result.expected), 22, false);
  }
  append_column(line, std::to_string(result.record.cycles), 12, true);
  // Where the cycles went: the phases that took any.
  bool first_phase = true;
  for (size_t i = 0; i < kCyclePhaseCount; ++i) {
    if (result.record.breakdown[i] == 0) continue;
    line += first_phase ? "  [" : " ";
    line += cycle_phase_name(static_cast<CyclePhase>(i));
    line += ' ';
    line += std::to_string(result.record.breakdown[i]);
    first_phase = false;
  }
  if (!first_phase) line += ']';
  if (result.program && !result.note.empty() && result.ok) {
    line += "  (" + result.note + ")";
  }
  if (!result.ok) {
    line += "  FAILED: ";
    if (!result.note.empty()) {
      line += result.note;
    } else {
      line += "returned ";
      line += status_text(result.status);
      line += ", expected ";
      line += status_text(result.expected);
    }
  }
  return line;
}

boost::json::value results_json(const Scenario& scenario, const std::string& platform,
                                const ScenarioRunner& runner) {
  boost::json::array steps;
  for (const StepResult& result : runner.results()) {
    boost::json::object breakdown;
    for (size_t i = 0; i < kCyclePhaseCount; ++i) {
      breakdown[cycle_phase_name(static_cast<CyclePhase>(i))] = result.record.breakdown[i];
    }
    boost::json::object step{
        {"index", result.index},
        {"process", result.process},
        {"op", step_op_name(result.op)},
        {"status", result.ran ? status_text(result.status) : "(not run)"},
        {"expected", status_text(result.expected)},
        {"ok", result.ok},
        {"cycles", result.record.cycles},
        {"breakdown", std::move(breakdown)},
    };
    if (!result.note.empty()) step["note"] = result.note;
    if (result.program) {
      step["status"] = result.end;
      step["expected"] = "exit " + std::to_string(result.expected_exit);
      step["return_code"] = result.return_code;
      step["expected_exit"] = result.expected_exit;
      step["instructions"] = result.instructions;
    }
    steps.push_back(std::move(step));
  }
  return boost::json::object{
      {"scenario", scenario.name},
      {"platform", platform},
      {"steps", std::move(steps)},
      {"summary",
       {{"steps", runner.results().size()},
        {"failed", runner.failures()},
        {"cycles", runner.total_cycles()}}},
  };
}

}  // namespace zxvp
