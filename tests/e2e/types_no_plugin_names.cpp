// The core and the CLI dispatch: no component name a plugin registers and no
// backend command appears as a string in core/ or cli/, outside the
// property table's documented defaults and the exceptions listed here with
// their reason. A new jail type, storage or runtime then needs no edit there.
#include <gtest/gtest.h>
#include <sys/vfs.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "support/run_iocell.hpp"
#include "support/storage_fixture.hpp"

namespace fs = std::filesystem;

namespace {

// Commands the shipped backends run.
const std::set<std::string> kBackendCommands = {"zfs",   "zpool",         "btrfs",          "jail", "jexec",
                                                 "jls",   "rctl",          "ifconfig",       "route", "mount_nullfs",
                                                 "devfs", "mount_unionfs", "freebsd-update", "pkg",  "ip",
                                                 "nsenter", "unshare",     "umount",         "mount", "pfctl", "nft"};

// (file, literal): why it stays.
const std::map<std::pair<std::string, std::string>, const char*> kExceptions = {
    {{"core/src/ops/migrate.cpp", "jail"}, "iocage 1.x's type name, read from its config"},
    {{"core/src/ops/migrate_map.cpp", "jail"}, "the legacy tools' type vocabulary, translated"},
    {{"core/src/ops/migrate_map.cpp", "thickjail"}, "the legacy tools' type vocabulary, translated"},
    {{"core/src/ops/migrate_map.cpp", "clonejail"}, "the legacy tools' type vocabulary, translated"},
    {{"core/src/ops/migrate_map.cpp", "basejail"}, "the legacy tools' type vocabulary, translated"},
    {{"core/src/ops/migrate_map.cpp", "emptyjail"}, "the legacy tools' type vocabulary, translated"},
    {{"core/src/release/fetch.cpp", "pkgbase"}, "the download directory of that build"},
    {{"cli/commands/fetch.cpp", "pkgbase"}, "the documented fetch pkgbase=yes|no option"},
    {{"core/src/ops/lifecycle.cpp", "jail"}, "the label of an undo step in a message"},
    {{"core/src/plugin_index.cpp", "dir"}, "a keyword of the plugin index file format"},
    {{"cli/commands/manpage.cpp", "jail"}, "a word ending, recognising documented names"},
    {{"cli/commands/transfer.cpp", "zfs"}, "the documented export --zfs option"},
    {{"core/src/oci/spec.cpp", "mount"}, "an OCI runtime spec namespace type"},
    {{"core/src/oci/spec.cpp", "cgroup"}, "an OCI runtime spec namespace and mount type"},
    {{"core/src/oci/spec.cpp", "jail"}, "the OCI runtime spec's freebsd.jail field"},
    {{"cli/oci_runtime.cpp", "cgroup"}, "the OCI features document's linux.cgroup field"},
    {{"core/src/ops/import_foreign.cpp", "zfs"}, "iocage and Bastille export zfs send streams: the format's name"},
};

std::string without_comments(const std::string& line) {
  // Good enough for this tree: no "//" inside the string literals scanned.
  const auto at = line.find("//");
  return at == std::string::npos ? line : line.substr(0, at);
}

}  // namespace

TEST(TypesNoPluginNames, CoreAndCliNameNoComponentOrBackendCommand) {
  iocell::test::storage::ScratchDir scratch("types-names");
  auto r = iocell::test::run_iocell(scratch.path() / "iocell", {"plugins", "--json"}, {{"IOCELL_STORAGE", "dir"}});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  std::set<std::string> names = kBackendCommands;
  for (const auto& p : j["plugins"]) {
    names.insert(p["name"].get<std::string>());
    for (const auto& c : p["provides"]) names.insert(c["name"].get<std::string>());
  }
  ASSERT_TRUE(names.count("thickjail") && names.count("linux-ns") && names.count("dir")) << r.out;

  const fs::path src(IOCELL_SOURCE_DIR);
  static const std::regex literal(R"re("((?:[^"\\]|\\.)*)")re");
  std::ostringstream found;
  std::set<std::pair<std::string, std::string>> used;
  size_t files = 0;
  for (const char* top : {"core", "cli"}) {
    for (const auto& e : fs::recursive_directory_iterator(src / top)) {
      const auto ext = e.path().extension();
      if (ext != ".cpp" && ext != ".hpp") continue;
      const std::string rel = fs::relative(e.path(), src).string();
      // The documented defaults, and the man page that documents the shipped plugins.
      if (rel == "core/src/property_table.cpp" || rel == "cli/commands/manpage_text.hpp") continue;
      ++files;
      std::ifstream in(e.path());
      int n = 0;
      for (std::string line; std::getline(in, line);) {
        ++n;
        const std::string code = without_comments(line);
        for (std::sregex_iterator it(code.begin(), code.end(), literal), end; it != end; ++it) {
          const std::string lit = (*it)[1];
          if (!names.count(lit)) continue;
          if (kExceptions.count({rel, lit})) used.insert({rel, lit});
          else found << rel << ":" << n << ": \"" << lit << "\"\n";
        }
      }
    }
  }
  EXPECT_GT(files, 50u);
  EXPECT_EQ(found.str(), "") << "ask the plugins (traits, probe, names()) instead of naming them";
  for (const auto& [where, why] : kExceptions)
    EXPECT_TRUE(used.count(where)) << where.first << ": \"" << where.second << "\" is listed as an exception but no longer there";
}

// Without --storage, a new root asks every storage plugin how well it serves
// the directory: on anything but btrfs only dir answers.
TEST(TypesNoPluginNames, AFreshRootTakesTheStorageThatProbesBest) {
  iocell::test::storage::ScratchDir scratch("types-probe");
  const fs::path root = scratch.path() / "iocell";
  auto r = iocell::test::run_iocell(root, {"create", "-e", "tag=probe"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream in(root / "iocell.json");
  const auto j = nlohmann::json::parse(in);
  struct statfs st {};
  ASSERT_EQ(::statfs(scratch.path().c_str(), &st), 0);
  const bool on_btrfs = static_cast<unsigned long>(st.f_type) == 0x9123683EUL;  // BTRFS_SUPER_MAGIC
  EXPECT_EQ(j.value("storage", ""), on_btrfs ? "btrfs" : "dir") << j.dump();
}
