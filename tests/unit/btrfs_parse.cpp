// Parsers of the btrfs backend: quota sizes and `btrfs qgroup show -reF --raw`.
#include <gtest/gtest.h>

#include "btrfs_qgroup.hpp"

namespace {

using iocell::plugins::btrfs::format_size;
using iocell::plugins::btrfs::parse_qgroup_show;
using iocell::plugins::btrfs::parse_size;

TEST(BtrfsParse, Sizes) {
  EXPECT_EQ(parse_size("quota", "4G"), 4ull << 30);
  EXPECT_EQ(parse_size("quota", "512m"), 512ull << 20);
  EXPECT_EQ(parse_size("quota", "1048576"), 1048576ull);
  EXPECT_EQ(parse_size("quota", "2T"), 2ull << 40);
  EXPECT_FALSE(parse_size("quota", "none").has_value());
  EXPECT_FALSE(parse_size("quota", "0").has_value());
  for (const char* bad : {"", "G", "4GB", "4.5G", "-1", "lots", "4X", "99999999999999999999"})
    EXPECT_THROW(parse_size("quota", bad), std::invalid_argument) << bad;
  EXPECT_THROW(parse_size("quota", "17000000000E"), std::invalid_argument);
}

TEST(BtrfsParse, SizesShowAsSetTookThem) {
  EXPECT_EQ(format_size(100ull << 20), "100M");
  EXPECT_EQ(format_size(1536ull << 20), "1536M");
  EXPECT_EQ(format_size(4ull << 30), "4G");
  EXPECT_EQ(format_size(1000), "1000");
  EXPECT_EQ(format_size(3ull << 60), "3E");
  for (const char* v : {"100M", "4G", "1536M", "123456", "7K"}) EXPECT_EQ(format_size(*parse_size("quota", v)), v);
}

TEST(BtrfsParse, QgroupShow) {
  const std::string out =
      "Qgroupid    Referenced    Exclusive  Max referenced  Max exclusive   Path \n"
      "--------    ----------    ---------  --------------  -------------   ---- \n"
      "0/5              16384        16384            none           none   <toplevel>\n"
      "0/256          3162112        16384            none           none   a\n"
      "0/257          3162112        49152            none       10485760   b\n";
  auto b = parse_qgroup_show(out, 257);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->referenced, 3162112u);
  EXPECT_EQ(b->exclusive, 49152u);
  EXPECT_FALSE(b->max_referenced.has_value());
  ASSERT_TRUE(b->max_exclusive.has_value());
  EXPECT_EQ(*b->max_exclusive, 10485760u);
  auto a = parse_qgroup_show(out, 256);
  ASSERT_TRUE(a.has_value());
  EXPECT_FALSE(a->max_exclusive.has_value());
  EXPECT_FALSE(parse_qgroup_show(out, 25).has_value()) << "0/25 is not 0/256";
  EXPECT_FALSE(parse_qgroup_show("", 256).has_value());
}

}  // namespace
