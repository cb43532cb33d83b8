#include <gtest/gtest.h>

#include <fstream>

#include <iocell/core/config_store.hpp>

#include "support/temp_dir.hpp"

using namespace iocell::core;

TEST(ConfigStore, RoundTripAndAtomicReplace) {
  iocell::test::TempDir dir;
  auto file = dir.path() / "config.json";
  EXPECT_TRUE(read_config(file).empty());
  write_config(file, {{"tag", "www"}, {"notes", "a \"quoted\" = value"}});
  auto v = read_config(file);
  EXPECT_EQ(v.at("tag"), "www");
  EXPECT_EQ(v.at("notes"), "a \"quoted\" = value");
  write_config(file, {{"tag", "www2"}});
  EXPECT_EQ(read_config(file).at("tag"), "www2");
  // No temporary files are left behind.
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1);
  EXPECT_EQ(std::filesystem::status(file).permissions() & std::filesystem::perms::others_read, std::filesystem::perms::none);
}

TEST(ConfigStore, CorruptFileNamesTheFile) {
  iocell::test::TempDir dir;
  auto file = dir.path() / "config.json";
  std::ofstream(file) << "{ not json";
  try {
    read_config(file);
    FAIL() << "corrupt file accepted";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos);
  }
}

TEST(ConfigStore, WriteRefusesToFollowASymlinkedTemp) {
  iocell::test::TempDir dir;
  auto file = dir.path() / "defaults.json";
  write_file_atomic(file, "{}");
  EXPECT_EQ(read_file(file), "{}");
  // Replacing a symlink replaces the link, not its target.
  auto victim = dir.path() / "victim";
  std::ofstream(victim) << "untouched";
  std::filesystem::remove(file);
  std::filesystem::create_symlink(victim, file);
  write_file_atomic(file, "new");
  EXPECT_EQ(read_file(victim), "untouched");
  EXPECT_FALSE(std::filesystem::is_symlink(file));
}
