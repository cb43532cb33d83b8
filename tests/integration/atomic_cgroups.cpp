// Cgroups a jail no longer running left behind (a start that failed past
// its undo, a jail destroyed since) go with `clean`; a jail some command is
// working on keeps its groups.
#include <gtest/gtest.h>

#include "cg_layout.hpp"
#include "support/linux_world.hpp"

namespace iocell::test {
namespace {

namespace cg = plugins::cgroup;

std::vector<std::filesystem::path> groups_of(const std::string& uuid) {
  static const cg::Layout layout = cg::host_layout();
  std::vector<std::filesystem::path> out;
  for (const auto* h : layout.used()) out.push_back(cg::jail_group(*h, uuid));
  return out;
}

TEST(AtomicCgroups, CleanRemovesTheEmptyGroupsOfIdleJailsOnly) {
  IOCELL_REQUIRE_LINUX_WORLD();
  LinuxWorld w;
  const std::string left = "44444444-aaaa-4bbb-8ccc-000000000001", busy = "44444444-aaaa-4bbb-8ccc-000000000002";
  auto spec_left = w.make_spec(left), spec_busy = w.make_spec(busy);
  // prepare() makes the groups a start joins; the start then "failed".
  w.limits->prepare(spec_left);
  w.limits->prepare(spec_busy);
  struct Cleanup {
    LinuxWorld& w;
    sdk::JailSpec a, b;
    ~Cleanup() {
      w.limits->remove(a);
      w.limits->remove(b);
    }
  } cleanup{w, spec_left, spec_busy};
  ASSERT_FALSE(groups_of(left).empty()) << "no cgroup hierarchy to test with";
  for (const auto& g : groups_of(left)) ASSERT_TRUE(std::filesystem::is_directory(g)) << g;

  // Only `left` is idle; groups of jails other tests on this host start
  // meanwhile must not be judged here either.
  const auto removed = w.limits->clean_leftovers([&](const std::string& uuid) { return uuid == left; });
  EXPECT_EQ(removed.size(), groups_of(left).size());
  for (const auto& g : groups_of(left)) EXPECT_FALSE(std::filesystem::exists(g)) << "left behind: " << g;
  for (const auto& g : groups_of(busy)) EXPECT_TRUE(std::filesystem::is_directory(g)) << "a busy jail's group went: " << g;
  EXPECT_TRUE(w.limits->clean_leftovers([](const std::string&) { return false; }).empty());
}

}  // namespace
}  // namespace iocell::test
