// record -> package -> import, export -> destroy -> import, and the package
// tool of Linux jails: the real binary on dir storage with a busybox release.
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "support/data_e2e.hpp"

using iocell::test::storage::read;
using iocell::test::storage::write;
using iocell::test::trim;
namespace fs = std::filesystem;

namespace {

class DataTransferE2E : public iocell::test::data::DataE2E {};

TEST_F(DataTransferE2E, RecordPackageImportShowsTheRecordedFiles) {
  fetch();
  const std::string u = create({"-c", "tag=nginx"});
  ok({"start", "nginx"});
  auto rs = ok({"record", "start", "nginx"});
  EXPECT_NE(rs.out.find("restarted"), std::string::npos) << "a running jail is restarted onto the layer: " << rs.out;
  EXPECT_NE(run({"record", "start", "nginx"}).code, 0) << "already recording";
  EXPECT_NE(run({"package", "nginx"}).code, 0) << "package refuses while recording";
  ok({"exec", "nginx", "/bin/sh", "-c",
      "mkdir -p /usr/local/etc/nginx /var/log && echo 'worker_processes 1;' > /usr/local/etc/nginx/nginx.conf && "
      "echo changed >> /etc/passwd && : > /etc/empty.conf && echo who > /var/log/utx.log && echo ls > /root/.ash_history && "
      "mkdir -p /var/cache/empty/deeper && rm /etc/rc"});
  EXPECT_EQ(trim(ok({"get", "state", "nginx"}).out), "up");
  auto rst = ok({"record", "stop", "nginx"});
  EXPECT_NE(rst.out.find("deletion"), std::string::npos) << "the deleted /etc/rc is reported: " << rst.out;
  EXPECT_EQ(trim(ok({"get", "state", "nginx"}).out), "up") << "running again without the layer";
  const fs::path rec = home(u) / "recorded";
  EXPECT_EQ(read(rec / "usr/local/etc/nginx/nginx.conf"), "worker_processes 1;\n");
  EXPECT_FALSE(fs::exists(rec / "etc/empty.conf")) << "empty files are pruned";
  EXPECT_FALSE(fs::exists(rec / "var/log/utx.log")) << "login records are pruned";
  EXPECT_FALSE(fs::exists(rec / "root/.ash_history"));
  EXPECT_FALSE(fs::exists(rec / "var/cache")) << "empty directories are pruned";
  EXPECT_FALSE(fs::exists(fs::symlink_status(rec / "etc/rc"))) << "whiteouts are dropped";
  // Changes made after the recording stopped are not recorded.
  ok({"exec", "nginx", "/bin/sh", "-c", "echo late > /etc/late.conf"});
  EXPECT_FALSE(fs::exists(rec / "etc/late.conf"));
  ok({"stop", "nginx"});

  auto pk = ok({"package", "nginx"});
  const fs::path archive = root / "packages" / (u + ".tar.xz");
  ASSERT_TRUE(fs::exists(archive)) << pk.out;
  const std::string digest = trim(read(root / "packages" / (u + ".sha256")));
  EXPECT_EQ(digest, iocell::core::Sha256::of_file(archive));
  EXPECT_EQ(nlohmann::json::parse(read(root / "packages" / (u + ".json")))["release"], kRelease);

  const std::string d = uuid_in(ok({"import", u.substr(0, 8), "tag=deployed"}).out);
  ASSERT_FALSE(d.empty());
  EXPECT_NE(d, u);
  EXPECT_EQ(trim(ok({"get", "type", "deployed"}).out), "clonejail");
  EXPECT_EQ(trim(ok({"get", "release", "deployed"}).out), kRelease);
  ok({"start", "deployed"});  // a stopped clone's root is not mounted
  EXPECT_EQ(read(jail_root(d) / "usr/local/etc/nginx/nginx.conf"), "worker_processes 1;\n");
  EXPECT_NE(read(jail_root(d) / "etc/passwd").find("changed"), std::string::npos);
  EXPECT_TRUE(fs::exists(jail_root(d) / "etc/rc")) << "a package only adds and replaces";
  EXPECT_FALSE(fs::exists(jail_root(d) / "etc/late.conf"));
  auto cat = ok({"exec", "deployed", "/bin/cat", "/usr/local/etc/nginx/nginx.conf"});
  EXPECT_EQ(cat.out, "worker_processes 1;\n");
  ok({"stop", "deployed"});
}

TEST_F(DataTransferE2E, ExportDestroyImportGivesBackFilesAndProperties) {
  fetch();
  const std::string u = create({"tag=www", "notes=keep me", "priority=7"});
  write(jail_root(u) / "usr/local/www/index.html", "<h1>hi</h1>\n", 0640);
  ::chown((jail_root(u) / "usr/local/www/index.html").c_str(), 80, 80);
  fs::create_symlink("index.html", jail_root(u) / "usr/local/www/default.html");
  ok({"start", "www"});
  auto running = run({"export", "www"});
  EXPECT_EQ(running.code, 1);
  EXPECT_NE(running.err.find("running"), std::string::npos) << running.err;
  ok({"stop", "www"});

  auto ex = ok({"export", "www"});
  std::vector<fs::path> image;
  for (const auto& e : fs::directory_iterator(root / "images"))
    if (e.path().string().size() > 7 && e.path().string().substr(e.path().string().size() - 7) == ".tar.xz") image.push_back(e.path());
  ASSERT_EQ(image.size(), 1u) << ex.out;
  const std::string name = image[0].filename().string();
  EXPECT_TRUE(std::regex_match(name, std::regex(u + "-thickjail-[0-9]{4}-[0-9]{2}-[0-9]{2}_" + kRelease + "\\.tar\\.xz"))) << name;
  const std::string stem = name.substr(0, name.size() - 7);
  auto manifest = nlohmann::json::parse(read(root / "images" / (stem + ".json")));
  EXPECT_EQ(manifest["uuid"], u);
  EXPECT_EQ(manifest["tag"], "www");
  EXPECT_EQ(manifest["properties"]["notes"], "keep me");
  EXPECT_EQ(trim(read(root / "images" / (stem + ".sha256"))), iocell::core::Sha256::of_file(image[0]));
  EXPECT_EQ(run({"export", "www"}).code, 1) << "today's export exists already";

  ok({"destroy", "-f", "www"});
  EXPECT_TRUE(jails().empty());
  auto im = ok({"import", u.substr(0, 13)});
  EXPECT_EQ(uuid_in(im.out), u) << "the UUID is kept when free";
  EXPECT_EQ(trim(ok({"get", "tag", u}).out), "www");
  EXPECT_EQ(trim(ok({"get", "notes", "www"}).out), "keep me");
  EXPECT_EQ(trim(ok({"get", "priority", "www"}).out), "7");
  EXPECT_EQ(trim(ok({"get", "type", "www"}).out), "thickjail");
  EXPECT_EQ(trim(ok({"get", "release", "www"}).out), kRelease);
  const fs::path page = jail_root(u) / "usr/local/www/index.html";
  EXPECT_EQ(read(page), "<h1>hi</h1>\n");
  struct stat st {};
  ASSERT_EQ(::lstat(page.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 80u);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  EXPECT_EQ(fs::read_symlink(jail_root(u) / "usr/local/www/default.html"), "index.html");
  ok({"start", "www"});
  EXPECT_EQ(ok({"exec", "www", "/bin/cat", "/usr/local/www/index.html"}).out, "<h1>hi</h1>\n");
  ok({"stop", "www"});

  // Imported again while the original is there: a new UUID, a new tag.
  auto again = ok({"import", u});
  const std::string second = uuid_in(again.out);
  EXPECT_NE(second, u);
  EXPECT_NE(again.out.find("is taken"), std::string::npos) << again.out;
  EXPECT_NE(trim(ok({"get", "tag", second}).out), "www");
  EXPECT_EQ(read(jail_root(second) / "usr/local/www/index.html"), "<h1>hi</h1>\n");
}

TEST_F(DataTransferE2E, StreamExportNeedsAStorageWithStreams) {
  const std::string u = create({"-e", "tag=www"});
  auto r = run({"export", "--zfs", "www"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no replication stream"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::is_empty(root / "images")) << "no partial image";
  EXPECT_TRUE(snapshot_names("www").empty()) << "the export snapshot is gone";
}

TEST_F(DataTransferE2E, LinuxJailsInstallWithTheirOwnToolInside) {
  fetch();
  const fs::path list = scratch.path() / "pkgs.txt";
  write(list, "nginx\n# a comment\ntmux\n");
  auto none = run({"create", "-c", "tag=bare", "pkglist=" + list.string()});
  EXPECT_EQ(none.code, 1);
  EXPECT_NE(none.err.find("has no package tool: apk, apt-get or dnf"), std::string::npos) << none.err;

  // An "apk" in the release that records where it ran: the jail's hostname
  // proves it ran inside the jail, the file lands in the jail's tree.
  const fs::path rel = root / "releases" / kRelease / "root";
  write(rel / "sbin/apk", "#!/bin/sh\necho \"$(hostname) $*\" > /var/apk-ran\n", 0755);
  ::unlink("/var/apk-ran");
  const std::string u = uuid_in(ok({"create", "-c", "tag=alpine", "host_hostname=inside-jail", "pkglist=" + list.string()}).out);
  EXPECT_FALSE(fs::exists("/var/apk-ran")) << "never run on the host";
  EXPECT_EQ(trim(ok({"get", "state", "alpine"}).out), "down") << "stopped again after the installation";
  ok({"start", "alpine"});  // a thin jail's files show while it is mounted
  EXPECT_EQ(ok({"exec", "alpine", "/bin/cat", "/var/apk-ran"}).out, "inside-jail add --no-progress nginx tmux\n");
  EXPECT_EQ(read(jail_root(u) / "var/apk-ran"), "inside-jail add --no-progress nginx tmux\n");
  ok({"stop", "alpine"});
}

// set host_hostname rewrites rc.conf in the jail's root; a stopped overlay
// clone whose root is not mounted (after a reboot) must get the change in
// the clone, not in the bare directory its overlay later covers.
TEST_F(DataTransferE2E, HostnameOfAnUnmountedStoppedCloneLandsInTheClone) {
  fetch();
  const fs::path rel = root / "releases" / kRelease / "root";
  write(rel / "etc/rc.conf", "hostname=\"release\"\nsshd_enable=\"YES\"\n", 0644);
  const std::string u = uuid_in(ok({"create", "-c", "tag=named"}).out);
  ::umount2(jail_root(u).c_str(), MNT_DETACH);  // what a reboot leaves
  ok({"set", "host_hostname=renamed", "named"});
  ok({"start", "named"});
  EXPECT_EQ(ok({"exec", "named", "/bin/cat", "/etc/rc.conf"}).out, "hostname=\"renamed\"\nsshd_enable=\"YES\"\n");
  ok({"stop", "named"});
}

}  // namespace
