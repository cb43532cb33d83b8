// The plugin index's line format: what is written reads back the same, odd
// bytes included, and damaged or foreign text is refused as a whole.
#include <gtest/gtest.h>

#include <iocell/core/plugin_index.hpp>
#include <iocell/sdk/plugin.hpp>

namespace iocell::core {
namespace {

PluginIndex sample() {
  PluginIndex index;
  index.exe = "2049:1234:5308923:1795952673.6";
  IndexedDir build{"/opt/my plugins/100%", "12:1700000000.5", {}};
  IndexedPlugin zfs;
  zfs.path = "/opt/my plugins/100%/iocell-zfs.so";
  zfs.key = "4096:1700000000.25";
  zfs.name = "zfs";
  zfs.version = "";  // an empty field
  zfs.os = 1;
  zfs.provides = {{"storage", "zfs"}, {"jail-type", "-"}};
  build.files.push_back(zfs);
  IndexedPlugin odd;
  odd.path = "/opt/my plugins/100%/iocell-odd\nname\t.so";
  odd.key = "1:2";
  odd.skipped = "not an iocell plugin (no iocell_plugin_v1 symbol)";
  build.files.push_back(odd);
  index.dirs.push_back(build);
  index.dirs.push_back(IndexedDir{"/usr/lib/iocell/plugins", "", {}});  // listed again next time
  return index;
}

void expect_same(const PluginIndex& a, const PluginIndex& b) {
  EXPECT_EQ(a.exe, b.exe);
  ASSERT_EQ(a.dirs.size(), b.dirs.size());
  for (size_t d = 0; d < a.dirs.size(); ++d) {
    EXPECT_EQ(a.dirs[d].path, b.dirs[d].path);
    EXPECT_EQ(a.dirs[d].key, b.dirs[d].key);
    ASSERT_EQ(a.dirs[d].files.size(), b.dirs[d].files.size());
    for (size_t f = 0; f < a.dirs[d].files.size(); ++f) {
      const auto &x = a.dirs[d].files[f], &y = b.dirs[d].files[f];
      EXPECT_EQ(x.path, y.path);
      EXPECT_EQ(x.key, y.key);
      EXPECT_EQ(x.skipped, y.skipped);
      EXPECT_EQ(x.name, y.name);
      EXPECT_EQ(x.version, y.version);
      EXPECT_EQ(x.os, y.os);
      EXPECT_EQ(x.provides, y.provides);
    }
  }
}

TEST(PluginIndex, ReadsBackWhatItWrites) {
  const std::string text = serialize_plugin_index(sample());
  auto back = parse_plugin_index(text);
  ASSERT_TRUE(back) << text;
  expect_same(sample(), *back);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 8) << "one line per record, no line break inside one:\n" << text;
  EXPECT_EQ(back->file("/opt/my plugins/100%/iocell-zfs.so")->name, "zfs");
  EXPECT_EQ(back->dir("/usr/lib/iocell/plugins")->key, "");
  EXPECT_EQ(back->file("/nowhere"), nullptr);
}

TEST(PluginIndex, AnEmptyIndexIsValid) {
  auto back = parse_plugin_index(serialize_plugin_index(PluginIndex{}));
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->dirs.empty());
}

TEST(PluginIndex, DamagedOrForeignTextIsRefused) {
  const std::string good = serialize_plugin_index(sample());
  EXPECT_FALSE(parse_plugin_index(""));
  EXPECT_FALSE(parse_plugin_index("{\"abi\":2,\"files\":{}}\n")) << "the JSON index of iocell 0.1";
  EXPECT_FALSE(parse_plugin_index(good.substr(0, good.size() - 1))) << "cut in the middle of a line";
  const std::string header = good.substr(0, good.find('\n') + 1);
  const std::string other_abi = "iocell-plugin-index abi=" + std::to_string(IOCELL_PLUGIN_ABI_VERSION + 1) +
                                header.substr(header.find(" toolchain="));
  EXPECT_FALSE(parse_plugin_index(other_abi + good.substr(header.size()))) << other_abi;
  for (const std::string& line : {"plugin 1:2 2 x 1.0 /p/iocell-x.so\n",                  // before any dir
                                  "dir 1:2 /p\nplugin 1:2 two x 1.0 /p/iocell-x.so\n",    // os not a number
                                  "dir 1:2 /p\nplugin 1:2 2 x 1.0\n",                     // a field missing
                                  "dir 1:2 /p%2\n",                                       // escape cut short
                                  "dir 1:2 /p%zz\n",                                      // not hex
                                  "dir 1:2 /p\nprovides storage x\n",                     // no plugin before
                                  "dir 1:2 /p\nskipped 1:2 /p/iocell-x.so -\n",           // no reason
                                  "dir 1:2 /p\nwhatever\n"})
    EXPECT_FALSE(parse_plugin_index(header + line)) << line;
}

}  // namespace
}  // namespace iocell::core
