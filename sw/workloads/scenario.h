#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sw/api/zircon/types.h"

namespace zxvp {

// One scenario file (the contract: ../README "Scenarios"), read and checked whole before anything
// runs. Every refusal names file:line:column and what was expected.

enum class StepOp {
  vmo_create,
  vmo_read,
  vmo_write,
  vmo_get_size,
  vmo_set_size,
  vmo_set_cache_policy,
  vmo_op_range,
  vmo_create_child,
  handle_duplicate,
  handle_replace,
  handle_close,
  vmar_map,
  vmar_unmap,
  vmar_protect,
  store,
  load,
  program,
};
std::string_view step_op_name(StepOp op);

// A handle or an address argument: a bound name (plus an offset, for addresses) or a number.
struct Reference {
  std::string name;    // empty: a literal value
  uint64_t value = 0;  // the literal, or the offset added to the name's value
};

// The bytes of a store or the expected bytes of a load.
struct DataSpec {
  enum class Kind { bytes, u32, u64, fill, random } kind = Kind::bytes;
  std::vector<uint8_t> bytes;  // bytes, u32, u64 (little endian)
  uint8_t fill_byte = 0;
  uint64_t seed = 0;
  uint64_t length = 0;  // fill, random

  uint64_t size() const {
    return kind == Kind::fill || kind == Kind::random ? length : bytes.size();
  }
  std::vector<uint8_t> materialize() const;
};

struct ElfImage;

struct Step {
  std::string location;  // file:line:column of the step
  StepOp op = StepOp::vmo_create;
  std::string process = "main";
  zx_status_t expect = ZX_OK;
  std::map<std::string, uint64_t> numbers;      // sizes, offsets, flags
  std::map<std::string, Reference> references;  // handles and addresses
  std::optional<DataSpec> data;                 // store and load
  std::string out;                              // the name this step binds, if any
  // A program step: the image (checked when the scenario is read), argv (argv[0] the path as
  // written) and the return code it must end with.
  std::shared_ptr<const ElfImage> program;
  std::vector<std::string> arguments;
  int64_t expect_exit = 0;
};

struct Scenario {
  std::string path;
  std::string name;
  std::string description;
  std::string platform = "default";
  std::string platform_directory = ".";  // where a relative platform path is looked up
  std::vector<std::pair<std::string, std::string>> params;  // KEY, VALUE (in file order)
  std::vector<std::string> params_locations;
  std::vector<Step> steps;
};

// Reads and checks a scenario file; throws ConfigError with every problem found (one a line).
Scenario load_scenario(const std::string& path);
// The same from text already read (`origin` names it in messages).
Scenario parse_scenario(const std::string& text, const std::string& origin);

}  // namespace zxvp
