#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sim/params/config_error.h"

namespace zxvp {

enum class ParameterKind { unsigned_integer, real, boolean, choice };

struct UnsignedSpec {
  std::string_view unit;  // "bytes", "cycles", "MHz", ... ("bytes" values accept KiB/MiB/... too)
  std::string_view description;
  uint64_t min = 0;
  uint64_t max = std::numeric_limits<uint64_t>::max();
  uint64_t multiple_of = 1;
};

struct RealSpec {
  std::string_view unit;
  std::string_view description;
  double min = 0.0;
  double max = std::numeric_limits<double>::max();
};

struct BoolSpec {
  std::string_view description;
};

struct ChoiceSpec {
  std::string_view description;
  std::vector<std::string> choices;
};

// Every parameter of a platform, by hierarchical key ("memory.size", "mmu.tlb.entries"): its
// type, default, unit, allowed range, one-line description, current value and where that value
// came from. Values are set as text, from a platform file, a scenario or `-p KEY=VALUE`; anything
// that is not a declared key or not an allowed value is refused with a ConfigError.
class ParameterSet {
 public:
  using Value = std::variant<uint64_t, double, bool, std::string>;

  struct Entry {
    std::string key;
    ParameterKind kind = ParameterKind::unsigned_integer;
    std::string unit;
    std::string description;
    uint64_t min_unsigned = 0;
    uint64_t max_unsigned = std::numeric_limits<uint64_t>::max();
    uint64_t multiple_of = 1;
    double min_real = 0.0;
    double max_real = 0.0;
    std::vector<std::string> choices;
    Value default_value;
    Value value;
    std::string origin = "default";
  };

  void declare(std::string key, uint64_t default_value, const UnsignedSpec& spec);
  void declare(std::string key, double default_value, const RealSpec& spec);
  void declare(std::string key, bool default_value, const BoolSpec& spec);
  void declare(std::string key, std::string default_value, const ChoiceSpec& spec);

  // `origin` says where the text came from ("platforms/default.yaml:12:3", "-p"); it prefixes
  // the error message and is recorded with the value.
  void set(std::string_view key, std::string_view text, std::string_view origin);
  // Parses "KEY=VALUE" as given to -p.
  void set_assignment(std::string_view assignment, std::string_view origin);

  uint64_t get_unsigned(std::string_view key) const;
  double get_real(std::string_view key) const;
  bool get_bool(std::string_view key) const;
  const std::string& get_choice(std::string_view key) const;

  bool contains(std::string_view key) const { return entries_.find(key) != entries_.end(); }
  const Entry& entry(std::string_view key) const;
  const std::map<std::string, Entry, std::less<>>& entries() const { return entries_; }

  // Up to `count` declared keys closest to `key` (edit distance, same last component first).
  std::vector<std::string> nearest_keys(std::string_view key, size_t count = 3) const;

  static std::string format_value(const Entry& entry, const Value& value);
  static std::string allowed_values(const Entry& entry);

 private:
  Entry& add(std::string key, ParameterKind kind);
  Value parse(const Entry& entry, std::string_view text, std::string_view origin) const;
  const Entry& typed_entry(std::string_view key, ParameterKind kind) const;

  std::map<std::string, Entry, std::less<>> entries_;
};

// Connects a configuration struct to a ParameterSet under a key prefix. A config struct lists its
// fields once, in `void bind(ParameterBinding&)`; the same function declares the keys (with the
// struct's initial values as defaults) and later loads the chosen values into the struct.
class ParameterBinding {
 public:
  static ParameterBinding declaring(ParameterSet& set, std::string prefix);
  static ParameterBinding loading(const ParameterSet& set, std::string prefix);

  void field(std::string_view name, uint64_t& value, const UnsignedSpec& spec);
  void field(std::string_view name, double& value, const RealSpec& spec);
  void field(std::string_view name, bool& value, const BoolSpec& spec);
  void field(std::string_view name, std::string& value, const ChoiceSpec& spec);

 private:
  ParameterBinding(ParameterSet* declare_into, const ParameterSet* load_from, std::string prefix);
  std::string key(std::string_view name) const;

  ParameterSet* declare_into_;
  const ParameterSet* load_from_;
  std::string prefix_;
};

template <class Config>
void declare_config(ParameterSet& set, std::string prefix, Config defaults = Config{}) {
  auto binding = ParameterBinding::declaring(set, std::move(prefix));
  defaults.bind(binding);
}

template <class Config>
Config load_config(const ParameterSet& set, std::string prefix) {
  Config config;
  auto binding = ParameterBinding::loading(set, std::move(prefix));
  config.bind(binding);
  return config;
}

}  // namespace zxvp
