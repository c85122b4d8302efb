#include "sim/params/parameter_set.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sim/params/units.h"
#include "sim/params/yaml_parameters.h"

namespace zxvp {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

struct ExampleConfig {
  uint64_t size = 1 * GiB;
  double latency_ns = 60.0;
  bool dmi = true;
  std::string engine = "cpu";

  void bind(ParameterBinding& binding) {
    binding.field("size", size, UnsignedSpec{"bytes", "memory size", MiB, TiB, 4 * KiB});
    binding.field("latency_ns", latency_ns, RealSpec{"ns", "latency", 0.0, 1000.0});
    binding.field("dmi", dmi, BoolSpec{"use DMI"});
    binding.field("engine", engine, ChoiceSpec{"copy engine", {"cpu", "dma", "auto"}});
  }
};

ParameterSet example_set() {
  ParameterSet set;
  declare_config<ExampleConfig>(set, "memory");
  return set;
}

std::string refusal(ParameterSet& set, std::string_view key, std::string_view value) {
  try {
    set.set(key, value, "test.yaml:3:7");
  } catch (const ConfigError& error) {
    return error.what();
  }
  ADD_FAILURE() << key << "=" << value << " was accepted";
  return {};
}

TEST(ParameterSet, DeclaresDefaultsFromTheConfigStruct) {
  const ParameterSet set = example_set();
  EXPECT_EQ(set.get_unsigned("memory.size"), GiB);
  EXPECT_DOUBLE_EQ(set.get_real("memory.latency_ns"), 60.0);
  EXPECT_TRUE(set.get_bool("memory.dmi"));
  EXPECT_EQ(set.get_choice("memory.engine"), "cpu");
  EXPECT_EQ(set.entry("memory.size").unit, "bytes");
  EXPECT_EQ(set.entry("memory.size").description, "memory size");
  EXPECT_EQ(set.entry("memory.size").origin, "default");
}

TEST(ParameterSet, LoadsChosenValuesIntoTheConfigStruct) {
  ParameterSet set = example_set();
  set.set("memory.size", "64GiB", "file");
  set.set("memory.latency_ns", "45.5", "file");
  set.set_assignment("memory.dmi=false", "-p");
  set.set_assignment("memory.engine=dma", "-p");
  const auto config = load_config<ExampleConfig>(set, "memory");
  EXPECT_EQ(config.size, 64 * GiB);
  EXPECT_DOUBLE_EQ(config.latency_ns, 45.5);
  EXPECT_FALSE(config.dmi);
  EXPECT_EQ(config.engine, "dma");
  EXPECT_EQ(set.entry("memory.dmi").origin, "-p");
}

TEST(ParameterSet, LaterSettingsOverrideEarlierOnes) {
  ParameterSet set = example_set();
  set.set("memory.size", "2GiB", "platform");
  set.set("memory.size", "4GiB", "scenario");
  set.set_assignment("memory.size=8GiB", "-p");
  EXPECT_EQ(set.get_unsigned("memory.size"), 8 * GiB);
}

TEST(ParameterSet, UnknownKeyIsRefusedWithTheNearestKeys) {
  ParameterSet set = example_set();
  EXPECT_THAT(refusal(set, "memory.sise", "1"),
              AllOf(HasSubstr("test.yaml:3:7"), HasSubstr("unknown parameter 'memory.sise'"),
                    HasSubstr("did you mean 'memory.size'")));
  EXPECT_THAT(refusal(set, "mem.size", "1"), HasSubstr("did you mean 'memory.size'"));
}

TEST(ParameterSet, WrongTypeIsRefusedWithWhatIsAllowed) {
  ParameterSet set = example_set();
  EXPECT_THAT(refusal(set, "memory.size", "lots"),
              AllOf(HasSubstr("parameter 'memory.size'"), HasSubstr("value 'lots'"),
                    HasSubstr("allowed: an integer from 1MiB to 1TiB")));
  EXPECT_THAT(refusal(set, "memory.latency_ns", "fast"), HasSubstr("not a number"));
  EXPECT_THAT(refusal(set, "memory.dmi", "maybe"), HasSubstr("allowed: true or false"));
  EXPECT_THAT(refusal(set, "memory.engine", "gpu"), HasSubstr("allowed: one of cpu, dma, auto"));
}

TEST(ParameterSet, OutOfRangeAndMisalignedValuesAreRefused) {
  ParameterSet set = example_set();
  EXPECT_THAT(refusal(set, "memory.size", "2TiB"), HasSubstr("out of range"));
  EXPECT_THAT(refusal(set, "memory.size", "4KiB"), HasSubstr("out of range"));
  EXPECT_THAT(refusal(set, "memory.size", "1048577"), HasSubstr("not a multiple of 4KiB"));
  EXPECT_THAT(refusal(set, "memory.size", "-1"), HasSubstr("negative"));
  EXPECT_THAT(refusal(set, "memory.latency_ns", "1001"), HasSubstr("out of range"));
  EXPECT_THAT(refusal(set, "memory.latency_ns", "-0.5"), HasSubstr("out of range"));
  EXPECT_THAT(refusal(set, "memory.latency_ns", "nan"), HasSubstr("not a number"));
  // A refused value leaves the previous one in place.
  EXPECT_EQ(set.get_unsigned("memory.size"), GiB);
}

TEST(ParameterSet, AssignmentWithoutEqualsIsRefused) {
  ParameterSet set = example_set();
  EXPECT_THROW(set.set_assignment("memory.size", "-p"), ConfigError);
  EXPECT_THROW(set.set_assignment("=5", "-p"), ConfigError);
}

TEST(ParameterSet, DuplicateDeclarationIsAProgrammingError) {
  ParameterSet set = example_set();
  EXPECT_THROW(set.declare("memory.size", uint64_t{1}, UnsignedSpec{"bytes", "again"}),
               std::logic_error);
}

TEST(YamlParameters, AppliesAMappingAndNamesLineAndColumnOnRefusal) {
  ParameterSet set = example_set();
  apply_yaml_parameters(set, YAML::Load("memory.size: 2GiB\nmemory.engine: auto\n"), "p.yaml");
  EXPECT_EQ(set.get_unsigned("memory.size"), 2 * GiB);
  EXPECT_EQ(set.entry("memory.size").origin, "p.yaml:1:14");
  try {
    apply_yaml_parameters(set, YAML::Load("memory.size: 2GiB\nmemory.dmi: [1, 2]\n"), "p.yaml");
    FAIL() << "a list value was accepted";
  } catch (const ConfigError& error) {
    EXPECT_THAT(error.what(), AllOf(HasSubstr("p.yaml:2:13"), HasSubstr("single value")));
  }
  EXPECT_THROW(apply_yaml_parameters(set, YAML::Load("[1, 2]"), "p.yaml"), ConfigError);
}

}  // namespace
}  // namespace zxvp
