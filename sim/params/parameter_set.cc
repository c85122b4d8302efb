#include "sim/params/parameter_set.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "sim/params/units.h"

namespace zxvp {
namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string_view last_component(std::string_view key) {
  const auto dot = key.rfind('.');
  return dot == std::string_view::npos ? key : key.substr(dot + 1);
}

std::string format_real(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

std::string format_unsigned(const std::string& unit, uint64_t value) {
  if (unit == "bytes" && value >= KiB) return format_bytes(value);
  return std::to_string(value);
}

}  // namespace

ParameterSet::Entry& ParameterSet::add(std::string key, ParameterKind kind) {
  if (key.empty()) throw std::logic_error("a parameter needs a key");
  if (contains(key)) throw std::logic_error("parameter '" + key + "' is declared twice");
  Entry entry;
  entry.key = key;
  entry.kind = kind;
  return entries_.emplace(std::move(key), std::move(entry)).first->second;
}

void ParameterSet::declare(std::string key, uint64_t default_value, const UnsignedSpec& spec) {
  Entry& entry = add(std::move(key), ParameterKind::unsigned_integer);
  entry.unit = spec.unit;
  entry.description = spec.description;
  entry.min_unsigned = spec.min;
  entry.max_unsigned = spec.max;
  entry.multiple_of = spec.multiple_of == 0 ? 1 : spec.multiple_of;
  entry.default_value = entry.value = default_value;
}

void ParameterSet::declare(std::string key, double default_value, const RealSpec& spec) {
  Entry& entry = add(std::move(key), ParameterKind::real);
  entry.unit = spec.unit;
  entry.description = spec.description;
  entry.min_real = spec.min;
  entry.max_real = spec.max;
  entry.default_value = entry.value = default_value;
}

void ParameterSet::declare(std::string key, bool default_value, const BoolSpec& spec) {
  Entry& entry = add(std::move(key), ParameterKind::boolean);
  entry.unit = "bool";
  entry.description = spec.description;
  entry.default_value = entry.value = default_value;
}

void ParameterSet::declare(std::string key, std::string default_value, const ChoiceSpec& spec) {
  Entry& entry = add(std::move(key), ParameterKind::choice);
  entry.unit = "choice";
  entry.description = spec.description;
  entry.choices = spec.choices;
  entry.default_value = entry.value = std::move(default_value);
}

ParameterSet::Value ParameterSet::parse(const Entry& entry, std::string_view text,
                                        std::string_view origin) const {
  auto refuse = [&](const std::string& why) -> ConfigError {
    return ConfigError(std::string(origin) + ": parameter '" + entry.key + "': value '" +
                       std::string(text) + "' " + why + "; allowed: " + allowed_values(entry));
  };
  std::string why;
  switch (entry.kind) {
    case ParameterKind::unsigned_integer: {
      const auto value = parse_unsigned(text, why);
      if (!value) throw refuse("is refused (" + why + ")");
      if (*value < entry.min_unsigned || *value > entry.max_unsigned) {
        throw refuse("is out of range");
      }
      if (*value % entry.multiple_of != 0)
        throw refuse("is not a multiple of " + format_unsigned(entry.unit, entry.multiple_of));
      return *value;
    }
    case ParameterKind::real: {
      const auto value = parse_real(text, why);
      if (!value || !std::isfinite(*value)) throw refuse("is refused (not a number)");
      if (*value < entry.min_real || *value > entry.max_real) throw refuse("is out of range");
      return *value;
    }
    case ParameterKind::boolean: {
      const auto value = parse_bool(text, why);
      if (!value) throw refuse("is refused (" + why + ")");
      return *value;
    }
    case ParameterKind::choice: {
      const auto it = std::find(entry.choices.begin(), entry.choices.end(), text);
      if (it == entry.choices.end()) throw refuse("is not a known choice");
      return *it;
    }
  }
  throw std::logic_error("unknown parameter kind");
}

void ParameterSet::set(std::string_view key, std::string_view text, std::string_view origin) {
  const auto it = entries_.find(key);
  if (it == entries_.end()) {
    std::string message = std::string(origin) + ": unknown parameter '" + std::string(key) + "'";
    const auto nearest = nearest_keys(key);
    if (!nearest.empty()) {
      message += "; did you mean ";
      for (size_t i = 0; i < nearest.size(); ++i) {
        message += (i == 0 ? "'" : (i + 1 == nearest.size() ? "' or '" : "', '")) + nearest[i];
      }
      message += "'?";
    }
    message += " (`zxvp params` lists every key)";
    throw ConfigError(message);
  }
  it->second.value = parse(it->second, text, origin);
  it->second.origin = origin;
}

void ParameterSet::set_assignment(std::string_view assignment, std::string_view origin) {
  const auto equals = assignment.find('=');
  if (equals == std::string_view::npos || equals == 0) {
    throw ConfigError(std::string(origin) + ": '" + std::string(assignment) +
                      "' is not KEY=VALUE (for example -p memory.size=4GiB)");
  }
  set(assignment.substr(0, equals), assignment.substr(equals + 1), origin);
}

const ParameterSet::Entry& ParameterSet::entry(std::string_view key) const {
  const auto it = entries_.find(key);
  if (it == entries_.end()) {
    throw std::logic_error("parameter '" + std::string(key) + "' was never declared");
  }
  return it->second;
}

const ParameterSet::Entry& ParameterSet::typed_entry(std::string_view key,
                                                     ParameterKind kind) const {
  const Entry& found = entry(key);
  if (found.kind != kind) {
    throw std::logic_error("parameter '" + std::string(key) + "' is read as the wrong type");
  }
  return found;
}

uint64_t ParameterSet::get_unsigned(std::string_view key) const {
  return std::get<uint64_t>(typed_entry(key, ParameterKind::unsigned_integer).value);
}

double ParameterSet::get_real(std::string_view key) const {
  return std::get<double>(typed_entry(key, ParameterKind::real).value);
}

bool ParameterSet::get_bool(std::string_view key) const {
  return std::get<bool>(typed_entry(key, ParameterKind::boolean).value);
}

const std::string& ParameterSet::get_choice(std::string_view key) const {
  return std::get<std::string>(typed_entry(key, ParameterKind::choice).value);
}

std::vector<std::string> ParameterSet::nearest_keys(std::string_view key, size_t count) const {
  struct Candidate {
    size_t rank;
    std::string key;
  };
  std::vector<Candidate> candidates;
  const size_t limit = std::max<size_t>(3, key.size() / 3);
  for (const auto& [known, entry] : entries_) {
    const size_t distance = edit_distance(key, known);
    // A key whose last component matches is a likely misplaced prefix ("mem.size").
    const bool same_leaf = last_component(known) == last_component(key);
    if (distance <= limit || same_leaf) {
      candidates.push_back({same_leaf ? std::min(distance, limit) : distance, known});
    }
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.rank < b.rank; });
  std::vector<std::string> nearest;
  for (size_t i = 0; i < candidates.size() && i < count; ++i) {
    nearest.push_back(candidates[i].key);
  }
  return nearest;
}

std::string ParameterSet::format_value(const Entry& entry, const Value& value) {
  switch (entry.kind) {
    case ParameterKind::unsigned_integer:
      return format_unsigned(entry.unit, std::get<uint64_t>(value));
    case ParameterKind::real:
      return format_real(std::get<double>(value));
    case ParameterKind::boolean:
      return std::get<bool>(value) ? "true" : "false";
    case ParameterKind::choice:
      return std::get<std::string>(value);
  }
  return {};
}

std::string ParameterSet::allowed_values(const Entry& entry) {
  switch (entry.kind) {
    case ParameterKind::unsigned_integer: {
      std::string text = "an integer from " + format_unsigned(entry.unit, entry.min_unsigned) +
                         " to " + format_unsigned(entry.unit, entry.max_unsigned);
      if (entry.multiple_of > 1) {
        text += ", a multiple of " + format_unsigned(entry.unit, entry.multiple_of);
      }
      if (entry.unit == "bytes") text += " (units B, KiB, MiB, GiB, TiB allowed)";
      return text;
    }
    case ParameterKind::real:
      return "a number from " + format_real(entry.min_real) + " to " + format_real(entry.max_real);
    case ParameterKind::boolean:
      return "true or false";
    case ParameterKind::choice: {
      std::string text = "one of ";
      for (size_t i = 0; i < entry.choices.size(); ++i) {
        text += (i == 0 ? "" : ", ") + entry.choices[i];
      }
      return text;
    }
  }
  return {};
}

ParameterBinding::ParameterBinding(ParameterSet* declare_into, const ParameterSet* load_from,
                                   std::string prefix)
    : declare_into_(declare_into), load_from_(load_from), prefix_(std::move(prefix)) {}

ParameterBinding ParameterBinding::declaring(ParameterSet& set, std::string prefix) {
  return ParameterBinding(&set, nullptr, std::move(prefix));
}

ParameterBinding ParameterBinding::loading(const ParameterSet& set, std::string prefix) {
  return ParameterBinding(nullptr, &set, std::move(prefix));
}

std::string ParameterBinding::key(std::string_view name) const {
  return prefix_.empty() ? std::string(name) : prefix_ + "." + std::string(name);
}

void ParameterBinding::field(std::string_view name, uint64_t& value, const UnsignedSpec& spec) {
  if (declare_into_) {
    declare_into_->declare(key(name), value, spec);
  } else {
    value = load_from_->get_unsigned(key(name));
  }
}

void ParameterBinding::field(std::string_view name, double& value, const RealSpec& spec) {
  if (declare_into_) {
    declare_into_->declare(key(name), value, spec);
  } else {
    value = load_from_->get_real(key(name));
  }
}

void ParameterBinding::field(std::string_view name, bool& value, const BoolSpec& spec) {
  if (declare_into_) {
    declare_into_->declare(key(name), value, spec);
  } else {
    value = load_from_->get_bool(key(name));
  }
}

void ParameterBinding::field(std::string_view name, std::string& value, const ChoiceSpec& spec) {
  if (declare_into_) {
    declare_into_->declare(key(name), value, spec);
  } else {
    value = load_from_->get_choice(key(name));
  }
}

}  // namespace zxvp
