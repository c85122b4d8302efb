#include "sim/yaml/yaml_document.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace zxvp {
namespace {

using ::testing::HasSubstr;

std::vector<YamlNode::Entry> entries_of(const YamlNode& node) {
  std::vector<YamlNode::Entry> entries;
  for (const YamlNode::Entry& entry : node.entries())
    entries.push_back(entry);
  return entries;
}

std::vector<YamlNode> items_of(const YamlNode& node) {
  std::vector<YamlNode> items;
  for (const YamlNode& item : node.items())
    items.push_back(item);
  return items;
}

TEST(YamlDocument, NodesKeepTheirKindTextAndPlace) {
  const YamlDocument document("name: demo\nsteps:\n  - vmo_create: {size: 4KiB, out: v}\n");
  const YamlNode root = document.root();
  ASSERT_TRUE(root.is_mapping());
  ASSERT_EQ(root.size(), 2u);
  const auto top = entries_of(root);
  EXPECT_EQ(top[0].key.scalar(), "name");
  EXPECT_EQ(top[0].value.scalar(), "demo");
  EXPECT_EQ(top[0].value.location("f.yaml"), "f.yaml:1:7");
  const YamlNode& steps = top[1].value;
  ASSERT_TRUE(steps.is_sequence());
  ASSERT_EQ(steps.size(), 1u);
  const auto step = entries_of(items_of(steps)[0]);
  ASSERT_EQ(step.size(), 1u);
  EXPECT_EQ(step[0].key.scalar(), "vmo_create");
  EXPECT_EQ(step[0].key.location("f.yaml"), "f.yaml:3:5");
  ASSERT_TRUE(step[0].value.is_mapping());
  const auto arguments = entries_of(step[0].value);
  ASSERT_EQ(arguments.size(), 2u);
  EXPECT_EQ(arguments[1].value.scalar(), "v");
  EXPECT_EQ(arguments[1].value.location("f.yaml"), "f.yaml:3:35");
}

TEST(YamlDocument, PlainEmptyTildeAndNullAreNullButQuotedTextIsNot) {
  const YamlDocument document("a:\nb: ~\nc: null\nd: ''\ne: \"null\"\n");
  const auto entries = entries_of(document.root());
  ASSERT_EQ(entries.size(), 5u);
  EXPECT_TRUE(entries[0].value.is_null());
  EXPECT_TRUE(entries[1].value.is_null());
  EXPECT_TRUE(entries[2].value.is_null());
  EXPECT_TRUE(entries[3].value.is_scalar());
  EXPECT_EQ(entries[4].value.scalar(), "null");
}

TEST(YamlDocument, DuplicateKeysAreKeptInFileOrder) {
  const YamlDocument document("k: 1\nk: 2\n");
  const auto entries = entries_of(document.root());
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].value.scalar(), "2");
}

TEST(YamlDocument, EmptyContainersHaveNoChildren) {
  const YamlDocument document("a: []\nb: {}\n");
  const auto entries = entries_of(document.root());
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_TRUE(entries[0].value.is_sequence());
  EXPECT_EQ(entries[0].value.size(), 0u);
  EXPECT_TRUE(items_of(entries[0].value).empty());
  EXPECT_TRUE(entries[1].value.is_mapping());
  EXPECT_TRUE(entries_of(entries[1].value).empty());
}

TEST(YamlDocument, EmptyTextIsANullDocumentAndOnlyTheFirstDocumentIsRead) {
  EXPECT_TRUE(YamlDocument("").root().is_null());
  EXPECT_TRUE(YamlDocument("# only a comment\n").root().is_null());
  EXPECT_EQ(YamlDocument("--- 1\n--- 2\n").root().scalar(), "1");
}

YamlError error_of(const std::string& text) {
  try {
    YamlDocument document(text);
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
  EXPECT_NO_THROW(YamlDocument(std::string(kMaxYamlDepth, '[') + std::string(kMaxYamlDepth, ']')));
  const YamlError error =
      error_of("x: " + std::string(kMaxYamlDepth, '[') + std::string(kMaxYamlDepth, ']'));
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
