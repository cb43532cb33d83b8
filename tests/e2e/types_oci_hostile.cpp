// Hostile OCI images (tests/data/hostile-oci/, made by make-corpus.py):
// `create type=oci` refuses each one, names what is at fault, writes nothing
// outside the new jail's root and keeps no half-made jail.
//
// One test walks the whole corpus: the images name fixed host paths under
// /tmp, which parallel test processes must not share.
#include <sys/stat.h>

#include "support/data_e2e.hpp"

using iocell::test::storage::read;
using iocell::test::storage::write;
namespace fs = std::filesystem;

namespace {

const fs::path kTarget = "/tmp/iocell-oci-hostile-target";

struct Case {
  std::string file;
  std::string fault;  ///< what the refusal must name
};

const std::vector<Case> kCases = {
    {"dotdot.tar", "../"},
    {"absolute.tar", "/tmp/iocell-oci-hostile-absolute"},
    {"symlink-then-write.tar", "etc/evil/pwned"},
    {"symlink-relative-then-write.tar", "lnk/pwned"},
    {"hardlink-absolute.tar", "etc/shadow-link"},
    {"hardlink-dotdot.tar", "etc/passwd-link"},
    {"device-char.tar", "dev/mem2"},
    {"device-block.tar", "var/disk0"},
    {"whiteout-dotdot-name.tar", "etc/.wh.."},
    {"whiteout-dotdot-path.tar", ".wh.secret"},
    {"whiteout-absolute.tar", "/tmp/iocell-oci-hostile-target/.wh.secret"},
    {"whiteout-empty-name.tar", ".wh."},
    {"whiteout-through-symlink.tar", "symbolic link"},
    {"digest-mismatch.tar", "digest mismatch"},
};

nlink_t links_of(const char* path) {
  struct stat st {};
  return ::stat(path, &st) == 0 ? st.st_nlink : 0;
}

class TypesOciHostileE2E : public iocell::test::data::DataE2E {
 protected:
  void SetUp() override {
    DataE2E::SetUp();
    fs::remove_all(kTarget);
    fs::create_directories(kTarget);
    write(kTarget / "secret", "host secret\n");
    for (const char* p : {"/tmp/iocell-oci-hostile-dotdot", "/tmp/iocell-oci-hostile-absolute"}) fs::remove(p);
  }
  void TearDown() override {
    DataE2E::TearDown();
    fs::remove_all(kTarget);
  }

  nlink_t shadow_links = links_of("/etc/shadow");
  nlink_t passwd_links = links_of("/etc/passwd");
};

TEST_F(TypesOciHostileE2E, EveryHostileImageIsRefusedAndLeavesNothing) {
  const std::string keeper = create({"-e", "tag=keeper"});
  const auto before = jails();
  const fs::path corpus = fs::path(IOCELL_TEST_DATA_DIR) / "hostile-oci";
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.file);
    auto r = run({"create", "type=oci", "image=oci-archive:" + (corpus / c.file).string(), "tag=victim"});
    EXPECT_EQ(r.code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find(c.fault), std::string::npos) << "the refusal names the fault: " << r.err;
    EXPECT_FALSE(fs::exists("/tmp/iocell-oci-hostile-dotdot"));
    EXPECT_FALSE(fs::exists("/tmp/iocell-oci-hostile-absolute"));
    EXPECT_FALSE(fs::exists(kTarget / "pwned"));
    EXPECT_EQ(read(kTarget / "secret"), "host secret\n");
    EXPECT_EQ(links_of((kTarget / "secret").c_str()), 1u);
    EXPECT_EQ(links_of("/etc/shadow"), shadow_links);
    EXPECT_EQ(links_of("/etc/passwd"), passwd_links);
    EXPECT_EQ(jails(), before);
    for (const auto& e : fs::directory_iterator(root / "jails"))
      EXPECT_NE(e.path().filename().string().rfind(".new-", 0), 0u) << "leftover " << e.path();
  }
  EXPECT_TRUE(fs::exists(home(keeper) / "config.json"));
  // The same first layer under a harmless second one is accepted: each
  // refusal above is for the hostile part.
  const std::string u = create({"type=oci", "image=oci-archive:" + (corpus / "control.tar").string(), "tag=control"});
  EXPECT_EQ(read(jail_root(u) / "etc/other"), "x\n");
  EXPECT_EQ(read(jail_root(u) / "etc/victim"), "lower layer\n");
}

}  // namespace
