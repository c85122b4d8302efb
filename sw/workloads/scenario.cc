#include "sw/workloads/scenario.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <filesystem>
#include <random>
#include <set>

#include "sim/io/input_file.h"
#include "sim/params/config_error.h"
#include "sim/params/units.h"
#include "sim/params/yaml_parameters.h"
#include "sim/yaml/yaml_document.h"
#include "sw/api/zircon/constants.h"
#include "sw/kernel/elf_image.h"

namespace zxvp {

namespace {

// `program` steps add a program file, a list of arguments and an exit code.
enum class ArgKind { integer, flags, handle, address, name, program, strings, exit_code };

struct ArgSpec {
  std::string_view name;
  ArgKind kind;
  bool required;
  uint64_t fallback = 0;                // integers and flags
  std::string_view fallback_name = "";  // handles ("root_vmar")
};

struct OpSpec {
  StepOp op;
  std::string_view name;
  std::vector<ArgSpec> args;
  bool takes_data = false;
};

const std::vector<OpSpec>& op_specs() {
  static const std::vector<OpSpec> specs = {
      {StepOp::vmo_create,
       "vmo_create",
       {{"size", ArgKind::integer, true},
        {"options", ArgKind::flags, false},
        {"out", ArgKind::name, false}}},
      {StepOp::vmo_read,
       "vmo_read",
       {{"handle", ArgKind::handle, true},
        {"buffer", ArgKind::address, true},
        {"offset", ArgKind::integer, true},
        {"buffer_size", ArgKind::integer, true}}},
      {StepOp::vmo_write,
       "vmo_write",
       {{"handle", ArgKind::handle, true},
        {"buffer", ArgKind::address, true},
        {"offset", ArgKind::integer, true},
        {"buffer_size", ArgKind::integer, true}}},
      {StepOp::vmo_get_size,
       "vmo_get_size",
       {{"handle", ArgKind::handle, true}, {"expect_size", ArgKind::integer, false}}},
      {StepOp::vmo_set_size,
       "vmo_set_size",
       {{"handle", ArgKind::handle, true}, {"size", ArgKind::integer, true}}},
      {StepOp::vmo_set_cache_policy,
       "vmo_set_cache_policy",
       {{"handle", ArgKind::handle, true}, {"cache_policy", ArgKind::flags, true}}},
      {StepOp::vmo_op_range,
       "vmo_op_range",
       {{"handle", ArgKind::handle, true},
        {"op", ArgKind::flags, true},
        {"offset", ArgKind::integer, true},
        {"size", ArgKind::integer, true}}},
      {StepOp::vmo_create_child,
       "vmo_create_child",
       {{"handle", ArgKind::handle, true},
        {"options", ArgKind::flags, true},
        {"offset", ArgKind::integer, true},
        {"size", ArgKind::integer, true},
        {"out", ArgKind::name, false}}},
      {StepOp::handle_duplicate,
       "handle_duplicate",
       {{"handle", ArgKind::handle, true},
        {"rights", ArgKind::flags, true},
        {"out", ArgKind::name, false}}},
      {StepOp::handle_replace,
       "handle_replace",
       {{"handle", ArgKind::handle, true},
        {"rights", ArgKind::flags, true},
        {"out", ArgKind::name, false}}},
      {StepOp::handle_close, "handle_close", {{"handle", ArgKind::handle, true}}},
      {StepOp::vmar_map,
       "vmar_map",
       {{"vmar", ArgKind::handle, false, 0, "root_vmar"},
        {"options", ArgKind::flags, false},
        {"vmo", ArgKind::handle, true},
        {"vmo_offset", ArgKind::integer, false},
        {"len", ArgKind::integer, true},
        {"vmar_offset", ArgKind::integer, false},
        {"out", ArgKind::name, false}}},
      {StepOp::vmar_unmap,
       "vmar_unmap",
       {{"vmar", ArgKind::handle, false, 0, "root_vmar"},
        {"addr", ArgKind::address, true},
        {"len", ArgKind::integer, true}}},
      {StepOp::vmar_protect,
       "vmar_protect",
       {{"vmar", ArgKind::handle, false, 0, "root_vmar"},
        {"options", ArgKind::flags, true},
        {"addr", ArgKind::address, true},
        {"len", ArgKind::integer, true}}},
      {StepOp::store, "store", {{"addr", ArgKind::address, true}}, true},
      {StepOp::load, "load", {{"addr", ArgKind::address, true}}, true},
      {StepOp::program,
       "program",
       {{"elf", ArgKind::program, true},
        {"args", ArgKind::strings, false},
        {"expect_exit", ArgKind::exit_code, false}}},
  };
  return specs;
}

constexpr std::array<std::string_view, 5> kDataForms = {"bytes", "u32", "u64", "fill", "random"};

bool is_identifier(std::string_view text) {
  if (text.empty() || !(std::isalpha(static_cast<unsigned char>(text[0])) || text[0] == '_')) {
    return false;
  }
  for (char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// Collects every problem of a file, then throws them together.
class Checker {
 public:
  explicit Checker(std::string origin) : origin_(std::move(origin)) {}

  std::string where(const YamlNode& node) const { return node.location(origin_); }
  void fail(const YamlNode& node, const std::string& what) {
    if (problems_.size() < 50) problems_.push_back(where(node) + ": " + what);
  }
  bool ok() const { return problems_.empty(); }
  void throw_if_any() const {
    if (problems_.empty()) return;
    std::string message;
    for (size_t i = 0; i < problems_.size(); ++i) {
      message += (i == 0 ? "" : "\n") + problems_[i];
    }
    throw ConfigError(message);
  }

  std::optional<uint64_t> integer(const YamlNode& node, std::string_view what) {
    if (!node.is_scalar()) {
      fail(node, std::string(what) + ": expected an unsigned integer, not a list or mapping");
      return std::nullopt;
    }
    std::string why;
    const auto value = parse_unsigned(node.scalar(), why);
    if (!value) {
      fail(node, std::string(what) + ": '" + node.scalar() + "' is not an unsigned 64-bit " +
                     "integer (decimal, 0x hex, or with a unit such as 4KiB): " + why);
    }
    return value;
  }

  std::optional<uint64_t> flag(const YamlNode& node, std::string_view what) {
    const std::string& text = node.scalar();
    if (text.rfind("ZX_", 0) == 0) {
      const auto value = zircon_constant(text);
      if (!value) {
        fail(node, std::string(what) + ": unknown Zircon constant '" + text + "'");
        return std::nullopt;
      }
      if (*value < 0) {
        fail(node, std::string(what) + ": '" + text + "' is a status, not a flag");
        return std::nullopt;
      }
      return static_cast<uint64_t>(*value);
    }
    return integer(node, what);
  }

  // Options, rights, a cache policy or an operation: 32-bit arguments of every call that takes
  // them, so wider values are refused rather than cut.
  std::optional<uint64_t> flags(const YamlNode& node, std::string_view what) {
    const std::optional<uint64_t> value = flags_any_width(node, what);
    if (value && *value > UINT32_MAX) {
      fail(node, std::string(what) + ": " + format_hex(*value) +
                     " does not fit the call's 32-bit argument");
      return std::nullopt;
    }
    return value;
  }

  std::optional<uint64_t> flags_any_width(const YamlNode& node, std::string_view what) {
    if (node.is_scalar()) return flag(node, what);
    if (!node.is_sequence()) {
      fail(node, std::string(what) + ": expected a constant name, a list of names, or a number");
      return std::nullopt;
    }
    uint64_t combined = 0;
    bool good = true;
    for (const YamlNode& item : node.items()) {
      if (!item.is_scalar()) {
        fail(item, std::string(what) + ": expected a constant name or a number");
        good = false;
        continue;
      }
      const auto value = flag(item, what);
      if (value) combined |= *value;
      good = good && value.has_value();
    }
    if (!good) return std::nullopt;
    return combined;
  }

  // A return code: a signed 64-bit integer or ZX_TASK_RETCODE_EXCEPTION_KILL (a killed program).
  std::optional<int64_t> exit_code(const YamlNode& node) {
    if (node.is_scalar() && node.scalar() == "ZX_TASK_RETCODE_EXCEPTION_KILL") {
      return ZX_TASK_RETCODE_EXCEPTION_KILL;
    }
    int64_t value = 0;
    const std::string& text = node.is_scalar() ? node.scalar() : std::string();
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (!node.is_scalar() || text.empty() || error != std::errc() ||
        end != text.data() + text.size()) {
      fail(node,
           "expect_exit: expected a return code (a decimal integer, or "
           "ZX_TASK_RETCODE_EXCEPTION_KILL for a program the kernel kills)");
      return std::nullopt;
    }
    return value;
  }

  std::optional<zx_status_t> status(const YamlNode& node) {
    if (!node.is_scalar()) {
      fail(node, "expect: expected a status name (ZX_OK, ZX_ERR_BAD_STATE, ...) or number");
      return std::nullopt;
    }
    const std::string& text = node.scalar();
    if (text.rfind("ZX_", 0) == 0) {
      const auto value = zircon_constant(text);
      if (!value || *value > 0 || (text != "ZX_OK" && text.rfind("ZX_ERR_", 0) != 0)) {
        fail(node, "expect: '" + text + "' is not a Zircon status name");
        return std::nullopt;
      }
      return static_cast<zx_status_t>(*value);
    }
    int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value > 0 ||
        value < INT32_MIN) {
      fail(node, "expect: '" + text + "' is not a status (a name, or 0 or a negative number)");
      return std::nullopt;
    }
    return static_cast<zx_status_t>(value);
  }

 private:
  std::string origin_;
  std::vector<std::string> problems_;
};

void parse_reference(Checker& checker, const YamlNode& node, const ArgSpec& spec,
                     const std::set<std::string>& bound, Reference* reference) {
  if (!node.is_scalar()) {
    checker.fail(node, std::string(spec.name) + ": expected a name or a number");
    return;
  }
  const std::string& text = node.scalar();
  if (!text.empty() && std::isdigit(static_cast<unsigned char>(text[0]))) {
    const auto value = checker.integer(node, spec.name);
    if (!value) return;
    if (spec.kind == ArgKind::handle && *value > UINT32_MAX) {
      checker.fail(node, std::string(spec.name) + ": a raw handle value fits 32 bits");
      return;
    }
    reference->value = *value;
    return;
  }
  std::string name = text;
  if (spec.kind == ArgKind::address) {
    if (const auto plus = text.find('+'); plus != std::string::npos) {
      name = text.substr(0, plus);
      std::string why;
      const auto offset = parse_unsigned(std::string_view(text).substr(plus + 1), why);
      if (!offset) {
        checker.fail(node, std::string(spec.name) + ": '" + text + "': the offset after '+' " +
                               "is not an unsigned integer (" + why + ")");
        return;
      }
      reference->value = *offset;
    }
  }
  if (!is_identifier(name)) {
    checker.fail(node, std::string(spec.name) + ": '" + text + "' is neither a name nor a " +
                           (spec.kind == ArgKind::address ? "name+offset nor an " : "") +
                           "unsigned integer");
    return;
  }
  if (name != "root_vmar" && bound.count(name) == 0) {
    checker.fail(node, std::string(spec.name) + ": '" + name + "' is not bound by any earlier " +
                           "step's 'out'");
    return;
  }
  reference->name = name;
}

// The program of a `program` step, relative to the scenario's directory, checked now (a refused
// program refuses the scenario, before anything runs).
void parse_program(Checker& checker, const YamlNode& node, const std::string& directory,
                   Step& step) {
  if (!node.is_scalar() || node.scalar().empty()) {
    checker.fail(node, "elf: expected the path of a program (built with zxvp-cc)");
    return;
  }
  const std::filesystem::path path(node.scalar());
  const std::string file = path.is_absolute() ? path.string() : (directory / path).string();
  try {
    step.program = std::make_shared<const ElfImage>(load_elf_image(file));
  } catch (const ConfigError& error) {
    checker.fail(node, std::string("elf: ") + error.what());
    return;
  }
  step.arguments.insert(step.arguments.begin(), node.scalar());
}

std::optional<DataSpec> parse_data(Checker& checker, const YamlNode& form_key,
                                   const YamlNode& node) {
  const std::string& form = form_key.scalar();
  DataSpec data;
  if (form == "bytes") {
    data.kind = DataSpec::Kind::bytes;
    if (!node.is_sequence()) {
      checker.fail(node, "bytes: expected a list of byte values, such as [1, 2, 3]");
      return std::nullopt;
    }
    for (const YamlNode& item : node.items()) {
      const auto value = checker.integer(item, "bytes");
      if (!value) return std::nullopt;
      if (*value > 255) {
        checker.fail(item, "bytes: " + std::to_string(*value) + " does not fit a byte");
        return std::nullopt;
      }
      data.bytes.push_back(static_cast<uint8_t>(*value));
    }
    return data;
  }
  if (form == "u32" || form == "u64") {
    const auto value = checker.integer(node, form);
    if (!value) return std::nullopt;
    const size_t width = form == "u32" ? 4 : 8;
    if (width == 4 && *value > UINT32_MAX) {
      checker.fail(node, "u32: " + std::to_string(*value) + " does not fit 32 bits");
      return std::nullopt;
    }
    data.kind = width == 4 ? DataSpec::Kind::u32 : DataSpec::Kind::u64;
    for (size_t i = 0; i < width; ++i)
      data.bytes.push_back(static_cast<uint8_t>(*value >> (8 * i)));
    return data;
  }
  // fill: {byte, len}; random: {seed, len}
  const bool fill = form == "fill";
  const char* first = fill ? "byte" : "seed";
  if (!node.is_mapping()) {
    checker.fail(node, form + ": expected a mapping {" + first + ": N, len: N}");
    return std::nullopt;
  }
  std::optional<uint64_t> head;
  std::optional<uint64_t> length;
  for (const YamlNode::Entry& item : node.entries()) {
    const std::string& key = item.key.scalar();
    if (key == first) {
      head = checker.integer(item.value, form + "." + first);
    } else if (key == "len") {
      length = checker.integer(item.value, form + ".len");
    } else {
      checker.fail(item.key, form + ": unknown key '" + key + "' (expected " + first + " and len)");
      return std::nullopt;
    }
  }
  if (!head || !length) {
    if (checker.ok()) checker.fail(node, form + ": needs both " + first + " and len");
    return std::nullopt;
  }
  if (fill && *head > 255) {
    checker.fail(node, "fill.byte: " + std::to_string(*head) + " does not fit a byte");
    return std::nullopt;
  }
  // The bytes are made on the host before the step runs (and a load's twice): a step holds at
  // most 1 GiB of them, so that a few lines of YAML cannot take the host's memory.
  if (*length > (uint64_t{1} << 30)) {
    checker.fail(node, form + ".len: " + std::to_string(*length) +
                           " is more than 1GiB (store or load more in several steps)");
    return std::nullopt;
  }
  data.kind = fill ? DataSpec::Kind::fill : DataSpec::Kind::random;
  data.fill_byte = static_cast<uint8_t>(fill ? *head : 0);
  data.seed = fill ? 0 : *head;
  data.length = *length;
  return data;
}

void parse_step(Checker& checker, const YamlNode& node, std::set<std::string>& bound,
                Scenario& scenario) {
  if (!node.is_mapping() || node.size() != 1) {
    checker.fail(node,
                 "a step is a mapping with exactly one key, the operation (for example "
                 "- vmo_create: {size: 4096, out: v})");
    return;
  }
  const YamlNode::Entry entry = *node.entries().begin();
  const std::string& op_name = entry.key.scalar();
  const auto& specs = op_specs();
  const auto spec =
      std::find_if(specs.begin(), specs.end(), [&](const OpSpec& s) { return s.name == op_name; });
  if (spec == specs.end()) {
    std::string known;
    for (const OpSpec& s : specs)
      known += (known.empty() ? "" : ", ") + std::string(s.name);
    checker.fail(entry.key, "unknown operation '" + op_name + "' (operations: " + known + ")");
    return;
  }
  Step step;
  step.location = checker.where(entry.key);
  step.op = spec->op;
  const YamlNode& arguments = entry.value;
  if (!arguments.is_mapping() && !(arguments.is_null() && !spec->takes_data)) {
    checker.fail(arguments, op_name + ": expected a mapping of arguments");
    return;
  }
  uint64_t given_arguments = 0;  // bit i: spec->args[i]
  std::string out_name;
  if (arguments.is_mapping()) {
    for (const YamlNode::Entry& item : arguments.entries()) {
      const std::string& key = item.key.scalar();
      const YamlNode& value = item.value;
      if (key == "process") {
        if (!value.is_scalar() || !is_identifier(value.scalar())) {
          checker.fail(value, "process: expected a process name (letters, digits, _)");
        } else {
          step.process = value.scalar();
        }
        continue;
      }
      if (key == "expect") {
        if (spec->op == StepOp::program) {
          checker.fail(item.key,
                       "program: a program's outcome is expect_exit (its return code), "
                       "not expect");
        } else if (const auto status = checker.status(value)) {
          step.expect = *status;
        }
        continue;
      }
      if (spec->takes_data &&
          std::find(kDataForms.begin(), kDataForms.end(), key) != kDataForms.end()) {
        if (step.data) {
          checker.fail(item.key, op_name + ": give exactly one of bytes, u32, u64, fill, random");
          continue;
        }
        step.data = parse_data(checker, item.key, value);
        if (!step.data) step.data = DataSpec{};  // refused, already reported
        continue;
      }
      const auto arg = std::find_if(spec->args.begin(), spec->args.end(),
                                    [&](const ArgSpec& a) { return a.name == key; });
      if (arg == spec->args.end()) {
        std::string allowed;
        for (const ArgSpec& a : spec->args)
          allowed += std::string(a.name) + ", ";
        allowed += spec->takes_data ? "bytes, u32, u64, fill, random, " : "";
        checker.fail(item.key, op_name + ": unknown argument '" + key + "' (arguments: " + allowed +
                                   "process, expect)");
        continue;
      }
      given_arguments |= uint64_t{1} << (arg - spec->args.begin());
      switch (arg->kind) {
        case ArgKind::integer:
          if (const auto number = checker.integer(value, key)) step.numbers[key] = *number;
          break;
        case ArgKind::flags:
          if (const auto number = checker.flags(value, key)) step.numbers[key] = *number;
          break;
        case ArgKind::handle:
        case ArgKind::address:
          parse_reference(checker, value, *arg, bound, &step.references[key]);
          break;
        case ArgKind::name:
          if (!value.is_scalar() || !is_identifier(value.scalar()) ||
              value.scalar() == "root_vmar") {
            checker.fail(value, "out: expected a name (letters, digits, _; not root_vmar)");
          } else {
            out_name = value.scalar();
          }
          break;
        case ArgKind::program:
          parse_program(checker, value, scenario.platform_directory, step);
          break;
        case ArgKind::strings:
          if (!value.is_sequence()) {
            checker.fail(value, key + ": expected a list of arguments, such as [-n, 5]");
            break;
          }
          for (const YamlNode& argument : value.items()) {
            if (!argument.is_scalar()) {
              checker.fail(argument, key + ": each argument is a single value");
            } else {
              step.arguments.push_back(argument.scalar());
            }
          }
          break;
        case ArgKind::exit_code:
          if (const auto code = checker.exit_code(value)) step.expect_exit = *code;
          break;
      }
    }
  }
  for (size_t index = 0; index < spec->args.size(); ++index) {
    const ArgSpec& arg = spec->args[index];
    if ((given_arguments & (uint64_t{1} << index)) != 0) continue;
    if (arg.required) {
      checker.fail(node, op_name + ": missing argument '" + std::string(arg.name) + "'");
    } else if (!arg.fallback_name.empty()) {
      step.references[std::string(arg.name)] = Reference{std::string(arg.fallback_name), 0};
    } else if (arg.kind == ArgKind::integer || arg.kind == ArgKind::flags) {
      if (arg.name != "expect_size") step.numbers[std::string(arg.name)] = arg.fallback;
    }
  }
  if (spec->takes_data && !step.data) {
    checker.fail(node, op_name + ": needs one of bytes, u32, u64, fill, random");
  }
  if (!out_name.empty()) {
    step.out = out_name;
    bound.insert(out_name);
  }
  scenario.steps.push_back(std::move(step));
}

}  // namespace

std::string_view step_op_name(StepOp op) {
  for (const OpSpec& spec : op_specs()) {
    if (spec.op == op) return spec.name;
  }
  return "unknown";
}

std::vector<uint8_t> DataSpec::materialize() const {
  if (kind == Kind::fill) return std::vector<uint8_t>(length, fill_byte);
  if (kind != Kind::random) return bytes;
  std::vector<uint8_t> out(length);
  std::mt19937_64 random(seed);
  for (uint64_t i = 0; i < length; i += 8) {
    const uint64_t word = random();
    for (uint64_t b = 0; b < 8 && i + b < length; ++b)
      out[i + b] = static_cast<uint8_t>(word >> (8 * b));
  }
  return out;
}

Scenario parse_scenario(const std::string& text, const std::string& origin) {
  Scenario scenario;
  scenario.path = origin;
  scenario.platform_directory = std::filesystem::path(origin).parent_path().string();
  if (scenario.platform_directory.empty()) scenario.platform_directory = ".";
  const YamlDocument document = read_yaml_configuration(text, origin);
  const YamlNode root = document.root();
  Checker checker(origin);
  if (root.is_null()) throw ConfigError(origin + ": the scenario is empty (it needs 'steps:')");
  if (!root.is_mapping()) {
    throw ConfigError(checker.where(root) +
                      ": a scenario is a mapping with name, description, platform, params and "
                      "steps");
  }
  std::set<std::string> bound;
  bool has_steps = false;
  for (const YamlNode::Entry& item : root.entries()) {
    const std::string key = item.key.is_scalar() ? item.key.scalar() : "";
    const YamlNode& value = item.value;
    if (key == "name" || key == "description" || key == "platform") {
      if (!value.is_scalar()) {
        checker.fail(value, key + ": expected text");
        continue;
      }
      (key == "name"          ? scenario.name
       : key == "description" ? scenario.description
                              : scenario.platform) = value.scalar();
    } else if (key == "params") {
      if (!value.is_mapping()) {
        checker.fail(value, "params: expected a mapping of KEY: VALUE");
        continue;
      }
      for (const YamlNode::Entry& param : value.entries()) {
        if (!param.key.is_scalar() || !param.value.is_scalar()) {
          checker.fail(param.value, "params: each parameter takes a single value");
          continue;
        }
        scenario.params.emplace_back(param.key.scalar(), param.value.scalar());
        scenario.params_locations.push_back(checker.where(param.value));
      }
    } else if (key == "steps") {
      has_steps = true;
      if (!value.is_sequence()) {
        checker.fail(value, "steps: expected a list of steps");
        continue;
      }
      scenario.steps.reserve(value.size());
      for (const YamlNode& step : value.items())
        parse_step(checker, step, bound, scenario);
    } else {
      checker.fail(item.key, "unknown key '" + key +
                                 "' (a scenario has name, description, platform, params, steps)");
    }
  }
  if (!has_steps) checker.fail(root, "the scenario has no 'steps:'");
  checker.throw_if_any();
  if (scenario.name.empty()) scenario.name = std::filesystem::path(origin).stem().string();
  return scenario;
}

Scenario load_scenario(const std::string& path) {
  constexpr uint64_t kMaxScenarioBytes = uint64_t{256} << 20;  // some 4 million steps
  return parse_scenario(read_input_file(path, "scenario file", kMaxScenarioBytes), path);
}

}  // namespace zxvp
