#include "sim/stats/statistics.h"

#include <bit>
#include <boost/json.hpp>
#include <stdexcept>

namespace zxvp {

void Histogram::record(uint64_t sample) {
  ++count_;
  sum_ += sample;
  min_ = std::min(min_, sample);
  max_ = std::max(max_, sample);
  ++buckets_[std::bit_width(sample)];
}

void StatisticsRegistry::claim(const std::string& name, Described described) {
  if (name.empty() || name.front() == '.' || name.back() == '.') {
    throw std::logic_error("bad statistic name '" + name + "'");
  }
  // A name may not also be the parent of another ("a.b" and "a.b.c"): JSON nesting needs it.
  for (const auto& [existing, unused] : names_) {
    if (existing == name || existing.starts_with(name + ".") || name.starts_with(existing + ".")) {
      throw std::logic_error("statistic '" + name + "' clashes with '" + existing + "'");
    }
  }
  names_.emplace(name, std::move(described));
}

Counter& StatisticsRegistry::counter(std::string name, std::string description) {
  claim(name, {Described::Kind::counter, counters_.size(), std::move(description)});
  return counters_.emplace_back();
}

Histogram& StatisticsRegistry::histogram(std::string name, std::string description) {
  claim(name, {Described::Kind::histogram, histograms_.size(), std::move(description)});
  return histograms_.emplace_back();
}

const Counter* StatisticsRegistry::find_counter(std::string_view name) const {
  const auto it = names_.find(name);
  if (it == names_.end() || it->second.kind != Described::Kind::counter) return nullptr;
  return &counters_[it->second.index];
}

const Histogram* StatisticsRegistry::find_histogram(std::string_view name) const {
  const auto it = names_.find(name);
  if (it == names_.end() || it->second.kind != Described::Kind::histogram) return nullptr;
  return &histograms_[it->second.index];
}

boost::json::value StatisticsRegistry::to_json() const {
  boost::json::object root;
  for (const auto& [name, described] : names_) {
    boost::json::object* parent = &root;
    size_t start = 0;
    for (size_t dot = name.find('.'); dot != std::string::npos; dot = name.find('.', start)) {
      boost::json::value& child = (*parent)[name.substr(start, dot - start)];
      if (!child.is_object()) child = boost::json::object();
      parent = &child.as_object();
      start = dot + 1;
    }
    const std::string leaf = name.substr(start);
    if (described.kind == Described::Kind::counter) {
      (*parent)[leaf] = counters_[described.index].value();
      continue;
    }
    const Histogram& histogram = histograms_[described.index];
    boost::json::array buckets;
    for (size_t i = 0; i < Histogram::kBuckets; ++i) {
      if (histogram.bucket(i) == 0) continue;
      buckets.push_back(
          boost::json::object{{"low", Histogram::bucket_low(i)}, {"count", histogram.bucket(i)}});
    }
    (*parent)[leaf] = boost::json::object{{"count", histogram.count()},
                                          {"sum", histogram.sum()},
                                          {"min", histogram.min()},
                                          {"max", histogram.max()},
                                          {"buckets", std::move(buckets)}};
  }
  return root;
}

}  // namespace zxvp
