// Whole operations of the data lifecycle on a transcript FreeBSD host with
// zfs storage: snapshots, rollback of every dataset, snapremove ALL, the
// database check, update's back-out snapshot (tests/transcripts/snapshots/).
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>

#include <iocell/core/errors.hpp>
#include <iocell/core/ops/snapshots.hpp>
#include <iocell/core/ops/transfer.hpp>
#include <iocell/core/ops/update.hpp>
#include <iocell/core/release/sha256.hpp>
#include <nlohmann/json.hpp>

#include "support/data_freebsd_host.hpp"

using iocell::test::data::error_of;
using iocell::test::data::FreebsdHost;
namespace core = iocell::core;

namespace {
const std::string U = "9f1c1a2e-5b7d-4c3e-8a41-2f6d0b7e9c10";
const std::string N = "3b0e6f42-8d19-4a77-9c55-0e1f2a3b4c5d";

core::PropertyValues thick(const std::string& tag) {
  return {{"tag", tag}, {"type", "thickjail"}, {"release", "14.2-RELEASE"}};
}
}  // namespace

TEST(DataSnapshots, RollbackTakesEveryDatasetBackRootIncluded) {
  FreebsdHost h("snapshots/rollback_every_dataset.txt", {{"U", U}});
  auto rec = h.add_jail(U, thick("www"));
  core::rollback_jail(*h.ctx, rec, "before", false);
  h.finish();
}

TEST(DataSnapshots, RollbackOfARunningJailNeedsForce) {
  FreebsdHost h("snapshots/rollback_running.txt", {{"U", U}});
  auto rec = h.add_jail(U, thick("www"));
  EXPECT_THROW(core::rollback_jail(*h.ctx, rec, "before", false), core::Refused);
  h.finish();
}

TEST(DataSnapshots, SnapremoveAllRemovesRootOnlySnapshotsAndKeepsCloneOrigins) {
  FreebsdHost h("snapshots/snapremove_all.txt", {{"U", U}, {"N", N}});
  auto rec = h.add_jail(U, thick("www"));
  h.add_jail(N, {{"tag", "www2"}, {"type", "clonejail"}, {"release", "14.2-RELEASE"}});
  const std::string err = error_of([&] { core::remove_jail_snapshot(*h.ctx, rec, "ALL"); });
  EXPECT_NE(err.find("removed 2 snapshot(s)"), std::string::npos) << err;
  EXPECT_NE(err.find(N + " (origin of " + N + " (www2))"), std::string::npos) << err;
  h.finish();
}

TEST(DataSnapshots, ADatabaseInTheJailNeedsForce) {
  FreebsdHost h("snapshots/snapshot_database.txt", {{"U", U}});
  auto rec = h.add_jail(U, thick("db"));
  const std::string err = error_of([&] { core::snapshot_jail(*h.ctx, rec, "before", false); });
  EXPECT_NE(err.find("a database is running"), std::string::npos) << err;
  EXPECT_NE(err.find("postgres"), std::string::npos) << err;
  EXPECT_EQ(err.find("postgres, postgres"), std::string::npos) << "each server named once: " << err;
  core::snapshot_jail(*h.ctx, rec, "before", true);
  h.finish();
}

TEST(DataSnapshots, AFailedUpdateRollsBackAndRemovesItsSnapshot) {
  FreebsdHost h("snapshots/update_backout.txt", {{"U", U}});
  auto rec = h.add_jail(U, thick("www"));
  iocell::test::storage::write(rec.home / "root/etc/freebsd-update.conf", "KeyPrint abc\nServerName update.FreeBSD.org\n");
  const std::string err = error_of([&] { core::update_jail(*h.ctx, rec); });
  EXPECT_NE(err.find("metadata is corrupt"), std::string::npos) << err;
  EXPECT_NE(err.find("snapshot ioc-update_2025-03-01_10:00:00 rolled back and removed"), std::string::npos) << err;
  h.finish();
}

TEST(DataSnapshots, ALeftoverSnapshotNeverBlocksTheNextUpdate) {
  FreebsdHost h("snapshots/update_ok.txt", {{"U", U}});
  auto rec = h.add_jail(U, thick("www"));
  iocell::test::storage::write(rec.home / "root/etc/freebsd-update.conf", "KeyPrint abc\nServerName update.FreeBSD.org\n");
  auto out = core::update_jail(*h.ctx, rec);
  EXPECT_EQ(out.snapshot, "ioc-update_2025-03-01_10:00:00_2");
  h.finish();
}

TEST(DataSnapshots, UpdateOnLinuxIsRefusedBeforeAnythingChanges) {
  iocell::test::storage::ScratchDir d("data-linux-update");
  std::ostringstream out, err;
  core::GlobalOptions opts;
  opts.root = d.path() / "iocell";
  opts.storage = "dir";
  core::Context ctx(opts, out, err);
  std::filesystem::create_directories(opts.root / "jails" / U / "root/etc");
  core::PropertyValues props = core::builtin_defaults(iocell::sdk::HostOs::Linux);
  props["tag"] = "www";
  props["type"] = "thickjail";
  props["release"] = "14.2-RELEASE";
  core::write_config(opts.root / "jails" / U / "config.json", props);
  auto rec = ctx.inventory().resolve(U);
  const std::string e1 = error_of([&] { core::update_jail(ctx, rec); });
  EXPECT_NE(e1.find("this Linux host has no FreeBSD userland"), std::string::npos) << e1;
  const std::string e2 = error_of([&] { core::upgrade_jail(ctx, rec, "14.3-RELEASE"); });
  EXPECT_NE(e2.find("this Linux host has no FreeBSD userland"), std::string::npos) << e2;
  std::error_code ec;
  EXPECT_TRUE(!std::filesystem::exists(opts.root / ".snapshots") || std::filesystem::is_empty(opts.root / ".snapshots", ec))
      << "no back-out snapshot was taken";
}

TEST(DataStreams, ExportSendsEveryDatasetAndWritesChecksumAndManifest) {
  FreebsdHost h("snapshots/export_stream.txt", {{"U", U}});
  auto rec = h.add_jail(U, thick("www"));
  auto out = iocell::core::export_jail(*h.ctx, rec, true);
  h.finish();
  EXPECT_EQ(out.image.extension(), ".zfs");
  EXPECT_TRUE(std::filesystem::exists(out.image));
  EXPECT_EQ(out.checksum, std::filesystem::path(out.image.string() + ".sha256"));
  auto manifest = nlohmann::json::parse(iocell::test::storage::read(out.manifest));
  EXPECT_EQ(manifest["format"], "zfs");
  EXPECT_EQ(manifest["snapshot"], "ioc-export_2025-03-01_10:00:00");
  EXPECT_EQ(manifest["uuid"], U);
  EXPECT_EQ(manifest["properties"]["tag"], "www");
}

TEST(DataStreams, ImportReceivesOnlyThroughTheStorageIntoANewDataset) {
  FreebsdHost h("snapshots/import_stream.txt", {{"U", U}});
  const auto images = h.root / "images";
  const std::string name = U + "-thickjail-2025-03-01_14.2-RELEASE.zfs";
  iocell::test::storage::write(images / name, "a zfs send stream\n");
  iocell::test::storage::write(images / (name + ".sha256"), iocell::core::Sha256::of_file(images / name) + "\n");
  nlohmann::json manifest = {{"uuid", U}, {"tag", "www"}, {"type", "thickjail"}, {"release", "14.2-RELEASE"}, {"format", "zfs"},
                             {"snapshot", "ioc-export_2025-03-01_10:00:00"},
                             {"properties", {{"notes", "from afar"}, {"mount_procfs", "2"}, {"no_such_property", "x"}}}};
  iocell::test::storage::write(images / (name + ".json"), manifest.dump());
  // The received home, as zfs would have mounted it.
  std::filesystem::create_directories(h.root / "jails" / (".new-" + U));
  auto out = iocell::core::import_archive(*h.ctx, U.substr(0, 8), {}, {});
  h.finish();
  EXPECT_EQ(out.jail.uuid, U);
  auto cfg = iocell::core::read_config(h.root / "jails" / (".new-" + U) / "config.json");
  EXPECT_EQ(cfg["tag"], "www");
  EXPECT_EQ(cfg["notes"], "from afar");
  EXPECT_EQ(cfg["type"], "thickjail");
  EXPECT_EQ(cfg["release"], "14.2-RELEASE");
  EXPECT_EQ(cfg.count("no_such_property"), 0u) << "unknown properties are dropped";
  EXPECT_NE(cfg["mount_procfs"], "2") << "invalid values are dropped";
}

TEST(DataStreams, AnIocageExportIsReceivedStreamByStreamAndItsConfigMapped) {
  FreebsdHost h("import/iocage_export.txt", {{"U", U}}, "1740823200", {U});
  const auto exports = h.root / "exports";
  // What iocage export wrote: the streams, in a tar.xz, and the digest beside it.
  iocell::test::storage::write(exports / "src/www_2026-12-01", "the jail's dataset\n");
  iocell::test::storage::write(exports / "src/www_2026-12-01_root", "its root\n");
  const auto archive = exports / "www_2026-12-01.tar.xz";
  const std::string cmd = "tar -C '" + (exports / "src").string() + "' -cJf '" + archive.string() + "' www_2026-12-01 www_2026-12-01_root";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  iocell::test::storage::write(exports / "www_2026-12-01.sha256", iocell::core::Sha256::of_file(archive) + "\n");
  // The received home, as zfs would have mounted it, with iocage's config.json.
  const auto home = h.root / "jails" / (".new-" + U);
  std::filesystem::create_directories(home / "root");
  iocell::test::storage::write(home / "config.json", R"({"host_hostuuid": "www", "release": "14.2-RELEASE-p1", "boot": 1,
      "notes": "from iocage", "exec_prestart": "/usr/local/bin/x", "nat": 1, "CONFIG_VERSION": "33"})");
  auto out = iocell::core::import_foreign(*h.ctx, iocell::core::ForeignExport::Iocage, archive, {}, {});
  h.finish();
  EXPECT_EQ(out.jail.uuid, U);
  auto cfg = iocell::core::read_config(home / "config.json");
  EXPECT_EQ(cfg["tag"], "www");
  EXPECT_EQ(cfg["notes"], "from iocage");
  EXPECT_EQ(cfg["release"], "14.2-RELEASE-p1");
  EXPECT_NE(cfg["boot"], "on") << "boot acts on the host: only with --trust";
  EXPECT_EQ(cfg["exec_prestart"], "/usr/bin/true");
  EXPECT_NE(out.note.find("nat=1"), std::string::npos) << out.note;
}

TEST(DataStreams, ABastilleStreamExportIsDecompressedReceivedAndItsJailConfMapped) {
  const auto file = std::filesystem::temp_directory_path() / ("iocell-bastille-" + std::to_string(::getpid())) / "db_2026-12-01-101010.xz";
  iocell::test::storage::write(file, "an xz-compressed zfs send stream\n");
  FreebsdHost h("import/bastille_export.txt", {{"U", U}, {"FILE", file.string()}}, "1740823200", {U});
  const auto home = h.root / "jails" / (".new-" + U);
  std::filesystem::create_directories(home / "root");
  iocell::test::storage::write(home / "jail.conf", "pgsql {\n  host.hostname = db.example.org;\n  path = /usr/local/bastille/jails/db/root;\n"
                                                   "  osrelease = 14.2-RELEASE;\n  allow.mount.nullfs;\n  exec.poststart = 'rm -rf /';\n}\n");
  auto out = iocell::core::import_foreign(*h.ctx, iocell::core::ForeignExport::Bastille, file, {}, {});
  h.finish();
  std::filesystem::remove_all(file.parent_path());
  auto cfg = iocell::core::read_config(home / "config.json");
  EXPECT_EQ(cfg["tag"], "pgsql");
  EXPECT_EQ(cfg["host_hostname"], "db.example.org");
  EXPECT_EQ(cfg["release"], "14.2-RELEASE");
  EXPECT_NE(cfg["allow_mount_nullfs"], "1") << "privilege-widening: only with --trust";
  EXPECT_NE(cfg["exec_poststart"], "rm -rf /") << "host-acting: only with --trust";
}

TEST(DataSnapshots, ABasejailUpgradeThatFailsIsBackedOut) {
  FreebsdHost h("snapshots/upgrade_basejail.txt", {{"U", U}});
  auto rec = h.add_jail(U, {{"tag", "www"}, {"type", "basejail"}, {"release", "14.2-RELEASE"}});
  for (const char* r : {"14.2-RELEASE", "14.3-RELEASE"}) {
    iocell::test::storage::write(h.root / "releases" / r / "root/usr/src/Makefile", "all:\n");
    iocell::test::storage::write(h.root / "releases" / r / "root/etc/freebsd-update.conf", "KeyPrint abc\n");
  }
  const std::string err = error_of([&] { core::upgrade_jail(*h.ctx, rec, "14.3-RELEASE"); });
  EXPECT_NE(err.find("upgrade to 14.3-RELEASE of " + U), std::string::npos) << err;
  EXPECT_NE(err.find("Failed to build new tree"), std::string::npos) << err;
  EXPECT_NE(err.find("rolled back and removed"), std::string::npos) << err;
  h.finish();
}

TEST(DataSnapshots, UpgradeNeedsAFetchedReleaseForABasejail) {
  FreebsdHost h("snapshots/upgrade_refused.txt", {});
  auto rec = h.add_jail(U, {{"tag", "www"}, {"type", "basejail"}, {"release", "14.2-RELEASE"}});
  EXPECT_THROW(core::upgrade_jail(*h.ctx, rec, "14.3-RELEASE"), core::NotFound);
  EXPECT_THROW(core::upgrade_jail(*h.ctx, rec, "14.2-RELEASE"), core::Refused) << "already there";
  EXPECT_THROW(core::upgrade_jail(*h.ctx, rec, "fourteen"), core::UsageError);
  h.finish();
}
