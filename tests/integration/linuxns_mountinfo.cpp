// What a Linux jail sees of the mounts (docs/security.md, "What a jail sees
// of the host's mounts"): only its own, at jail paths; the one host path
// that shows is where its root lives, in the root field of "/".
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/linux_world.hpp"

namespace iocell::test {
namespace {

struct MountLine {
  std::string root, point, fstype;
};

// mountinfo(5): ID PARENT MAJ:MIN ROOT POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER
std::vector<MountLine> parse_mountinfo(const std::string& text) {
  std::vector<MountLine> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream f(line);
    std::string id, parent, dev, root, point, opts, word;
    f >> id >> parent >> dev >> root >> point >> opts;
    while (f >> word && word != "-") {
    }
    std::string fstype;
    f >> fstype;
    out.push_back({root, point, fstype});
  }
  return out;
}

TEST(LinuxNsMountinfo, AJailSeesOnlyItsOwnMountsAtJailPaths) {
  IOCELL_REQUIRE_LINUX_WORLD();
  LinuxWorld w;
  TestJail j(w, w.make_spec("11111111-aaaa-4bbb-8ccc-0000000000e1"));
  j.start();
  ASSERT_TRUE(j.state);
  const auto lines = parse_mountinfo(j.out({"cat", "/proc/self/mountinfo"}));
  ASSERT_FALSE(lines.empty());

  const std::string host_root = j.spec.root.string();
  bool saw_root = false;
  for (const auto& m : lines) {
    // Mount points are the jail's paths; none of the host's other mounts
    // (its /, /proc, the test's own) is listed.
    EXPECT_EQ(m.point.rfind(host_root, 0), std::string::npos) << m.point;
    const bool jail_path = m.point == "/" || m.point.rfind("/proc", 0) == 0 || m.point.rfind("/dev", 0) == 0 || m.point == "/tmp";
    EXPECT_TRUE(jail_path) << "a mount the jail should not have: " << m.point;
    if (m.point != "/") {
      // What iocell mounts inside comes from fresh filesystems or the
      // jail's own /proc and /dev: no host path in their root field.
      EXPECT_EQ(m.root.find(host_root), std::string::npos) << m.point << " shows " << m.root;
      continue;
    }
    saw_root = true;
    // The jail root is a bind of a directory: the kernel shows the
    // directory's path inside its filesystem, which is the host path of
    // the jail root when that filesystem is mounted at the host's /.
    EXPECT_NE(m.root, "/");
    EXPECT_TRUE(host_root.size() >= m.root.size() && host_root.compare(host_root.size() - m.root.size(), m.root.size(), m.root) == 0)
        << m.root << " is not the end of " << host_root;
  }
  EXPECT_TRUE(saw_root);
}

}  // namespace
}  // namespace iocell::test
