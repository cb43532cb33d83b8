// podman in a store of the test's own, driving iocell-runtime (or runc):
// vfs storage, cgroupfs, no network, an image imported offline from the
// busybox rootfs. Shared by the integration test and the benchmark (no gtest
// here). The caller enters a network and mount namespace first (PrivateNet):
// podman's and the runtime's state under /run then stays in it.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/fetch_run.hpp"
#include "support/linux_env.hpp"
#include "support/oci_image_builder.hpp"

namespace iocell::test {

inline const char* kPodmanImage = "localhost/iocell-ocirt:1";

/// The link the build makes beside the iocell binary.
inline std::string iocell_runtime_path() { return (std::filesystem::path(IOCELL_BINARY).parent_path() / "iocell-runtime").string(); }

class PodmanWorld {
 public:
  /// `dir` is the test's scratch directory.
  explicit PodmanWorld(std::filesystem::path dir) : m_dir(std::move(dir)) {
    const auto rootfs = m_dir / "rootfs";
    build_busybox_root(rootfs);
    oci::write_tar_of(rootfs, m_dir / "rootfs.tar");
    auto r = podman({"import", (m_dir / "rootfs.tar").string(), kPodmanImage});
    if (r.status != 0) throw std::runtime_error("podman import failed: " + r.err);
  }
  ~PodmanWorld() {
    // Every container of the store goes, whatever the test left running.
    podman({"rm", "--all", "--force", "--time", "0"});
  }
  PodmanWorld(const PodmanWorld&) = delete;
  PodmanWorld& operator=(const PodmanWorld&) = delete;

  /// podman with the store's flags; `runtime` empty: iocell-runtime.
  testing::IocellResult podman(std::vector<std::string> args, const std::string& runtime = "") const {
    const auto flags = base(runtime);
    args.insert(args.begin(), flags.begin(), flags.end());
    return testing::run_program("/usr/bin/podman", args);
  }
  std::vector<std::string> base(const std::string& runtime = "") const {
    return {"--root", (m_dir / "store").string(), "--runroot", (m_dir / "run").string(), "--tmpdir",
            (m_dir / "tmp").string(), "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs",
            "--events-backend", "file", "--runtime", runtime.empty() ? iocell_runtime_path() : runtime};
  }
  /// `run` with the flags these machines need (explicit nofile and nproc).
  static std::vector<std::string> run_args(std::vector<std::string> tail) {
    std::vector<std::string> a{"run", "--network", "none", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"};
    a.insert(a.end(), tail.begin(), tail.end());
    return a;
  }
  const std::filesystem::path& dir() const { return m_dir; }

 private:
  std::filesystem::path m_dir;
};

inline bool podman_usable(std::string& why) {
  if (::geteuid() != 0) why = "needs root";
  else if (::access("/usr/bin/podman", X_OK) != 0) why = "podman is not installed (tests/host-setup.sh)";
  else if (busybox_path().empty()) why = "needs busybox-static";
  return why.empty();
}

}  // namespace iocell::test
