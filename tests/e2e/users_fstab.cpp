// iocell fstab: list, add, remove and edit a jail's fstab, every entry
// checked (source on the host, mount point inside the jail and through no
// link it planted) before the file changes; the entries mount at start.
#include <gtest/gtest.h>
#include <unistd.h>

#include "support/data_e2e.hpp"

namespace {

namespace fs = std::filesystem;
using iocell::test::data::DataE2E;
namespace st = iocell::test::storage;

class FstabE2E : public DataE2E {
 protected:
  void SetUp() override {
    DataE2E::SetUp();
    fetch();
    uuid = create({"tag=files"});
    shared = scratch.path() / "shared";
    st::write(shared / "data.txt", "from the host\n");
  }
  std::string fstab() { return st::read(home(uuid) / "fstab"); }

  std::string uuid;
  fs::path shared;
};

TEST_F(FstabE2E, AddListRemoveWithEveryEntryChecked) {
  ok({"fstab", "-a", "files", shared.string(), "/mnt/shared"});
  const std::string line = fstab();
  EXPECT_EQ(line, shared.string() + "\t" + (jail_root(uuid) / "mnt/shared").string() + "\tnullfs\tro\t0\t0\n")
      << "the mount point is written as the host path jail(8) needs";
  ok({"fstab", "-a", "files", "tmpfs /tmp tmpfs rw,mode=1777 0 0"});  // one quoted line works too
  const std::string listed = ok({"fstab", "-H", "files"}).out;
  EXPECT_EQ(listed, "1\t" + shared.string() + "\t/mnt/shared\tnullfs\tro\n2\ttmpfs\t/tmp\ttmpfs\trw,mode=1777\n");
  EXPECT_NE(ok({"fstab", "--json", "files"}).out.find("\"mountpoint\": \"/mnt/shared\""), std::string::npos);

  const std::string before = fstab();
  const auto refused = [&](std::vector<std::string> args, int code, const std::string& says) {
    auto r = run(args);
    EXPECT_EQ(r.code, code) << r.err;
    EXPECT_NE(r.err.find(says), std::string::npos) << r.err;
    EXPECT_EQ(fstab(), before) << "a refused change leaves the file as it was";
  };
  refused({"fstab", "-a", "files", "/no/such/dir", "/mnt/x"}, 3, "does not exist on the host");
  refused({"fstab", "-a", "files", shared.string(), "/../../etc"}, 2, "leaves the jail's root");
  refused({"fstab", "-a", "files", shared.string(), "mnt/rel"}, 2, "absolute path inside the jail");
  refused({"fstab", "-a", "files", shared.string(), "/mnt/shared"}, 1, "already a mount point");
  refused({"fstab", "-a", "files", "a b c d e f g"}, 2, "not 7 fields");
  refused({"fstab", "-a", "files", shared.string(), "/mnt/y", "nullfs", "ro", "zero", "0"}, 2, "numbers");
  refused({"fstab", "-a", "-r", "files", "1"}, 2, "exclude each other");
  // A link the jail planted never becomes a mount point on the host.
  fs::create_symlink("/", jail_root(uuid) / "escape");
  refused({"fstab", "-a", "files", shared.string(), "/escape/srv"}, 1, "symbolic link");

  ok({"fstab", "-r", "files", "/tmp"});
  ok({"fstab", "-r", "files", "1"});
  EXPECT_EQ(ok({"fstab", "-H", "files"}).out, "");
  EXPECT_EQ(run({"fstab", "-r", "files", "1"}).code, 3);
}

TEST_F(FstabE2E, EditIsCheckedBeforeItReplacesTheFile) {
  ok({"fstab", "-a", "files", shared.string(), "/mnt/shared"});
  const std::string before = fstab();
  // An "editor" that writes a bad line: the file stays, the copy is kept.
  const fs::path bad = scratch.path() / "bad-editor";
  st::write(bad, "#!/bin/sh\necho '/nowhere /mnt/n nullfs ro 0 0' >> \"$1\"\n", 0755);
  auto r = iocell::test::run_iocell(root, {"fstab", "-e", "files"}, {{"IOCELL_STORAGE", "dir"}, {"EDITOR", bad.string()}});
  EXPECT_EQ(r.code, 2) << r.err;  // the edit is what was wrong
  EXPECT_NE(r.err.find("/nowhere"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("edited copy"), std::string::npos) << r.err;
  EXPECT_EQ(fstab(), before);

  const fs::path good = scratch.path() / "good-editor";
  st::write(good, "#!/bin/sh\necho 'tmpfs /mnt/t tmpfs rw 0 0' >> \"$1\"\n", 0755);
  iocell::test::expect_success({"fstab", "-e", "files"},
                               iocell::test::run_iocell(root, {"fstab", "-e", "files"}, {{"IOCELL_STORAGE", "dir"}, {"EDITOR", good.string()}}));
  EXPECT_EQ(fstab(), before + "tmpfs\t" + (jail_root(uuid) / "mnt/t").string() + "\ttmpfs\trw\t0\t0\n")
      << "a mount point inside the jail is written as the host path";
  const fs::path short_line = scratch.path() / "short-editor";
  st::write(short_line, "#!/bin/sh\necho 'tmpfs /mnt/u' >> \"$1\"\n", 0755);
  r = iocell::test::run_iocell(root, {"fstab", "-e", "files"}, {{"IOCELL_STORAGE", "dir"}, {"EDITOR", short_line.string()}});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("has 2 fields"), std::string::npos) << r.err;
}

TEST_F(FstabE2E, EntriesMountInsideTheJailAtStart) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: the jail starts for real";
  ok({"fstab", "-a", "files", shared.string(), "/mnt/shared"});
  ok({"start", "files"});
  EXPECT_EQ(ok({"exec", "files", "/bin/cat", "/mnt/shared/data.txt"}).out, "from the host\n");
  EXPECT_NE(ok({"exec", "files", "/bin/sh", "-c", "echo x > /mnt/shared/new 2>&1; echo $?"}).out, "0\n") << "ro by default";
  auto r = ok({"fstab", "-r", "files", "/mnt/shared"});
  EXPECT_NE(r.out.find("applies at its next start"), std::string::npos) << r.out;
  ok({"stop", "files"});
}

}  // namespace
