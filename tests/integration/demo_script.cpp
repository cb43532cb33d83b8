// docs/demo.sh, the README's demo, runs whole with the built binary: the
// forwarded port answers the client namespace, and the host's own network
// namespace gains no nftables table (the demo's network lives in a
// namespace it makes and drops).
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <string>

#include <iocell/core/runners.hpp>

#include "support/linux_env.hpp"
#include "support/temp_dir.hpp"

namespace iocell::test {
namespace {

TEST(DemoScript, RunsWholeAndForwardsAPortWithoutTouchingTheHostsTables) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (namespaces, mounts)";
  if (busybox_path().empty()) GTEST_SKIP() << "needs busybox-static";
  core::PosixRunner runner;
  if (!runner.run(sdk::Command({"nft", "--version"})).ok()) GTEST_SKIP() << "needs nft";
  const std::string tables_before = runner.run(sdk::Command({"nft", "list", "tables"})).out;

  TempDir dir("iocell-demo-test");
  sdk::Command demo({"sh", std::string(IOCELL_SOURCE_DIR) + "/docs/demo.sh", IOCELL_BINARY});
  demo.env["IOCELL_DEMO_DIR"] = (dir.path() / "demo").string();
  demo.timeout = std::chrono::seconds(400);
  const auto r = runner.run(demo);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  // A line of its own: the page fetched through the forward, not the echoed command that wrote it.
  EXPECT_NE(r.out.find("\nserved by web1\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("tcp(ext0|192.0.2.1):8080->80"), std::string::npos) << "list shows the forward:\n" << r.out;
  EXPECT_EQ(runner.run(sdk::Command({"nft", "list", "tables"})).out, tables_before);

  // The demo's thin jails keep their roots mounted while they exist.
  sdk::Command unmount({"sh", "-c", "awk -v d=\"$1/\" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r | "
                                    "while read -r m; do umount \"$m\"; done", "sh", dir.path().string()});
  runner.run(unmount);
}

}  // namespace
}  // namespace iocell::test
