// create type=NAME: every loaded jail type by name, the shorthands as
// aliases, an unknown name refused with the list; what the core asks a
// type (release change, clone type, updates) instead of comparing names.
#include "support/data_e2e.hpp"

using iocell::test::trim;

namespace {

class TypesCreateE2E : public iocell::test::data::DataE2E {};

TEST_F(TypesCreateE2E, AnUnknownTypeIsRefusedWithTheListAndNothingIsMade) {
  auto r = run({"create", "type=nosuchjail", "tag=x"});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("'nosuchjail'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("basejail, clonejail, emptyjail, oci, thickjail"), std::string::npos) << r.err;
  EXPECT_TRUE(jails().empty());
  auto both = run({"create", "-e", "type=thickjail", "tag=y"});
  EXPECT_EQ(both.code, 2) << both.err;
  EXPECT_TRUE(jails().empty());
}

TEST_F(TypesCreateE2E, TypeByNameAndByShorthandAreTheSame) {
  create({"type=emptyjail", "tag=named"});
  EXPECT_EQ(trim(ok({"get", "type", "named"}).out), "emptyjail");
  create({"-e", "tag=short"});
  EXPECT_EQ(trim(ok({"get", "type", "short"}).out), "emptyjail");
  // An empty jail's release is a label: set changes it freely.
  ok({"set", "release=13.2-RELEASE", "named"});
  EXPECT_EQ(trim(ok({"get", "release", "named"}).out), "13.2-RELEASE");
  // Nothing in it to patch.
  auto up = run({"update", "named"});
  EXPECT_NE(up.code, 0);
  EXPECT_NE(up.err.find("emptyjail"), std::string::npos) << up.err;
}

TEST_F(TypesCreateE2E, TheDefaultTypeItsCloneAndItsRelease) {
  fetch();
  create({"tag=thick"});
  EXPECT_EQ(trim(ok({"get", "type", "thick"}).out), "thickjail");
  create({"type=clonejail", "tag=thin"});
  EXPECT_EQ(trim(ok({"get", "type", "thin"}).out), "clonejail");
  ok({"clone", "thick", "tag=copy"});
  EXPECT_EQ(trim(ok({"get", "type", "copy"}).out), "clonejail") << "a thick jail's clone is a clonejail";
  auto rel = run({"set", "release=13.2-RELEASE", "thick"});
  EXPECT_NE(rel.code, 0);
  EXPECT_NE(rel.err.find("upgrade"), std::string::npos) << rel.err;
}

}  // namespace
