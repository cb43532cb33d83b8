// The tag index (tags/ in the root): kept by every command that gives a jail
// a tag, ignored where stale, rebuilt when missing or by `clean`, and never
// followed.
#include <unistd.h>

#include "support/data_e2e.hpp"

using iocell::test::trim;

namespace {

namespace fs = std::filesystem;

class TagIndexE2E : public iocell::test::data::DataE2E {
 protected:
  fs::path link(const std::string& tag) const { return root / "tags" / tag; }
  std::string link_text(const std::string& tag) const {
    std::error_code ec;
    if (!fs::is_symlink(fs::symlink_status(link(tag), ec))) return "";
    return fs::read_symlink(link(tag), ec).string();
  }
  void rewrite_tag(const std::string& uuid, const std::string& from, const std::string& to) {
    const fs::path cfg = home(uuid) / "config.json";
    std::ifstream in(cfg);
    std::stringstream text;
    text << in.rdbuf();
    std::string s = text.str();
    const std::string old = "\"tag\": \"" + from + "\"";
    const auto at = s.find(old);
    ASSERT_NE(at, std::string::npos) << s;
    s.replace(at, old.size(), "\"tag\": \"" + to + "\"");
    std::ofstream(cfg, std::ios::trunc) << s;
  }
};

TEST_F(TagIndexE2E, EveryWayToTagAJailKeepsItsLink) {
  fetch();
  const std::string www = create({"tag=www"});
  EXPECT_EQ(link_text("www"), www);
  EXPECT_TRUE(fs::exists(root / "tags" / ".complete"));
  EXPECT_EQ(fs::status(root / "tags").permissions() & fs::perms::all, fs::perms::owner_all);

  ok({"set", "tag=web", "www"});
  EXPECT_EQ(link_text("web"), www);
  EXPECT_EQ(link_text("www"), "") << "the old tag's link goes with it";

  const std::string copy = uuid_in(ok({"clone", "web", "tag=copy"}).out);
  EXPECT_EQ(link_text("copy"), copy);

  ok({"export", "copy"});
  ok({"destroy", "-f", "copy"});
  const auto imported = ok({"import", copy.substr(0, 8), "tag=back"});
  EXPECT_EQ(link_text("back"), uuid_in(imported.out));

  // A template moves to templates/: the link holds a UUID, not a path.
  ok({"set", "template=yes", "web"});
  EXPECT_EQ(link_text("web"), www);
  auto dup = run({"create", "-e", "tag=web"});
  EXPECT_EQ(dup.code, 1) << dup.err;
  EXPECT_NE(dup.err.find("already used"), std::string::npos) << dup.err;
}

TEST_F(TagIndexE2E, TakenTagsAreRefusedWithTheIndexAndWithoutIt) {
  create({"-e", "tag=www"});
  auto again = run({"create", "-e", "tag=www"});
  EXPECT_EQ(again.code, 1) << again.err;
  // An index lost (a root from an older iocell, a restore) is rebuilt from
  // the configs on the next check, which still refuses.
  fs::remove_all(root / "tags");
  again = run({"create", "-e", "tag=www"});
  EXPECT_EQ(again.code, 1) << again.err;
  EXPECT_FALSE(link_text("www").empty()) << "rebuilt";
  EXPECT_EQ(jails().size(), 1u);
}

TEST_F(TagIndexE2E, StaleLinksDoNotHoldATag) {
  const std::string a = create({"-e", "tag=alpha"});
  ok({"destroy", "-f", "alpha"});
  // The destroyed jail's link may remain (destroy leaves it to clean); it
  // names no jail and does not hold the tag.
  const std::string b = create({"-e", "tag=alpha"});
  EXPECT_EQ(link_text("alpha"), b);

  // A crash between the link and the publication of the jail.
  fs::create_symlink("01234567-89ab-4cde-8f01-23456789abcd", link("ghost"));
  create({"-e", "tag=ghost"});
  EXPECT_NE(link_text("ghost"), "01234567-89ab-4cde-8f01-23456789abcd");
  (void)a;
}

TEST_F(TagIndexE2E, AConfigEditedByHandIsIndexedByClean) {
  const std::string u = create({"-e", "tag=before"});
  rewrite_tag(u, "before", "after");
  // The link for "before" is stale now: the tag is free.
  create({"-e", "tag=before"});
  // "after" has no link yet: clean links it and drops what is stale.
  const auto cleaned = ok({"clean"});
  EXPECT_EQ(link_text("after"), u);
  auto dup = run({"create", "-e", "tag=after"});
  EXPECT_EQ(dup.code, 1) << dup.err;
}

TEST_F(TagIndexE2E, ALinkIsReadAsAUuidAndNeverFollowed) {
  create({"-e", "tag=first"});
  fs::create_symlink("/etc", link("www"));
  fs::create_symlink("../jails", link("up"));
  const std::string u = create({"-e", "tag=www"});
  EXPECT_EQ(link_text("www"), u);
  create({"-e", "tag=up"});
  EXPECT_TRUE(fs::exists("/etc/passwd"));
  ok({"clean"});
  for (const auto& e : fs::directory_iterator(root / "tags")) {
    if (e.path().filename() == ".complete") continue;
    EXPECT_EQ(trim(link_text(e.path().filename().string())).size(), 36u) << e.path();
  }
}

TEST_F(TagIndexE2E, ADryRunWritesNoLink) {
  ok({"--dry-run", "create", "-e", "tag=maybe"});
  EXPECT_EQ(link_text("maybe"), "");
  EXPECT_TRUE(jails().empty());
}

}  // namespace
