#include "sw/workloads/program_report.h"

#include <boost/json.hpp>
#include <cstdio>

#include "sw/api/zircon/constants.h"

namespace zxvp {

namespace {

double cycles_per_instruction(const ProgramOutcome& outcome) {
  const uint64_t user = outcome.breakdown[static_cast<size_t>(CyclePhase::user)];
  return outcome.instructions == 0
             ? 0.0
             : static_cast<double>(user) / static_cast<double>(outcome.instructions);
}

boost::json::object breakdown_json(const std::array<uint64_t, kCyclePhaseCount>& breakdown) {
  boost::json::object object;
  for (size_t i = 0; i < kCyclePhaseCount; ++i)
    object[cycle_phase_name(static_cast<CyclePhase>(i))] = breakdown[i];
  return object;
}

}  // namespace

std::string program_end_line(const std::string& process, const ProgramOutcome& outcome) {
  char figures[160];
  std::snprintf(
      figures, sizeof figures,
      "%llu instructions, %llu cycles (%llu in user mode, CPI %.2f), %llu kernel entries",
      static_cast<unsigned long long>(outcome.instructions),
      static_cast<unsigned long long>(outcome.cycles),
      static_cast<unsigned long long>(outcome.breakdown[static_cast<size_t>(CyclePhase::user)]),
      cycles_per_instruction(outcome), static_cast<unsigned long long>(outcome.kernel_entries));
  switch (outcome.end) {
    case ProgramOutcome::End::exited:
      return "'" + process + "' exited with " + std::to_string(outcome.return_code) + ": " +
             figures;
    case ProgramOutcome::End::killed:
      return "process '" + process + "' killed " + outcome.report + "; " + figures;
    case ProgramOutcome::End::stopped:
      return "process '" + process + "' stopped " + outcome.report + "; " + figures;
    case ProgramOutcome::End::not_loaded:
      return "process '" + process + "' " + outcome.report;
  }
  return "";
}

boost::json::value program_json(const std::string& program,
                                const std::vector<std::string>& arguments,
                                const std::string& platform, const ProgramOutcome& outcome) {
  boost::json::array calls;
  for (size_t i = 0; i < outcome.calls.size(); ++i) {
    const CallRecord& call = outcome.calls[i];
    calls.push_back(boost::json::object{
        {"name", call.name},
        {"status", zx_status_get_string(call.status)},
        {"start_cycle", call.start_cycle},
        {"cycles", call.cycles},
        {"loader", i < outcome.loader_entries},
        {"breakdown", breakdown_json(call.breakdown)},
    });
  }
  boost::json::array argument_list;
  for (const std::string& argument : arguments)
    argument_list.emplace_back(argument);
  // A program stopped by its budget or never loaded has no return code.
  boost::json::object exit{{"end", program_end_name(outcome.end)}, {"code", nullptr}};
  if (outcome.end == ProgramOutcome::End::exited || outcome.end == ProgramOutcome::End::killed) {
    exit["code"] = outcome.return_code;
  }
  if (!outcome.report.empty()) exit["report"] = outcome.report;
  return boost::json::object{
      {"program", program},
      {"arguments", std::move(argument_list)},
      {"platform", platform},
      {"exit", std::move(exit)},
      {"instructions", outcome.instructions},
      {"cycles", outcome.cycles},
      {"cpi", cycles_per_instruction(outcome)},
      {"breakdown", breakdown_json(outcome.breakdown)},
      {"kernel_entries", outcome.kernel_entries},
      {"calls", std::move(calls)},
  };
}

boost::json::value program_statistics_json(const ProgramOutcome& outcome) {
  boost::json::object by_name;
  for (const ProgramOutcome::CallTotal& total : outcome.totals) {
    by_name[total.name] = boost::json::object{{"count", total.count}, {"cycles", total.cycles}};
  }
  return boost::json::object{
      {"instructions", outcome.instructions},
      {"cycles", outcome.cycles},
      {"user_cycles", outcome.breakdown[static_cast<size_t>(CyclePhase::user)]},
      {"cpi", cycles_per_instruction(outcome)},
      {"calls", std::move(by_name)},
  };
}

}  // namespace zxvp
