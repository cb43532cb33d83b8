// rc.d/iocell's rcorder(8) header: every REQUIRE word must be the PROVIDE of
// a FreeBSD rc.d script, spelled as that script spells it (rcorder compares
// names case-sensitively; an unknown name is only a warning, and the script
// is then ordered as if the requirement did not exist).
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace {

std::string rc_header_line(const std::string& keyword) {
  std::ifstream in(std::string(IOCELL_SOURCE_DIR) + "/rc.d/iocell");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("# " + keyword + ":", 0) == 0) return line.substr(keyword.size() + 3);
  return "";
}

TEST(RcScript, RequiresOnlyProvidersFreebsdHas) {
  // PROVIDE lines of libexec/rc/rc.d/{LOGIN,cleanvar,sshd,zfs}.
  const std::set<std::string> provided = {"LOGIN", "cleanvar", "sshd", "zfs"};
  std::istringstream words(rc_header_line("REQUIRE"));
  int n = 0;
  for (std::string w; words >> w; ++n) EXPECT_TRUE(provided.count(w)) << "no FreeBSD rc.d script provides '" << w << "'";
  EXPECT_EQ(n, 4);
}

}  // namespace
