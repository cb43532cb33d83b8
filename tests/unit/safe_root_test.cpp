#include <gtest/gtest.h>

#include <fstream>

#include <iocell/sdk/safe_root.hpp>

#include "support/temp_dir.hpp"

using iocell::sdk::SafeRoot;

namespace {
std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
}  // namespace

TEST(SafeRoot, WritesInsideAndReplacesAPlantedSymlinkInsteadOfFollowingIt) {
  iocell::test::TempDir host;
  auto root = host.path() / "root";
  std::filesystem::create_directories(root / "etc");
  auto victim = host.path() / "host-passwd";
  std::ofstream(victim) << "host data";
  std::filesystem::create_symlink(victim, root / "etc" / "rc.conf");
  SafeRoot sr(root);
  sr.write_file("etc/rc.conf", "hostname=\"x\"\n");
  EXPECT_EQ(slurp(victim), "host data");
  EXPECT_FALSE(std::filesystem::is_symlink(root / "etc" / "rc.conf"));
  EXPECT_EQ(slurp(root / "etc" / "rc.conf"), "hostname=\"x\"\n");
}

TEST(SafeRoot, RefusesASymlinkedDirectoryComponent) {
  iocell::test::TempDir host;
  auto root = host.path() / "root";
  std::filesystem::create_directories(root);
  std::filesystem::create_directories(host.path() / "outside");
  std::filesystem::create_directory_symlink(host.path() / "outside", root / "etc");
  SafeRoot sr(root);
  EXPECT_THROW(sr.write_file("etc/resolv.conf", "nameserver 1.1.1.1\n"), std::runtime_error);
  EXPECT_FALSE(std::filesystem::exists(host.path() / "outside" / "resolv.conf"));
  EXPECT_THROW(sr.make_dirs("etc/sub"), std::runtime_error);
}

TEST(SafeRoot, RefusesDotDotAndReadsWithoutFollowing) {
  iocell::test::TempDir host;
  auto root = host.path() / "root";
  std::filesystem::create_directories(root / "etc");
  SafeRoot sr(root);
  EXPECT_THROW(sr.write_file("../escape", "x"), std::runtime_error);
  EXPECT_FALSE(std::filesystem::exists(host.path() / "escape"));
  std::ofstream(host.path() / "secret") << "s";
  std::filesystem::create_symlink(host.path() / "secret", root / "etc" / "link");
  std::string content;
  EXPECT_THROW(sr.read_file("etc/link", content), std::runtime_error);
  EXPECT_FALSE(sr.read_file("etc/missing", content));
  sr.make_dirs("a/b/c");
  EXPECT_TRUE(std::filesystem::is_directory(root / "a/b/c"));
}
