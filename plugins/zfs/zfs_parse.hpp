// Parsers of zfs(8), zpool(8) and mount-table output. Scripted output (-H)
// has one row per line and fields separated by exactly one tab; values may
// hold spaces (mountpoints, "inherited from tank"), so only tabs split.
// Every parser throws on a row it does not understand rather than guess.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <iocell/sdk/storage.hpp>

namespace iocell::plugins::zfs {

/// Rows of `-H` output, each exactly `fields` tab-separated values. Blank
/// lines are skipped. `what` names the command in errors.
std::vector<std::vector<std::string>> split_rows(const std::string& out, size_t fields, const std::string& what);

/// An exact integer as `-p` prints it.
std::uint64_t parse_u64(const std::string& value, const std::string& what);
std::int64_t parse_i64(const std::string& value, const std::string& what);

/// `zfs list -H -p -t filesystem -o name,origin ...`
struct FsEntry {
  std::string name;    ///< full ZFS name
  std::string origin;  ///< "pool/fs@snap", or "" when not a clone
};
std::vector<FsEntry> parse_name_origin(const std::string& out);

/// `zfs list -H -p -t snapshot -o name,creation,referenced,used -d 1 DS`:
/// the snapshots of DS itself, oldest first (rows of other datasets are an
/// error: the caller asked for DS only).
std::vector<sdk::SnapshotInfo> parse_snapshots(const std::string& out, const std::string& full_dataset);

/// `zfs list -H -p -o used,available,referenced,quota,reservation,compressratio DS`.
/// With -p a quota or reservation of none is 0 and compressratio is "1.50"
/// (no trailing x; lib/libzfs/libzfs_dataset.c zfs_prop_get).
sdk::SpaceUsage parse_usage(const std::string& out);

/// `zfs get -H -p -o name,source,property,value all TOP`: one entry per
/// dataset; user properties with `user_prefix` go to `user` when set on the
/// dataset itself (local or received). Throws on a line of fewer columns.
std::vector<sdk::ForeignDataset> parse_zfs_get_all(const std::string& out, const std::string& user_prefix);

/// `zpool list -H -o name,comment`.
struct PoolEntry {
  std::string name;
  std::string comment;  ///< "-" when unset
};
std::vector<PoolEntry> parse_pools(const std::string& out);

/// `zfs list -H -p -t filesystem -o name,org.iocell:active,mountpoint -d 1 POOL...`
struct TopEntry {
  std::string name;
  std::string active;      ///< "yes", or "-" when unset
  std::string mountpoint;
};
std::vector<TopEntry> parse_tops(const std::string& out);

/// `zfs list -H -p -t filesystem -o name,mountpoint,mounted,org.iocell:active -d 1 POOL/iocell`
struct MountEntry {
  std::string name;
  std::string mountpoint;
  bool mounted = false;
  std::string active;  ///< "yes", or "-" when unset
};
std::vector<MountEntry> parse_mounts(const std::string& out);

/// `zfs get -H -o property,value P1,P2 DS`: property -> value.
std::vector<std::pair<std::string, std::string>> parse_properties(const std::string& out);

/// One BEGIN record of a send stream as `zstream dump` prints it
/// (cmd/zstream/zstream_dump.c: "BEGIN record" then ten "\tkey = value"
/// lines in a fixed order). A replication stream (zfs send -R) starts with
/// a compound header (hdrtype 2) followed by one substream (hdrtype 1) per
/// snapshot.
struct StreamBegin {
  unsigned hdrtype = 0;    ///< 1 substream, 2 compound header
  unsigned type = 0;       ///< dmu_objset_type_t: 2 filesystem, 3 volume
  unsigned flags = 0;      ///< DRR_FLAG_CLONE is 1
  std::string toguid;      ///< hex as printed
  std::string fromguid;    ///< hex, "0" for a full stream
  std::string toname;      ///< "pool/fs@snap" on the sending side
};
/// Every BEGIN record, in stream order. Lines outside BEGIN records (the
/// nvlists, END records, the summary) are skipped; a BEGIN record that is
/// not exactly the ten known lines throws.
std::vector<StreamBegin> parse_zstream_dump(const std::string& out);

/// The source of the topmost zfs mount at exactly `path` in a Linux
/// /proc/self/mountinfo text (octal escapes such as \040 decoded), "" when
/// none.
std::string mountinfo_zfs_source(const std::string& mountinfo, const std::string& path);

}  // namespace iocell::plugins::zfs
