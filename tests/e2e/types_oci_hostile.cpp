// Hostile OCI images (tests/data/hostile-oci/, made by make-corpus.py):
// `create type=oci` refuses each one, names what is at fault, writes nothing
// outside the new jail's root and keeps no half-made jail.
//
// One test walks the whole corpus: the images name fixed host paths under
// /tmp, which parallel test processes must not share.
#include <sys/stat.h>

#include "support/hostile_e2e.hpp"

using iocell::test::storage::read;
using iocell::test::storage::write;
namespace fs = std::filesystem;

namespace {


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

class TypesOciHostileE2E : public iocell::test::data::HostileCorpusE2E {
 protected:
  TypesOciHostileE2E() : HostileCorpusE2E("/tmp/iocell-oci-hostile") {}
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
    expect_host_untouched(c.file);
    expect_no_new_jail(before, c.file);
  }
  EXPECT_TRUE(fs::exists(home(keeper) / "config.json"));
  // The same first layer under a harmless second one is accepted: each
  // refusal above is for the hostile part.
  const std::string u = create({"type=oci", "image=oci-archive:" + (corpus / "control.tar").string(), "tag=control"});
  EXPECT_EQ(read(jail_root(u) / "etc/other"), "x\n");
  EXPECT_EQ(read(jail_root(u) / "etc/victim"), "lower layer\n");
}

}  // namespace
