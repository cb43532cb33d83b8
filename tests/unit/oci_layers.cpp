// The oci jail type's parts on their own: the image= grammar, whiteouts,
// layers applied in order through the libarchive archiver, the digest and
// size checks of a layout, and the image config as exec properties.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "libarchive_plugin.hpp"
#include "oci_blobs.hpp"
#include "oci_exec_mapping.hpp"
#include "oci_image_layout.hpp"
#include "oci_image_ref.hpp"
#include "oci_layers.hpp"
#include "oci_type.hpp"
#include "oci_whiteouts.hpp"
#include "support/fetch_run.hpp"
#include "support/oci_image_builder.hpp"
#include "support/error_of.hpp"

namespace {

namespace fs = std::filesystem;
namespace oci = iocell::plugins::oci;
using iocell::testing::Compression;
using iocell::testing::TarEntry;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

using iocell::test::error_of;

TEST(OciImageRef, SplitsSourcePathAndName) {
  std::string why;
  auto r = oci::parse_image_ref("oci:/srv/img:v1", why);
  ASSERT_TRUE(r) << why;
  EXPECT_EQ(r->kind, oci::SourceKind::OciLayout);
  EXPECT_EQ(r->path, "/srv/img");
  EXPECT_EQ(r->ref, "v1");
  r = oci::parse_image_ref("docker-archive:/x/img.tar:busybox:latest", why);
  ASSERT_TRUE(r) << why;
  EXPECT_EQ(r->kind, oci::SourceKind::DockerArchive);
  EXPECT_EQ(r->path, "/x/img.tar");
  EXPECT_EQ(r->ref, "busybox:latest");
  r = oci::parse_image_ref("oci-archive:/a:b/img.tar", why);
  ASSERT_TRUE(r) << why;
  EXPECT_EQ(r->path, "/a:b/img.tar") << "a ':' before the last '/' belongs to the path";
  EXPECT_EQ(r->ref, "");
}

TEST(OciImageRef, RefusesWhatNamesNoImage) {
  for (const char* bad : {"docker://busybox", "oci-archive:img.tar", "oci:", "oci:/srv/../etc", "oci:/", "oci:/srv/img:"}) {
    std::string why;
    EXPECT_FALSE(oci::parse_image_ref(bad, why)) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
  EXPECT_NE(oci::check_image_value("oci-archive:/nonexistent/img.tar").find("no such file"), std::string::npos);
  EXPECT_NE(oci::check_image_value("oci-archive:/tmp").find("no regular file"), std::string::npos);
  EXPECT_EQ(oci::check_image_value("oci:/tmp"), "");
}

TEST(OciWhiteouts, ParsesNamesAndOpaqueDirectories) {
  EXPECT_FALSE(oci::parse_whiteout("etc/passwd"));
  EXPECT_FALSE(oci::parse_whiteout("etc/.wh.d/file")) << "only the last component makes a whiteout";
  auto w = oci::parse_whiteout("./etc/.wh.motd");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->dir, "etc");
  EXPECT_EQ(w->name, "motd");
  EXPECT_FALSE(w->opaque);
  w = oci::parse_whiteout("var/cache/.wh..wh..opq");
  ASSERT_TRUE(w);
  EXPECT_TRUE(w->opaque);
  EXPECT_EQ(w->dir, "var/cache");
}

TEST(OciWhiteouts, RefusesThoseThatEscapeOrNameNothing) {
  for (const char* bad : {"etc/.wh..", ".wh..", ".wh.", "./.wh.", "../.wh.etc", "a/../../.wh.x", "/.wh.etc", "/tmp/.wh.x",
                          "etc/.wh..wh.plnk"}) {
    EXPECT_NE(error_of([&] { oci::parse_whiteout(bad); }).find("refusing layer entry"), std::string::npos) << bad;
  }
}

class OciLayerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp = std::make_unique<iocell::testing::FetchTempDir>("oci");
    root = tmp->path() / "root";
    outside = tmp->path() / "outside";
    fs::create_directories(root);
    fs::create_directories(outside);
    std::ofstream(outside / "secret") << "host\n";
    archiver = iocell::plugins::libarchive::make_archiver(host);
  }

  oci::LayerBlob blob(const fs::path& file) {
    oci::LayerBlob b;
    b.name = file.filename().string();
    b.fd = iocell::sdk::UniqueFd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    b.size = fs::file_size(file);
    b.hex = iocell::support::Sha256::of_file(file);
    return b;
  }

  void apply(const std::vector<TarEntry>& entries, Compression c = Compression::None) {
    const fs::path file = tmp->path() / ("layer" + std::to_string(++n));
    iocell::testing::write_archive(file, entries, c);
    auto b = blob(file);
    oci::apply_layer(*archiver, iocell::sdk::SafeRoot(root), b, iocell::sdk::ExtractPolicy::package());
  }

  std::unique_ptr<iocell::testing::FetchTempDir> tmp;
  fs::path root, outside;
  iocell::sdk::HostContext host;
  std::unique_ptr<iocell::sdk::Archiver> archiver;
  int n = 0;
};

TEST_F(OciLayerTest, LaterLayersDeleteAndReplaceWhatLowerOnesMade) {
  apply({{TarEntry::Dir, "etc", "", "", 0755},
         {TarEntry::File, "etc/motd", "old\n"},
         {TarEntry::File, "etc/keep", "kept\n"},
         {TarEntry::Dir, "var/cache/apt", "", "", 0755},
         {TarEntry::File, "var/cache/apt/pkgcache", "big\n"},
         {TarEntry::File, "var/cache/index", "i\n"},
         {TarEntry::Dir, "opt/tree/deep", "", "", 0755},
         {TarEntry::File, "opt/tree/deep/f", "f\n"},
         {TarEntry::Symlink, "lnk", "", "/tmp"}},
        Compression::Gzip);
  // Whiteouts apply to the layers below only: the same layer's etc/motd
  // comes back with new content, wherever its whiteout is in the tar.
  apply({{TarEntry::File, "etc/motd", "new\n"},
         {TarEntry::File, "etc/.wh.motd", ""},
         {TarEntry::File, "var/cache/.wh..wh..opq", ""},
         {TarEntry::File, "var/cache/fresh", "fresh\n"},
         {TarEntry::File, "opt/.wh.tree", ""},
         {TarEntry::File, ".wh.lnk", ""},
         {TarEntry::File, "etc/.wh.never-existed", ""}},
        Compression::Zstd);
  EXPECT_EQ(slurp(root / "etc/motd"), "new\n");
  EXPECT_EQ(slurp(root / "etc/keep"), "kept\n");
  EXPECT_FALSE(fs::exists(root / "var/cache/apt"));
  EXPECT_FALSE(fs::exists(root / "var/cache/index"));
  EXPECT_EQ(slurp(root / "var/cache/fresh"), "fresh\n");
  EXPECT_FALSE(fs::exists(root / "opt/tree")) << "a whiteout deletes a whole directory";
  EXPECT_TRUE(fs::exists(root / "opt"));
  EXPECT_FALSE(fs::exists(fs::symlink_status(root / "lnk"))) << "a whiteout removes the link, not what it points to";
  EXPECT_FALSE(fs::exists(root / "etc/.wh.motd")) << "whiteouts are not files of the jail";
  EXPECT_FALSE(fs::exists(root / "var/cache/.wh..wh..opq"));
}

TEST_F(OciLayerTest, AWhiteoutNeverDeletesThroughASymlink) {
  apply({{TarEntry::Symlink, "out", "", outside.string()}});
  const std::string err = error_of([&] { apply({{TarEntry::File, "out/.wh.secret", ""}}); });
  EXPECT_NE(err.find("symbolic link"), std::string::npos) << err;
  EXPECT_EQ(slurp(outside / "secret"), "host\n");
  EXPECT_NE(error_of([&] { apply({{TarEntry::File, "out/.wh..wh..opq", ""}}); }), "");
  EXPECT_EQ(slurp(outside / "secret"), "host\n") << "nor empties a host directory through one";
}

TEST_F(OciLayerTest, ALayerNotMatchingItsDigestWritesNothing) {
  const fs::path file = tmp->path() / "layer";
  iocell::testing::write_archive(file, {{TarEntry::File, "etc/x", "x\n"}, {TarEntry::File, ".wh.etc2", ""}});
  auto b = blob(file);
  b.hex[0] = b.hex[0] == '0' ? '1' : '0';
  fs::create_directories(root / "etc2");
  const std::string err =
      error_of([&] { oci::apply_layer(*archiver, iocell::sdk::SafeRoot(root), b, iocell::sdk::ExtractPolicy::package()); });
  EXPECT_NE(err.find("digest mismatch"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(root / "etc/x"));
  EXPECT_TRUE(fs::exists(root / "etc2")) << "its whiteouts are not applied either";
}

TEST_F(OciLayerTest, ALayerStillRefusesTraversalAndDevices) {
  for (const auto& entries : std::vector<std::vector<TarEntry>>{
           {{TarEntry::File, "../outside/pwned", "x"}},
           {{TarEntry::Symlink, "l", "", outside.string()}, {TarEntry::File, "l/pwned", "x"}},
           {{TarEntry::Hardlink, "h", "", (outside / "secret").string()}},
           {{TarEntry::CharDevice, "dev/mem2", "", "", 0600, 0, 0, 1, 1}}}) {
    EXPECT_NE(error_of([&] { apply(entries); }), "") << entries.back().path;
  }
  EXPECT_FALSE(fs::exists(outside / "pwned"));
  EXPECT_FALSE(fs::exists(root / "dev/mem2"));
}

class OciLayoutTest : public OciLayerTest {
 protected:
  fs::path layout() {
    const fs::path dir = tmp->path() / "layout";
    const auto l = iocell::test::oci::layer_of(tmp->path() / "l.tar", {{TarEntry::File, "etc/x", "x\n"}}, Compression::Gzip);
    iocell::test::oci::write_layout(dir, {l}, iocell::test::oci::image_config({{"Cmd", {"/bin/sh"}}}), "v1");
    return dir;
  }
  static nlohmann::json index_of(const fs::path& dir) { return nlohmann::json::parse(slurp(dir / "index.json")); }
  static fs::path manifest_of(const fs::path& dir) {
    std::string d = index_of(dir)["manifests"][0]["digest"];
    return dir / "blobs/sha256" / d.substr(7);
  }
};

TEST_F(OciLayoutTest, FindsTheImageByNameAndChecksEveryDocument) {
  const fs::path dir = layout();
  auto plan = oci::read_oci_layout(dir, "v1", iocell::sdk::HostOs::Linux);
  ASSERT_EQ(plan.layers.size(), 1u);
  EXPECT_EQ(plan.config["config"]["Cmd"][0], "/bin/sh");
  EXPECT_NO_THROW(oci::read_oci_layout(dir, "", iocell::sdk::HostOs::Linux)) << "the only image needs no name";
  EXPECT_NE(error_of([&] { oci::read_oci_layout(dir, "v2", iocell::sdk::HostOs::Linux); }).find("no image named 'v2'"),
            std::string::npos);

  // A manifest changed after the index named it.
  auto manifest = nlohmann::json::parse(slurp(manifest_of(dir)));
  manifest["annotations"] = {{"x", "y"}};
  std::ofstream(manifest_of(dir)) << manifest.dump();
  EXPECT_NE(error_of([&] { oci::read_oci_layout(dir, "v1", iocell::sdk::HostOs::Linux); }).find("manifest"),
            std::string::npos);
}

TEST_F(OciLayoutTest, ALayerOfAnotherSizeThanDeclaredIsRefused) {
  const fs::path dir = layout();
  auto manifest = nlohmann::json::parse(slurp(manifest_of(dir)));
  std::string layer = manifest["layers"][0]["digest"];
  std::ofstream(dir / "blobs/sha256" / layer.substr(7), std::ios::app) << "trailing";
  const std::string err = error_of([&] { oci::read_oci_layout(dir, "v1", iocell::sdk::HostOs::Linux); });
  EXPECT_NE(err.find("the manifest says"), std::string::npos) << err;
}

TEST_F(OciLayoutTest, BlobsAreNeverReadThroughALink) {
  const fs::path dir = layout();
  auto manifest = nlohmann::json::parse(slurp(manifest_of(dir)));
  std::string cfg = manifest["config"]["digest"];
  const fs::path blob_file = dir / "blobs/sha256" / cfg.substr(7);
  fs::rename(blob_file, outside / "cfg");
  fs::create_symlink(outside / "cfg", blob_file);
  EXPECT_NE(error_of([&] { oci::read_oci_layout(dir, "v1", iocell::sdk::HostOs::Linux); }), "");
}

TEST(OciBlobs, OnlyWellFormedSha256DigestsAreAccepted) {
  EXPECT_EQ(oci::digest_hex("sha256:" + std::string(64, 'a'), "x"), std::string(64, 'a'));
  for (const std::string bad : {"sha512:" + std::string(128, 'a'), "sha256:" + std::string(63, 'a'),
                                "sha256:" + std::string(64, 'A'), "sha256:../../../../etc/passwd" + std::string(40, 'a')})
    EXPECT_NE(error_of([&] { oci::digest_hex(bad, "x"); }), "") << bad;
}

TEST(OciExecMapping, CommandEnvWorkdirAndUserBecomeExecProperties) {
  const auto m = oci::map_image_config(iocell::test::oci::image_config(
      {{"Entrypoint", {"/bin/httpd", "-f"}}, {"Cmd", {"-p", "8080", "it's"}}, {"Env", {"PATH=/usr/bin:/bin", "MSG=a b", "1BAD=x"}},
       {"WorkingDir", "/srv/www"}, {"User", "www:www"}, {"ExposedPorts", {{"8080/tcp", nlohmann::json::object()}}},
       {"StopSignal", "SIGQUIT"}}));
  EXPECT_EQ(m.props.at("exec_start"),
            "cd /srv/www && PATH=/usr/bin:/bin MSG='a b' /bin/httpd -f -p 8080 'it'\\''s' </dev/null >/dev/null 2>&1 &");
  EXPECT_EQ(m.props.at("exec_jail_user"), "www");
  std::string all;
  for (const auto& u : m.unmapped) all += u + "\n";
  for (const char* reported : {"Env 1BAD=x", "User group www", "ExposedPorts 8080/tcp", "StopSignal"})
    EXPECT_NE(all.find(reported), std::string::npos) << reported << " in:\n" << all;
}

TEST(OciExecMapping, AnImageWithoutACommandKeepsTheJailsDefaults) {
  const auto m = oci::map_image_config(iocell::test::oci::image_config({{"Env", {"A=1"}}, {"WorkingDir", "/w"}}));
  EXPECT_EQ(m.props.count("exec_start"), 0u);
  EXPECT_EQ(m.unmapped.size(), 2u) << "Env and WorkingDir are reported, not dropped";
}

}  // namespace
