#include "sim/yaml/yaml_document.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace zxvp {
namespace {

using ::testing::HasSubstr;

TEST(YamlDocument, NodesKeepTheirKindTextAndPlace) {
  const YamlNode root = parse_yaml("name: demo\nsteps:\n  - vmo_create: {size: 4KiB, out: v}\n");
  ASSERT_TRUE(root.is_mapping());
  ASSERT_EQ(root.entries.size(), 2u);
  EXPECT_EQ(root.entries[0].key.scalar, "name");
  EXPECT_EQ(root.entries[0].value.scalar, "demo");
  EXPECT_EQ(root.entries[0].value.location("f.yaml"), "f.yaml:1:7");
  const YamlNode& steps = root.entries[1].value;
  ASSERT_TRUE(steps.is_sequence());
  ASSERT_EQ(steps.items.size(), 1u);
  const YamlNode::Entry& step = steps.items[0].entries.at(0);
  EXPECT_EQ(step.key.scalar, "vmo_create");
  EXPECT_EQ(step.key.location("f.yaml"), "f.yaml:3:5");
  ASSERT_TRUE(step.value.is_mapping());
  EXPECT_EQ(step.value.entries[1].value.scalar, "v");
  EXPECT_EQ(step.value.entries[1].value.location("f.yaml"), "f.yaml:3:35");
}

TEST(YamlDocument, PlainEmptyTildeAndNullAreNullButQuotedTextIsNot) {
  const YamlNode root = parse_yaml("a:\nb: ~\nc: null\nd: ''\ne: \"null\"\n");
  ASSERT_EQ(root.entries.size(), 5u);
  EXPECT_TRUE(root.entries[0].value.is_null());
  EXPECT_TRUE(root.entries[1].value.is_null());
  EXPECT_TRUE(root.entries[2].value.is_null());
  EXPECT_TRUE(root.entries[3].value.is_scalar());
  EXPECT_EQ(root.entries[4].value.scalar, "null");
}

TEST(YamlDocument, DuplicateKeysAreKeptInFileOrder) {
  const YamlNode root = parse_yaml("k: 1\nk: 2\n");
  ASSERT_EQ(root.entries.size(), 2u);
  EXPECT_EQ(root.entries[1].value.scalar, "2");
}

TEST(YamlDocument, EmptyTextIsANullDocumentAndOnlyTheFirstDocumentIsRead) {
  EXPECT_TRUE(parse_yaml("").is_null());
  EXPECT_TRUE(parse_yaml("# only a comment\n").is_null());
  const YamlNode first = parse_yaml("--- 1\n--- 2\n");
  EXPECT_EQ(first.scalar, "1");
}

YamlError error_of(const std::string& text) {
  try {
    parse_yaml(text);
  } catch (const YamlError& error) {
    return error;
  }
  ADD_FAILURE() << "accepted: " << text;
  return YamlError(0, 0, "");
}

TEST(YamlDocument, MalformedTextIsRefusedWhereTheReaderStopped) {
  const YamlError unclosed = error_of("steps:\n  - a: {size: 1\n  - b: 2\n");
  EXPECT_EQ(unclosed.line, 3u);
  EXPECT_THAT(unclosed.what(), HasSubstr("did not find expected ',' or '}'"));
  const YamlError tab = error_of("a:\n\t- 1\n");
  EXPECT_EQ(tab.line, 2u);
}

TEST(YamlDocument, NestingDeeperThanTheLimitIsRefusedAtTheLevelThatExceedsIt) {
  const std::string deep =
      "x: " + std::string(kMaxYamlDepth, '[') + std::string(kMaxYamlDepth, ']');
  EXPECT_NO_THROW(
      parse_yaml("[" + std::string(kMaxYamlDepth - 1, '[') + std::string(kMaxYamlDepth, ']')));
  const YamlError error = error_of(deep);
  EXPECT_EQ(error.line, 1u);
  // The mapping is level one; the bracket that opens level kMaxYamlDepth + 1 is refused.
  EXPECT_EQ(error.column, 4u + kMaxYamlDepth - 1);
  EXPECT_THAT(error.what(), HasSubstr("nested deeper than"));
}

TEST(YamlDocument, AliasesAreRefused) {
  const YamlError error = error_of("a: &x 1\nb: *x\n");
  EXPECT_EQ(error.line, 2u);
  EXPECT_EQ(error.column, 4u);
  EXPECT_THAT(error.what(), HasSubstr("aliases"));
}

}  // namespace
}  // namespace zxvp
