// Parsers of the zfs storage against hostile and odd output: missing and
// extra fields, spaces where tabs belong, values with spaces, garbage
// numbers, foreign rows, record lines injected into zstream dump's nvlists.
#include <gtest/gtest.h>

#include "zfs_names.hpp"
#include "zfs_parse.hpp"

using namespace iocell::plugins::zfs;

TEST(ZfsParse, RowsSplitOnTabsOnlyAndKeepSpaces) {
  auto rows = split_rows("tank/iocell/jails/a\t/mnt/my jails/a\tyes\ttank/iocell\n", 4, "t");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][1], "/mnt/my jails/a");
  // "inherited from tank" has spaces: one field.
  rows = split_rows("compression\tlz4\tinherited from tank\n\n", 3, "t");
  EXPECT_EQ(rows[0][2], "inherited from tank");
}

TEST(ZfsParse, RowsWithMissingExtraOrEmptyFieldsAreErrors) {
  EXPECT_THROW(split_rows("tank/iocell\t-\n", 3, "t"), std::runtime_error);
  EXPECT_THROW(split_rows("tank/iocell\t-\t/iocell\textra\n", 3, "t"), std::runtime_error);
  EXPECT_THROW(split_rows("tank/iocell\t\t/iocell\n", 3, "t"), std::runtime_error);
  // Spaces instead of tabs (output of zfs list without -H): not split, so wrong.
  EXPECT_THROW(split_rows("tank/iocell  -  /iocell\n", 3, "t"), std::runtime_error);
  try {
    split_rows("ok\tok\nbroken\n", 2, "zfs list -o name,origin");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("zfs list -o name,origin"), std::string::npos);
  }
  EXPECT_TRUE(split_rows("", 2, "t").empty());
}

TEST(ZfsParse, ExactIntegersOnly) {
  EXPECT_EQ(parse_u64("18446744073709551615", "x"), 18446744073709551615ull);
  for (const char* bad : {"", "-1", "1.5G", "12K", " 1", "1 ", "18446744073709551616", "0x10", "none"})
    EXPECT_THROW(parse_u64(bad, "x"), std::runtime_error) << bad;
  EXPECT_EQ(parse_i64("-5", "x"), -5);
}

TEST(ZfsParse, NameOriginListing) {
  auto e = parse_name_origin("tank/iocell\t-\ntank/iocell/jails/b/root\ttank/iocell/jails/a/root@b\n");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].origin, "");
  EXPECT_EQ(e[1].origin, "tank/iocell/jails/a/root@b");
  EXPECT_THROW(parse_name_origin("tank/iocell\n"), std::runtime_error);
}

TEST(ZfsParse, SnapshotsOfTheDatasetOnlyOldestFirst) {
  const std::string ds = "tank/iocell/jails/a/root";
  auto s = parse_snapshots(ds + "@b\t200\t10\t1\n" + ds + "@a\t100\t20\t2\n" + ds + "@c\t200\t30\t3\n", ds);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].name, "a");
  EXPECT_EQ(s[1].name, "b");
  EXPECT_EQ(s[2].name, "c");
  EXPECT_EQ(s[2].referenced, 30u);
  // A child's snapshot, a look-alike prefix, a bare name: not ours.
  EXPECT_THROW(parse_snapshots(ds + "/usr@a\t1\t1\t1\n", ds), std::runtime_error);
  EXPECT_THROW(parse_snapshots(ds + "x@a\t1\t1\t1\n", ds), std::runtime_error);
  EXPECT_THROW(parse_snapshots(ds + "@\t1\t1\t1\n", ds), std::runtime_error);
  EXPECT_THROW(parse_snapshots(ds + "@a\tMon Mar 3\t1\t1\n", ds), std::runtime_error);
}

TEST(ZfsParse, UsageWithAndWithoutTheRatioSuffix) {
  auto u = parse_usage("1000\t2000\t3000\t0\t4096\t2.05\n");
  EXPECT_FALSE(u.quota);
  ASSERT_TRUE(u.reservation);
  EXPECT_EQ(*u.reservation, 4096u);
  EXPECT_DOUBLE_EQ(u.compressratio, 2.05);
  EXPECT_DOUBLE_EQ(parse_usage("1\t2\t3\t5\t0\t1.00x\n").compressratio, 1.0);
  EXPECT_THROW(parse_usage("1\t2\t3\t0\t0\t1.5\n"), std::runtime_error);
  EXPECT_THROW(parse_usage("1\t2\t3\tnone\t0\t1.00\n"), std::runtime_error);
  EXPECT_THROW(parse_usage("1\t2\t3\t0\t0\t1.00\n1\t2\t3\t0\t0\t1.00\n"), std::runtime_error);
  EXPECT_THROW(parse_usage(""), std::runtime_error);
}

TEST(ZfsParse, PoolsAndMounts) {
  auto p = parse_pools("tank\tiocell\nzroot\t-\n");
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].comment, "iocell");
  EXPECT_TRUE(parse_pools("no pools available\n").empty());
  EXPECT_THROW(parse_pools("tank\n"), std::runtime_error);
  auto m = parse_mounts("tank/iocell\t/iocell\tyes\tyes\ntank/iocell/log\t/iocell/my log\tno\t-\n");
  EXPECT_TRUE(m[0].mounted);
  EXPECT_EQ(m[1].mountpoint, "/iocell/my log");
  EXPECT_THROW(parse_mounts("tank/iocell\t/iocell\tmaybe\tyes\n"), std::runtime_error);
}

namespace {
std::string begin(const std::string& hdrtype, const std::string& type, const std::string& flags, const std::string& toguid,
                  const std::string& fromguid, const std::string& toname) {
  return "BEGIN record\n\thdrtype = " + hdrtype + "\n\tfeatures = 4\n\tmagic = 2f5bacbac\n\tcreation_time = 0\n\ttype = " + type +
         "\n\tflags = " + flags + "\n\ttoguid = " + toguid + "\n\tfromguid = " + fromguid + "\n\ttoname = " + toname +
         "\n\tpayloadlen = 0\n";
}
}  // namespace

TEST(ZfsParse, ZstreamDumpBeginRecords) {
  const std::string out = begin("2", "0", "0x0", "0", "0", "tank/a@s") + "nvlist version: 0\n\ttoname = tank/evil@x\n" +
                          begin("1", "2", "0xc", "abc", "0", "tank/a@s") + "END checksum = 0/0/0/0\n" +
                          begin("1", "3", "0x5", "def", "abc", "tank/a/v@s") + "SUMMARY:\n\tTotal DRR_BEGIN records = 3\n";
  auto b = parse_zstream_dump(out);
  ASSERT_EQ(b.size(), 3u);  // the toname line inside the nvlist is no record
  EXPECT_EQ(b[0].hdrtype, 2u);
  EXPECT_EQ(b[1].flags, 0xcu);
  EXPECT_EQ(b[2].type, 3u);
  EXPECT_EQ(b[2].flags, 5u);
  EXPECT_EQ(b[2].fromguid, "abc");
  EXPECT_EQ(b[2].toname, "tank/a/v@s");
  EXPECT_TRUE(parse_zstream_dump("").empty());
}

TEST(ZfsParse, ZstreamDumpTruncatedOrReorderedRecordIsAnError) {
  std::string full = begin("1", "2", "0x0", "1", "0", "tank/a@s");
  EXPECT_THROW(parse_zstream_dump(full.substr(0, full.find("\ttoname"))), std::runtime_error);
  std::string swapped = full;
  swapped.replace(swapped.find("\ttoguid"), 7, "\tfromgx");
  EXPECT_THROW(parse_zstream_dump(swapped), std::runtime_error);
  EXPECT_THROW(parse_zstream_dump(begin("1", "2", "0x0", "zz", "0", "tank/a@s")), std::runtime_error);
  EXPECT_THROW(parse_zstream_dump(begin("1", "2", "12", "1", "0", "tank/a@s")), std::runtime_error);
  EXPECT_THROW(parse_zstream_dump(begin("1", "2", "0x0", "1", "0", "")), std::runtime_error);
}

TEST(ZfsParse, MountinfoFindsTheTopZfsMountWithEscapes) {
  const std::string info =
      "22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
      "40 22 0:40 / /iocell rw,noatime shared:20 - zfs tank/old rw,xattr\n"
      "41 22 0:41 / /iocell rw,noatime shared:21 - zfs tank/iocell rw,xattr\n"
      "42 41 0:42 / /iocell/my\\040jails rw shared:22 - zfs tank/iocell/my\\040jails rw\n"
      "43 41 0:43 / /iocell/tmp rw - tmpfs tmpfs rw\n"
      "garbage line\n";
  EXPECT_EQ(mountinfo_zfs_source(info, "/iocell"), "tank/iocell");
  EXPECT_EQ(mountinfo_zfs_source(info, "/iocell/my jails"), "tank/iocell/my jails");
  EXPECT_EQ(mountinfo_zfs_source(info, "/iocell/tmp"), "");
  EXPECT_EQ(mountinfo_zfs_source(info, "/"), "");
  EXPECT_EQ(mountinfo_zfs_source(info, "/nowhere"), "");
}

TEST(ZfsNames, LayoutMapsBothWays) {
  Layout l("tank", "/iocell");
  EXPECT_EQ(l.top(), "tank/iocell");
  EXPECT_EQ(l.full("jails/a/root"), "tank/iocell/jails/a/root");
  EXPECT_EQ(l.full_snapshot("jails/a/root", "s"), "tank/iocell/jails/a/root@s");
  EXPECT_EQ(*l.relative("tank/iocell/jails/a/root@s"), "jails/a/root@s");
  EXPECT_EQ(*l.relative("tank/iocell"), "");
  EXPECT_FALSE(l.relative("tank/iocellar/x"));
  EXPECT_FALSE(l.relative("zroot/iocell/x"));
  EXPECT_THROW(l.full(""), std::invalid_argument);
  EXPECT_THROW(l.full(std::string(250, 'a')), std::invalid_argument);
  EXPECT_TRUE(Layout::within("a/b/c", "a/b"));
  EXPECT_TRUE(Layout::within("a/b", "a/b"));
  EXPECT_FALSE(Layout::within("a/bc", "a/b"));
}

TEST(ZfsNames, ValuesOfSettableProperties) {
  for (const char* ok : {"none", "4G", "512M", "1.5T", "1073741824", "10g"}) EXPECT_NO_THROW(check_value("quota", ok)) << ok;
  for (const char* bad : {"", "4 G", "-1", "lots", "4G;rm"}) EXPECT_THROW(check_value("quota", bad), std::invalid_argument) << bad;
  for (const char* ok : {"lz4", "off", "gzip-9", "zstd-19", "zstd-fast-1000"}) EXPECT_NO_THROW(check_value("compression", ok)) << ok;
  EXPECT_NO_THROW(check_value("dedup", "sha256,verify"));
  for (const char* ok : {"none", "legacy", "/iocell/jails/9f1c1a2e", "/data"}) EXPECT_NO_THROW(check_value("mountpoint", ok)) << ok;
  for (const char* bad : {"/", "/a/", "a", "/a/../b", "/a\tb", "/a\nb"}) EXPECT_THROW(check_value("mountpoint", bad), std::invalid_argument) << bad;
  EXPECT_THROW(check_value("atime", "on"), std::invalid_argument);
}

// iocage 1.x's datasets as `zfs get -H -p -o name,source,property,value all`
// prints them (migrate reads them through Storage::foreign_datasets).
TEST(ZfsForeignDatasets, SplitsDatasetsUserAndNativeProperties) {
  const std::string out =
      "tank/iocage\tlocal\tmountpoint\t/iocage\n"
      "tank/iocage/jails/u1\tlocal\torg.freebsd.iocage:tag\tweb\n"
      "tank/iocage/jails/u1\treceived\torg.freebsd.iocage:release\t10.3-RELEASE\n"
      "tank/iocage/jails/u1\tinherited from tank/iocage\torg.freebsd.iocage:owner\tnobody\n"
      "tank/iocage/jails/u1\tlocal\torg.freebsd.iocage:notes\ta\tb\n"
      "tank/iocage/jails/u1\t-\torigin\ttank/iocage/releases/10.3-RELEASE@u1\n"
      "tank/iocage/jails/u1\tinherited from tank/iocage\tmountpoint\t/iocage/jails/u1\n"
      "tank/iocage/jails/u1\t-\tmounted\tyes\n"
      "tank/iocage/jails/u1\tdefault\tquota\t0\n"
      "tank/iocage/jails/u1\tlocal\treservation\t0\n"
      "tank/iocage/jails/u1\tlocal\tcompression\tlz4\n"
      "\n";
  const auto sets = parse_zfs_get_all(out, "org.freebsd.iocage:");
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[0].name, "tank/iocage");
  EXPECT_TRUE(sets[0].files.empty()) << "not said to be mounted";
  const auto& j = sets[1];
  EXPECT_EQ(j.name, "tank/iocage/jails/u1");
  // Inherited user properties belong to the parent, not to the jail.
  EXPECT_EQ(j.user, (std::map<std::string, std::string>{{"tag", "web"}, {"release", "10.3-RELEASE"}, {"notes", "a\tb"}}));
  EXPECT_EQ(j.origin, "tank/iocage/releases/10.3-RELEASE@u1");
  EXPECT_EQ(j.files, "/iocage/jails/u1");
  EXPECT_EQ(j.native_source.at("mountpoint"), "inherited from tank/iocage");
  // Only what was set on the dataset itself, in iocell's words.
  EXPECT_EQ(j.own, (std::map<std::string, std::string>{{"reservation", "none"}, {"compression", "lz4"}}));
}

TEST(ZfsForeignDatasets, RefusesALineWithoutFourColumns) {
  try {
    parse_zfs_get_all("tank/iocage\tlocal\tmountpoint\t/iocage\ntank/iocage mountpoint /iocage\n", "org.freebsd.iocage:");
    ADD_FAILURE() << "accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos) << e.what();
  }
}
