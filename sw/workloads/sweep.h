#pragma once

#include <string>
#include <utility>
#include <vector>

namespace zxvp {

// `zxvp sweep`: one `zxvp run SCENARIO --json` per point of the cross product of the swept
// values, in parallel processes, then `zxvp merge` of their results into a CSV and a plot.
struct SweepAxis {
  std::string key;
  std::vector<std::string> values;
};

// Parses "KEY=V1,V2,..."; throws ConfigError with what to type instead.
SweepAxis parse_sweep_axis(const std::string& text);

struct SweepPlan {
  std::string executable;  // this zxvp
  std::string scenario;
  std::vector<std::string> assignments;  // -p given to every point
  std::vector<SweepAxis> axes;
  std::string out_directory;
};

// How many points the axes make, and the value of each axis at point `index` (the last axis
// varies fastest).
size_t sweep_points(const std::vector<SweepAxis>& axes);
std::vector<std::string> sweep_point(const std::vector<SweepAxis>& axes, size_t index);

// Writes the plan's manifest into the output directory and returns one command a point.
std::vector<std::vector<std::string>> prepare_sweep(const SweepPlan& plan);
// How the points of a sweep ended.
struct SweepOutcome {
  size_t failed_to_run = 0;        // exit status 2 or a crash: no result
  size_t expectations_failed = 0;  // exit status 1: a result, with a step not as expected
};

// Runs the commands, `jobs` at a time, with a progress line on a terminal.
SweepOutcome run_sweep(const std::vector<std::vector<std::string>>& commands, size_t jobs);
// Joins the point results of a directory into results.csv and plots the cycles of a call (the
// mean over a point's system calls) against the first key, one line per value of the others, as
// plot.png and plot.svg: log axes for sizes and for values spanning more than a decade, cycles in
// kcycles or Mcycles. Returns a message for the user; throws ConfigError when the directory has
// no manifest or a point has no result.
std::string merge_sweep(const std::string& out_directory);

std::string shell_quote(const std::string& word);

}  // namespace zxvp
