#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace zxvp {

// A monotonically growing count. Models bump it on their hot paths: a plain add, no lookup.
class Counter {
 public:
  void add(uint64_t amount = 1) { value_ += amount; }
  uint64_t value() const { return value_; }

 private:
  uint64_t value_ = 0;
};

// Distribution of a sampled quantity (cycles per call, bytes per burst) in power-of-two buckets:
// bucket 0 holds 0, bucket k holds [2^(k-1), 2^k).
class Histogram {
 public:
  static constexpr size_t kBuckets = 65;

  void record(uint64_t sample);
  uint64_t count() const { return count_; }
  uint64_t sum() const { return sum_; }
  uint64_t min() const { return count_ == 0 ? 0 : min_; }
  uint64_t max() const { return max_; }
  uint64_t bucket(size_t index) const { return buckets_.at(index); }
  static uint64_t bucket_low(size_t index) { return index == 0 ? 0 : uint64_t{1} << (index - 1); }

 private:
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t min_ = std::numeric_limits<uint64_t>::max();
  uint64_t max_ = 0;
  std::vector<uint64_t> buckets_ = std::vector<uint64_t>(kBuckets, 0);
};

// Owns every statistic of a platform under a dotted name ("memory.bytes_written"). Models ask
// for their counters once, at construction, and keep the references; the registry keeps them at
// stable addresses for its whole life. Dumped as nested JSON objects split at the dots.
class StatisticsRegistry {
 public:
  Counter& counter(std::string name, std::string description);
  Histogram& histogram(std::string name, std::string description);

  const Counter* find_counter(std::string_view name) const;
  const Histogram* find_histogram(std::string_view name) const;

  boost::json::value to_json() const;

 private:
  struct Described {
    enum class Kind { counter, histogram } kind;
    size_t index;
    std::string description;
  };
  void claim(const std::string& name, Described described);

  std::deque<Counter> counters_;
  std::deque<Histogram> histograms_;
  std::map<std::string, Described, std::less<>> names_;
};

}  // namespace zxvp
