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

std::string yaml_parameters_refusal(ParameterSet& set, const std::string& text) {
  const YamlDocument document(text);
  try {
    apply_yaml_parameters(set, document.root(), "p.yaml");
  } catch (const ConfigError& error) {
    return error.what();
  }
  ADD_FAILURE() << "accepted:\n" << text;
  return {};
}

TEST(YamlParameters, AppliesAMappingAndNamesLineAndColumnOnRefusal) {
  ParameterSet set = example_set();
  const YamlDocument document("memory.size: 2GiB\nmemory.engine: auto\n");
  apply_yaml_parameters(set, document.root(), "p.yaml");
  EXPECT_EQ(set.get_unsigned("memory.size"), 2 * GiB);
  EXPECT_EQ(set.entry("memory.size").origin, "p.yaml:1:14");
  EXPECT_THAT(yaml_parameters_refusal(set, "memory.size: 2GiB\nmemory.dmi: [1, 2]\n"),
              AllOf(HasSubstr("p.yaml:2:13"), HasSubstr("single value, not a list")));
  EXPECT_THAT(yaml_parameters_refusal(set, "memory.size: 2GiB\nmemory.dmi:\n"),
              AllOf(HasSubstr("p.yaml:2:"), HasSubstr("single value, not nothing")));
  EXPECT_THAT(yaml_parameters_refusal(set, "memory.size: lots\n"),
              AllOf(HasSubstr("p.yaml:1:14"), HasSubstr("lots")));
  EXPECT_THAT(yaml_parameters_refusal(set, "[1, 2]"), HasSubstr("p.yaml:1:1: 'params' must be"));
  EXPECT_THAT(yaml_parameters_refusal(set, "[a]: 1\n"), HasSubstr("p.yaml:1:1: a parameter key"));
}

TEST(YamlParameters, ConfigurationTextIsRefusedWithItsPlaceAndTheReadersLimits) {
  auto refusal = [](const std::string& text) {
    try {
      read_yaml_configuration(text, "c.yaml");
    } catch (const ConfigError& error) {
      return std::string(error.what());
    }
    ADD_FAILURE() << "accepted:\n" << text;
    return std::string();
  };
  EXPECT_THAT(refusal("params: {a: 1\n"), HasSubstr("c.yaml:2:1: not valid YAML"));
  EXPECT_THAT(refusal("a: &x 1\nb: *x\n"), HasSubstr("c.yaml:2:4: not valid YAML: aliases"));
  EXPECT_THAT(refusal("x: " + std::string(kMaxYamlDepth, '[') + std::string(kMaxYamlDepth, ']')),
              HasSubstr("c.yaml:1:67: not valid YAML: nested deeper than 64 levels"));
  EXPECT_THAT(refusal(std::string("a: 1\n\0", 6)), HasSubstr("c.yaml: not a text file"));
  EXPECT_TRUE(read_yaml_configuration("a: 1\n", "c.yaml").root().is_mapping());
}

}  // namespace
}  // namespace zxvp
