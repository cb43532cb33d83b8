// `iocell create type=oci image=...` with the real binary on dir storage: an
// image of the busybox rootfs the other tests use plus a layer with
// whiteouts, as an OCI layout, an oci-archive and a docker-archive; then,
// as root, the jail's whole life (start, exec, snapshot, clone, export).
#include <unistd.h>

#include "support/data_e2e.hpp"
#include "support/fetch_run.hpp"
#include "support/oci_image_builder.hpp"
#include "support/run_iocell.hpp"

namespace {

namespace fs = std::filesystem;
namespace img = iocell::test::oci;
using iocell::test::trim;
using iocell::test::storage::read;
using iocell::testing::Compression;
using iocell::testing::TarEntry;

class TypesOciE2E : public iocell::test::data::DataE2E {
 protected:
  void SetUp() override {
    DataE2E::SetUp();
    const fs::path work = scratch.path() / "image";
    const fs::path rootfs = work / "rootfs";
    iocell::testing::make_busybox_rootfs(rootfs);
    std::ofstream(rootfs / "root/lower-only") << "hidden by the opaque whiteout\n";
    // The second layer changes the first: a new file, a deleted applet, an
    // emptied directory with a new file in it.
    const std::vector<TarEntry> changes = {{TarEntry::File, "etc/motd", "from the image\n"},
                                           {TarEntry::File, "bin/.wh.false", ""},
                                           {TarEntry::Dir, "root", "", "", 0700},
                                           {TarEntry::File, "root/.wh..wh..opq", ""},
                                           {TarEntry::File, "root/.profile", "export PS1=oci\n"}};
    const auto config = img::image_config({{"Cmd", {"/bin/sleep", "1000"}}, {"Env", {"MODE=test"}}, {"WorkingDir", "/root"}});
    img::write_layout(work / "layout",
                      {img::layer_of_dir(work / "base.tar.gz", rootfs, Compression::Gzip),
                       img::layer_of(work / "top.tar.zst", changes, Compression::Zstd)},
                      config, "web");
    layout = work / "layout";
    oci_archive = work / "web.tar";
    img::write_tar_of(layout, oci_archive);
    docker_archive = work / "docker.tar";
    img::write_docker_archive(docker_archive, work / "docker",
                              {img::layer_of_dir(work / "base.tar", rootfs), img::layer_of(work / "top.tar", changes)},
                              config, "busybox:latest");
  }

  void expect_image_tree(const std::string& u) {
    EXPECT_EQ(read(jail_root(u) / "etc/motd"), "from the image\n");
    EXPECT_TRUE(fs::exists(jail_root(u) / "bin/busybox"));
    EXPECT_TRUE(fs::is_symlink(jail_root(u) / "bin/true"));
    EXPECT_FALSE(fs::exists(fs::symlink_status(jail_root(u) / "bin/false"))) << "the whiteout deleted it";
    EXPECT_FALSE(fs::exists(jail_root(u) / "root/lower-only")) << "the opaque directory hid it";
    EXPECT_EQ(read(jail_root(u) / "root/.profile"), "export PS1=oci\n");
    EXPECT_FALSE(fs::exists(jail_root(u) / "root/.wh..wh..opq"));
    EXPECT_FALSE(fs::exists(jail_root(u) / "bin/.wh.false"));
    EXPECT_FALSE(fs::exists(home(u) / ".oci-image")) << "the unpacked archive is removed";
  }

  fs::path layout, oci_archive, docker_archive;
};

TEST_F(TypesOciE2E, EachSourceKindBuildsTheSameTree) {
  const std::vector<std::pair<std::string, std::string>> sources = {
      {"lay", "oci:" + layout.string() + ":web"},
      {"arc", "oci-archive:" + oci_archive.string()},
      {"dock", "docker-archive:" + docker_archive.string() + ":busybox:latest"}};
  for (const auto& [tag, image] : sources) {
    SCOPED_TRACE(image);
    const std::string u = create({"type=oci", "image=" + image, "tag=" + tag});
    expect_image_tree(u);
    EXPECT_EQ(trim(ok({"get", "type", tag}).out), "oci");
    EXPECT_EQ(trim(ok({"get", "image", tag}).out), image);
    EXPECT_EQ(trim(ok({"get", "release", tag}).out), "none") << "no release is needed";
  }
  EXPECT_EQ(jails().size(), 3u);
}

TEST_F(TypesOciE2E, AMissingOrBadImageIsAUsageErrorThatMakesNothing) {
  auto none = run({"create", "type=oci", "tag=noimage"});
  EXPECT_EQ(none.code, 2) << none.err;
  EXPECT_NE(none.err.find("image="), std::string::npos) << none.err;
  for (const std::string bad : std::vector<std::string>{"image=registry:busybox", "image=oci-archive:relative.tar", "image=oci-archive:/nonexistent/x.tar",
                                "image=oci:" + oci_archive.string(), "image=oci-archive:" + layout.string(),
                                "image=oci:" + layout.string() + ":nosuchref"}) {
    auto r = run({"create", "type=oci", bad, "tag=wrong"});
    EXPECT_EQ(r.code, 2) << bad << ": " << r.err;
    EXPECT_NE(r.err.find("image"), std::string::npos) << r.err;
  }
  EXPECT_TRUE(jails().empty());
  for (const auto& e : fs::directory_iterator(root / "jails")) ADD_FAILURE() << "left behind: " << e.path();
}

TEST_F(TypesOciE2E, AnImageJailLivesLikeAnyJail) {
  if (::geteuid() != 0) GTEST_SKIP() << "start, exec, snapshot, clone and export of a running-capable jail need root";
  const std::string u = create({"type=oci", "image=oci-archive:" + oci_archive.string(), "tag=web"});
  // The image's Cmd, Env and WorkingDir became the jail's exec_start.
  const std::string start = ok({"get", "exec_start", "web"}).out;
  EXPECT_NE(start.find("/bin/sleep 1000"), std::string::npos) << start;
  EXPECT_NE(start.find("MODE=test"), std::string::npos) << start;
  EXPECT_NE(start.find("cd /root"), std::string::npos) << start;
  ok({"start", "web"});
  const std::string procs = ok({"exec", "web", "/bin/sh", "-c", "cat /proc/[0-9]*/cmdline | tr '\\0' ' '"}).out;
  EXPECT_NE(procs.find("/bin/sleep 1000"), std::string::npos) << "the image's command runs in the jail: " << procs;
  auto cat = ok({"exec", "web", "/bin/cat", "/etc/motd"});
  EXPECT_NE(cat.out.find("from the image"), std::string::npos) << cat.out;
  ok({"stop", "web"});
  ok({"snapshot", "web@first"});
  ok({"clone", "web@first", "tag=web2"});
  EXPECT_EQ(read_in("web2", "/etc/motd"), "from the image\n");
  ok({"start", "web2"});
  EXPECT_NE(ok({"exec", "web2", "/bin/cat", "/root/.profile"}).out.find("PS1=oci"), std::string::npos);
  ok({"stop", "web2"});
  ok({"export", "web"});
  bool exported = false;
  for (const auto& e : fs::directory_iterator(root / "images"))
    exported = exported || e.path().filename().string().rfind(u + "-oci-", 0) == 0;
  EXPECT_TRUE(exported) << "an image of the jail under images/";
  ok({"destroy", "-f", "web2"});
  ok({"destroy", "-f", "web"});
  EXPECT_TRUE(jails().empty());
}

// An image podman made (imported from the busybox rootfs, saved in both its
// formats), in a podman store of the test's own.
TEST_F(TypesOciE2E, ImagesPodmanSavesBecomeJails) {
  if (::system("command -v podman >/dev/null 2>&1") != 0) GTEST_SKIP() << "podman is not installed";
  const fs::path store = scratch.path() / "podman";
  auto podman = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--root", (store / "root").string(), "--runroot", (store / "run").string(),
                               "--storage-driver", "vfs"});
    auto r = iocell::testing::run_program("podman", args);
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    return r;
  };
  const fs::path rootfs = scratch.path() / "image/rootfs";
  const fs::path tarball = scratch.path() / "rootfs.tar";
  img::write_tar_of(rootfs, tarball);
  podman({"import", "--change", "CMD [\"/bin/sleep\", \"1000\"]", tarball.string(), "localhost/iocell-oci-test:1"});
  podman({"save", "--format", "oci-archive", "-o", (scratch.path() / "p-oci.tar").string(), "localhost/iocell-oci-test:1"});
  podman({"save", "--format", "docker-archive", "-o", (scratch.path() / "p-docker.tar").string(), "localhost/iocell-oci-test:1"});
  for (const std::string image : std::vector<std::string>{"oci-archive:" + (scratch.path() / "p-oci.tar").string(),
                                  "docker-archive:" + (scratch.path() / "p-docker.tar").string()}) {
    SCOPED_TRACE(image);
    const std::string u = create({"type=oci", "image=" + image});
    EXPECT_TRUE(fs::exists(jail_root(u) / "bin/busybox"));
    EXPECT_EQ(read(jail_root(u) / "etc/passwd"), read(rootfs / "etc/passwd"));
  }
}

}  // namespace
