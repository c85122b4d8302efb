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

YamlError error_of(const std::string& text);

// A key given twice would leave one of its values unread: refused where the second one is,
// in a small mapping and in one whose keys are looked up by text.
TEST(YamlDocument, ADuplicateKeyIsRefusedWhereItIsWithWhereTheFirstWas) {
  const YamlError flow = error_of("steps:\n  - vmo_create: {size: 4096, size: 8192}\n");
  EXPECT_EQ(flow.line, 2u);
  EXPECT_EQ(flow.column, 30u);
  EXPECT_THAT(flow.what(), HasSubstr("duplicate key 'size' (first at line 2, column 18)"));
  std::string many = "params:\n";
  for (int i = 0; i < 100; ++i)
    many += "  k" + std::to_string(i) + ": " + std::to_string(i) + "\n";
  many += "  k57: 1\n";
  const YamlError large = error_of(many);
  EXPECT_EQ(large.line, 102u);
  EXPECT_THAT(large.what(), HasSubstr("duplicate key 'k57' (first at line 59, column 3)"));
  // The same key in two mappings, and the same text as a key and as a value, are no duplicates.
  const YamlDocument fine("a: {k: 1}\nb: {k: a}\n");
  EXPECT_EQ(entries_of(fine.root()).size(), 2u);
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

TEST(YamlDocument, EmptyTextIsANullDocumentAndASecondDocumentIsRefused) {
  EXPECT_TRUE(YamlDocument("").root().is_null());
  EXPECT_TRUE(YamlDocument("# only a comment\n").root().is_null());
  EXPECT_EQ(YamlDocument("--- 1\n...\n").root().scalar(), "1");
  const YamlError second = error_of("--- 1\n--- 2\n");
  EXPECT_EQ(second.line, 2u);
  EXPECT_THAT(second.what(), HasSubstr("a second YAML document"));
}

TEST(YamlDocument, BytesThatAreNotUtf8AreRefusedWhereTheyAre) {
  const YamlError error = error_of("steps:\n  - a: 1\n# caf\xe9\n");
  EXPECT_EQ(error.line, 3u);
  EXPECT_EQ(error.column, 6u);
  EXPECT_THAT(error.what(), HasSubstr("UTF-8"));
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
