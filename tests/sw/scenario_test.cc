// Reading scenario files (the contract in README.md, "Scenarios"): every operation and value
// form, and every kind of refusal with its location.
#include "sw/workloads/scenario.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sim/params/config_error.h"

namespace zxvp {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

std::string refusal(const std::string& text) {
  try {
    parse_scenario(text, "s.yaml");
  } catch (const ConfigError& error) {
    return error.what();
  }
  ADD_FAILURE() << "accepted:\n" << text;
  return {};
}

const char* kEveryForm = R"(
name: every-form
description: every operation and value form
platform: default
params:
  memory.size: 64MiB
steps:
  - vmo_create: {size: 16384, out: v}
  - vmo_create: {size: "4KiB", options: ZX_VMO_RESIZABLE, out: r}
  - vmo_create: {size: 0x1000, options: [ZX_VMO_RESIZABLE], out: r2}
  - vmo_create: {size: 4096, options: 2, out: r3}
  - vmar_map: {vmo: v, options: [ZX_VM_PERM_READ, ZX_VM_PERM_WRITE], len: 16384, out: buf}
  - vmar_map: {vmar: root_vmar, vmo: v, vmo_offset: 0, len: 4096, vmar_offset: 0x100000, options: [ZX_VM_PERM_READ, ZX_VM_SPECIFIC]}
  - store: {addr: buf, bytes: [1, 2, 0xFF]}
  - store: {addr: "buf+4", u32: 0xDEADBEEF}
  - store: {addr: "buf+0x10", u64: 18446744073709551615}
  - store: {addr: buf, fill: {byte: 0xA5, len: 4KiB}}
  - store: {addr: buf, random: {seed: 42, len: 100}}
  - load: {addr: buf, random: {seed: 42, len: 100}}
  - vmo_write: {handle: v, buffer: buf, offset: 0, buffer_size: 4096}
  - vmo_read: {handle: v, buffer: "buf+4096", offset: 0, buffer_size: 4096}
  - vmo_get_size: {handle: v, expect_size: 16KiB}
  - vmo_get_size: {handle: v}
  - vmo_set_size: {handle: r, size: 8KiB}
  - vmo_op_range: {handle: v, op: ZX_VMO_OP_COMMIT, offset: 0, size: 4096}
  - vmo_create_child: {handle: v, options: ZX_VMO_CHILD_SNAPSHOT, offset: 0, size: 4096, out: c}
  - handle_duplicate: {handle: v, rights: ZX_RIGHT_SAME_RIGHTS, out: d}
  - handle_replace: {handle: d, rights: [ZX_RIGHT_READ, ZX_RIGHT_DUPLICATE], out: d2}
  - handle_close: {handle: d2}
  - handle_close: {handle: 0}
  - vmo_set_cache_policy: {handle: r3, cache_policy: ZX_CACHE_POLICY_UNCACHED}
  - vmar_protect: {options: ZX_VM_PERM_READ, addr: buf, len: 4096}
  - vmar_unmap: {addr: buf, len: 16384}
  - vmo_write: {handle: v, buffer: 0, offset: 0, buffer_size: 1, expect: ZX_ERR_NOT_FOUND, process: other}
  - vmo_write: {handle: 4294967295, buffer: 0x1000, offset: 0, buffer_size: 1, expect: -11}
)";

TEST(Scenario, ReadsEveryOperationAndValueForm) {
  const Scenario scenario = parse_scenario(kEveryForm, "dir/every.yaml");
  EXPECT_EQ(scenario.name, "every-form");
  EXPECT_EQ(scenario.platform, "default");
  EXPECT_EQ(scenario.platform_directory, "dir");
  ASSERT_EQ(scenario.params.size(), 1u);
  EXPECT_EQ(scenario.params[0].second, "64MiB");
  ASSERT_EQ(scenario.steps.size(), 28u);
  const auto& steps = scenario.steps;
  EXPECT_EQ(steps[0].numbers.at("size"), 16384u);
  EXPECT_EQ(steps[0].numbers.at("options"), 0u);
  EXPECT_EQ(steps[0].out, "v");
  EXPECT_EQ(steps[1].numbers.at("size"), 4096u);
  EXPECT_EQ(steps[1].numbers.at("options"), 2u);
  EXPECT_EQ(steps[2].numbers.at("size"), 4096u);
  EXPECT_EQ(steps[3].numbers.at("options"), 2u);
  EXPECT_EQ(steps[4].numbers.at("options"), 3u);
  EXPECT_EQ(steps[4].references.at("vmar").name, "root_vmar");
  EXPECT_EQ(steps[4].numbers.at("vmo_offset"), 0u);
  EXPECT_EQ(steps[5].numbers.at("vmar_offset"), 0x100000u);
  EXPECT_EQ(steps[6].data->materialize(), (std::vector<uint8_t>{1, 2, 0xFF}));
  EXPECT_EQ(steps[7].references.at("addr").name, "buf");
  EXPECT_EQ(steps[7].references.at("addr").value, 4u);
  EXPECT_EQ(steps[7].data->materialize(), (std::vector<uint8_t>{0xEF, 0xBE, 0xAD, 0xDE}));
  EXPECT_EQ(steps[8].references.at("addr").value, 0x10u);
  EXPECT_EQ(steps[8].data->materialize(), std::vector<uint8_t>(8, 0xFF));
  EXPECT_EQ(steps[9].data->materialize(), std::vector<uint8_t>(4096, 0xA5));
  EXPECT_EQ(steps[10].data->materialize(), steps[11].data->materialize());
  EXPECT_EQ(steps[10].data->size(), 100u);
  EXPECT_EQ(steps[14].numbers.at("expect_size"), 16384u);
  EXPECT_EQ(steps[15].numbers.count("expect_size"), 0u);
  EXPECT_EQ(steps[19].numbers.at("rights"), 0x80000000u);
  EXPECT_EQ(steps[20].numbers.at("rights"), 0x5u);
  EXPECT_EQ(steps[22].references.at("handle").value, 0u);
  EXPECT_EQ(steps[26].process, "other");
  EXPECT_EQ(steps[26].expect, -25);
  EXPECT_EQ(steps[27].expect, -11);
  EXPECT_EQ(steps[27].references.at("handle").value, 0xFFFFFFFFu);
  EXPECT_THAT(steps[12].location, HasSubstr("dir/every.yaml:20:5"));
}

TEST(Scenario, RandomBytesFollowMt19937_64LittleEndian) {
  DataSpec data;
  data.kind = DataSpec::Kind::random;
  data.seed = 5489;
  data.length = 10;
  const auto bytes = data.materialize();
  const uint64_t first = 14514284786278117030ull;  // mt19937_64's first output for seed 5489
  for (int i = 0; i < 8; ++i)
    EXPECT_EQ(bytes[i], static_cast<uint8_t>(first >> (8 * i)));
}

TEST(Scenario, RefusesMalformedDocuments) {
  EXPECT_THAT(refusal("steps: [\n  - a: {b: 1}\n"),
              AllOf(HasSubstr("s.yaml:"), HasSubstr("not valid YAML")));
  EXPECT_THAT(refusal(""), HasSubstr("empty"));
  EXPECT_THAT(refusal("- 1\n- 2\n"), HasSubstr("s.yaml:1:1: a scenario is a mapping"));
  EXPECT_THAT(refusal("name: x\n"), HasSubstr("no 'steps:'"));
  EXPECT_THAT(refusal("steps: 3\n"), HasSubstr("s.yaml:1:8: steps: expected a list"));
  EXPECT_THAT(refusal("colour: red\nsteps: []\n"), HasSubstr("s.yaml:1:1: unknown key 'colour'"));
  EXPECT_THAT(refusal(std::string("steps: []\n\0\x01\x02", 14)), HasSubstr("not a text file"));
  EXPECT_THAT(refusal("steps:\n  - {vmo_create: {size: 1}, handle_close: {handle: 0}}\n"),
              HasSubstr("s.yaml:2:5: a step is a mapping with exactly one key"));
  EXPECT_THAT(refusal("params: [1]\nsteps: []\n"), HasSubstr("params: expected a mapping"));
}

TEST(Scenario, RefusesUnknownOperationsAndArguments) {
  EXPECT_THAT(
      refusal("steps:\n  - vmo_frob: {size: 1}\n"),
      AllOf(HasSubstr("s.yaml:2:5: unknown operation 'vmo_frob'"), HasSubstr("vmo_create")));
  EXPECT_THAT(refusal("steps:\n  - vmo_create: {size: 1, colour: 2}\n"),
              AllOf(HasSubstr("s.yaml:2:27: vmo_create: unknown argument 'colour'"),
                    HasSubstr("size, options, out")));
  EXPECT_THAT(refusal("steps:\n  - vmo_create: {options: 0}\n"),
              HasSubstr("vmo_create: missing argument 'size'"));
  EXPECT_THAT(refusal("steps:\n  - store: {addr: 0x1000}\n"),
              HasSubstr("store: needs one of bytes, u32, u64, fill, random"));
  EXPECT_THAT(refusal("steps:\n  - store: {addr: 0x1000, u32: 1, u64: 2}\n"),
              HasSubstr("give exactly one of"));
}

TEST(Scenario, RefusesBadValues) {
  auto step = [](const std::string& body) { return refusal("steps:\n  - " + body + "\n"); };
  EXPECT_THAT(step("vmo_create: {size: [1, 2]}"),
              HasSubstr("s.yaml:2:24: size: expected an unsigned integer"));
  EXPECT_THAT(step("vmo_create: {size: -1}"), HasSubstr("negative numbers are not allowed"));
  EXPECT_THAT(step("vmo_create: {size: 18446744073709551616}"), HasSubstr("does not fit in 64"));
  EXPECT_THAT(step("vmo_create: {size: 4KB}"), HasSubstr("unknown unit 'KB'"));
  EXPECT_THAT(step("vmo_create: {size: true}"), HasSubstr("not an unsigned integer"));
  EXPECT_THAT(step("vmo_create: {size: 1, options: ZX_VMO_BOGUS}"),
              HasSubstr("unknown Zircon constant 'ZX_VMO_BOGUS'"));
  EXPECT_THAT(step("vmo_create: {size: 1, options: [ZX_VMO_RESIZABLE, ZX_NOPE]}"),
              HasSubstr("unknown Zircon constant 'ZX_NOPE'"));
  EXPECT_THAT(step("vmo_create: {size: 1, options: ZX_ERR_BAD_STATE}"),
              HasSubstr("is a status, not a flag"));
  EXPECT_THAT(step("vmo_create: {size: 1, expect: ZX_ERR_NOPE}"),
              HasSubstr("'ZX_ERR_NOPE' is not a Zircon status name"));
  EXPECT_THAT(step("vmo_create: {size: 1, expect: ZX_RIGHT_READ}"),
              HasSubstr("is not a Zircon status name"));
  EXPECT_THAT(step("vmo_create: {size: 1, expect: 5}"), HasSubstr("is not a status"));
  EXPECT_THAT(step("handle_close: {handle: 4294967296}"), HasSubstr("fits 32 bits"));
  EXPECT_THAT(step("store: {addr: 0x1000, bytes: [256]}"), HasSubstr("does not fit a byte"));
  EXPECT_THAT(step("store: {addr: 0x1000, u32: 4294967296}"), HasSubstr("does not fit 32"));
  EXPECT_THAT(step("store: {addr: 0x1000, fill: {byte: 1}}"), HasSubstr("needs both byte and len"));
  EXPECT_THAT(step("store: {addr: 0x1000, fill: 3}"), HasSubstr("expected a mapping"));
  EXPECT_THAT(step("store: {addr: 0x1000, random: {seed: 1, len: 1, extra: 2}}"),
              HasSubstr("unknown key 'extra'"));
  EXPECT_THAT(step("vmo_create: {size: 1, out: 9lives}"), HasSubstr("out: expected a name"));
  EXPECT_THAT(step("vmo_create: {size: 1, process: [a]}"), HasSubstr("process: expected"));
}

TEST(Scenario, RefusesNamesUsedBeforeTheyAreBound) {
  EXPECT_THAT(refusal("steps:\n  - handle_close: {handle: v}\n  - vmo_create: {size: 1, out: v}\n"),
              HasSubstr("s.yaml:2:28: handle: 'v' is not bound by any earlier step's 'out'"));
  EXPECT_THAT(refusal("steps:\n  - store: {addr: \"buf+zz\", u32: 1}\n"),
              HasSubstr("the offset after '+' is not an unsigned integer"));
  EXPECT_THAT(refusal("steps:\n  - store: {addr: \"b-1\", u32: 1}\n"),
              HasSubstr("is neither a name nor a name+offset"));
}

TEST(Scenario, ReportsEveryProblemNotJustTheFirst) {
  const std::string message =
      refusal("steps:\n  - vmo_frob: {}\n  - vmo_create: {size: x}\n  - handle_close: {}\n");
  EXPECT_THAT(message,
              AllOf(HasSubstr("s.yaml:2:5"), HasSubstr("s.yaml:3:24"), HasSubstr("s.yaml:4:5")));
}

TEST(Scenario, DeeplyNestedDocumentIsRefusedWithoutCrashing) {
  std::string deep = "steps: ";
  for (int i = 0; i < 100000; ++i)
    deep += "[";
  EXPECT_FALSE(refusal(deep).empty());
}

TEST(Scenario, MissingFileIsRefused) {
  EXPECT_THROW(load_scenario("/nonexistent/scenario.yaml"), ConfigError);
}

}  // namespace
}  // namespace zxvp
