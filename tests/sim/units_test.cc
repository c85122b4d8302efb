#include "sim/params/units.h"

#include <gtest/gtest.h>

namespace zxvp {
namespace {

uint64_t parsed(std::string_view text) {
  std::string why;
  const auto value = parse_unsigned(text, why);
  EXPECT_TRUE(value.has_value()) << text << ": " << why;
  return value.value_or(0);
}

std::string refusal(std::string_view text) {
  std::string why;
  EXPECT_FALSE(parse_unsigned(text, why).has_value()) << text;
  return why;
}

TEST(Units, DecimalHexAndBinaryUnits) {
  EXPECT_EQ(parsed("0"), 0u);
  EXPECT_EQ(parsed("4096"), 4096u);
  EXPECT_EQ(parsed("0x1000"), 4096u);
  EXPECT_EQ(parsed("0xFFFFFFFFFFFFFFFF"), UINT64_MAX);
  EXPECT_EQ(parsed("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(parsed("4KiB"), 4096u);
  EXPECT_EQ(parsed("2 MiB"), 2 * MiB);
  EXPECT_EQ(parsed("64GiB"), 64 * GiB);
  EXPECT_EQ(parsed("1TiB"), TiB);
  EXPECT_EQ(parsed("12B"), 12u);
}

TEST(Units, RefusesSignsOverflowAndUnknownUnits) {
  EXPECT_NE(refusal("-1").find("negative"), std::string::npos);
  EXPECT_NE(refusal("18446744073709551616").find("64 bits"), std::string::npos);
  EXPECT_NE(refusal("0x10000000000000000").find("64 bits"), std::string::npos);
  EXPECT_NE(refusal("16777216TiB").find("64 bits"), std::string::npos);
  EXPECT_NE(refusal("4KB").find("unknown unit 'KB'"), std::string::npos);
  EXPECT_NE(refusal("0x10KiB").find("hex"), std::string::npos);
  EXPECT_NE(refusal("").find("empty"), std::string::npos);
  EXPECT_NE(refusal("abc").find("not an unsigned integer"), std::string::npos);
}

TEST(Units, RealsAndBooleans) {
  std::string why;
  EXPECT_DOUBLE_EQ(parse_real("45.5", why).value(), 45.5);
  EXPECT_FALSE(parse_real("45.5ns", why).has_value());
  EXPECT_TRUE(parse_bool("true", why).value());
  EXPECT_FALSE(parse_bool("off", why).value());
  EXPECT_FALSE(parse_bool("maybe", why).has_value());
}

TEST(Units, FormatsBytesWithTheLargestExactUnit) {
  EXPECT_EQ(format_bytes(64 * GiB), "64GiB");
  EXPECT_EQ(format_bytes(4096), "4KiB");
  EXPECT_EQ(format_bytes(4097), "4097 B");
  EXPECT_EQ(format_bytes(1536 * KiB), "1536KiB");
}

}  // namespace
}  // namespace zxvp
