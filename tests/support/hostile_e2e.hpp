// The fixture of the hostile-corpus tests (archives and images made by
// tests/data/*/make-corpus.py): a host directory holding a secret that the
// hostile entries aim at, and the check that nothing reached the host.
#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/data_e2e.hpp"

namespace iocell::test::data {

class HostileCorpusE2E : public DataE2E {
 protected:
  /// The corpus names fixed host paths: PREFIX-target (the directory with
  /// the secret), PREFIX-dotdot and PREFIX-absolute (what a traversal or an
  /// absolute entry would create).
  explicit HostileCorpusE2E(const std::string& prefix)
      : target(prefix + "-target"), dotdot(prefix + "-dotdot"), absolute(prefix + "-absolute") {}

  void SetUp() override {
    DataE2E::SetUp();
    fs::remove_all(target);
    fs::create_directories(target);
    storage::write(target / "secret", "host secret\n");
    for (const auto* p : {&dotdot, &absolute}) fs::remove(*p);
  }
  void TearDown() override {
    DataE2E::TearDown();
    fs::remove_all(target);
  }

  static nlink_t links_of(const fs::path& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? st.st_nlink : 0;
  }

  /// Nothing of any archive reached the host.
  void expect_host_untouched(const std::string& what) {
    EXPECT_FALSE(fs::exists(dotdot)) << what;
    EXPECT_FALSE(fs::exists(absolute)) << what;
    EXPECT_FALSE(fs::exists(target / "pwned")) << what;
    EXPECT_EQ(storage::read(target / "secret"), "host secret\n") << what;
    EXPECT_EQ(links_of(target / "secret"), 1u) << what;
    EXPECT_EQ(links_of("/etc/shadow"), shadow_links) << what;
    EXPECT_EQ(links_of("/etc/passwd"), passwd_links) << what;
  }

  /// Only the jails that were there before, and no staging leftovers.
  void expect_no_new_jail(const std::vector<std::string>& before, const std::string& what) {
    EXPECT_EQ(jails(), before) << what;
    for (const auto& e : fs::directory_iterator(root / "jails")) {
      const std::string n = e.path().filename().string();
      EXPECT_NE(n.rfind(".new-", 0), 0u) << what << ": leftover " << n;
    }
  }

  const fs::path target, dotdot, absolute;
  const nlink_t shadow_links = links_of("/etc/shadow");
  const nlink_t passwd_links = links_of("/etc/passwd");
};

}  // namespace iocell::test::data
