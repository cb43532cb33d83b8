// Replication streams for export and import (zfs-send(8), zfs-receive(8)).
// A stream is untrusted input: its dataset names and properties come from
// whoever made the file (peers.md 5C).
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <stdexcept>

#include "zfs_storage.hpp"

namespace iocell::plugins::zfs {
namespace {

// The datasets a stream creates under `full_target`, from its BEGIN records,
// with the reasons to refuse it. libzfs names each received dataset
// TARGET + (its sent name minus the top sent filesystem) when neither -d nor
// -e is given (lib/libzfs/libzfs_sendrecv.c zfs_receive_one), so a name
// outside the sent filesystem, a volume, or a clone or increment of a
// snapshot the stream does not carry (found by guid anywhere in the pool:
// another jail's data) is what to look for.
std::set<std::string> plan_receive(const std::vector<StreamBegin>& begins, const std::string& full_target,
                                   std::vector<std::string>& bad) {
  std::set<std::string> datasets;
  if (begins.empty()) {
    bad.push_back("no dataset at all (is it a zfs send stream?)");
    return datasets;
  }
  const std::string sendfs = dataset_of(begins.front().toname);
  const size_t first = begins.front().hdrtype == 2 ? 1 : 0;
  if (first >= begins.size()) bad.push_back("an empty replication stream");
  std::set<std::string> guids;
  for (size_t i = first; i < begins.size(); ++i) {
    const StreamBegin& b = begins[i];
    const std::string ds = dataset_of(b.toname);
    const size_t at = b.toname.find('@');
    bool ok = b.hdrtype == 1 && at != std::string::npos && Layout::within(ds, sendfs);
    try {
      if (ok && ds != sendfs) check_dataset(ds.substr(sendfs.size() + 1));
      if (ok) check_snapshot(b.toname.substr(at + 1));
    } catch (const std::invalid_argument&) {
      ok = false;
    }
    if (!ok) {
      bad.push_back(b.toname + " (not below " + sendfs + ")");
      continue;
    }
    const std::string dest = full_target + ds.substr(sendfs.size());
    if (b.type != 2) bad.push_back(dest + " (a volume or other non-filesystem, type " + std::to_string(b.type) + ")");
    if (b.fromguid != "0" && !guids.count(b.fromguid))
      bad.push_back(dest + std::string(b.flags & 1u ? " (a clone" : " (an increment") + " of a snapshot the stream does not carry)");
    guids.insert(b.toguid);
    datasets.insert(dest);
  }
  return datasets;
}

// -u: nothing is mounted before it is checked. -x: the stream's mountpoint
// (a host path of the sender's choice) and share settings (exporting the
// jail's files over NFS/SMB) are ignored; the datasets inherit from the
// target's parent. canmount=noauto keeps the top unmounted at the next boot
// too, should iocell stop before it has checked what arrived. Never -F
// (rolls back or destroys what exists) and never -d/-e (the stream would
// choose the names).
std::vector<std::string> receive_argv(const std::string& full_target) {
  return {"zfs", "receive", "-u", "-x", "mountpoint", "-x", "sharenfs", "-x", "sharesmb", "-o", "canmount=noauto", full_target};
}

}  // namespace

void ZfsStorage::send(const std::string& dataset, const std::string& snap, int out_fd) {
  if (out_fd < 0) throw std::invalid_argument("zfs send of " + dataset + "@" + snap + ": no output descriptor");
  sdk::Command cmd{"zfs", "send", "-R", layout().full_snapshot(dataset, snap)};
  cmd.stdout_fd = out_fd;
  m_zfs.check(cmd);
}

void ZfsStorage::receive(const std::string& target, int in_fd) {
  const std::string full_target = layout().full(target);
  if (in_fd < 0) throw std::invalid_argument("zfs receive into " + target + ": no input descriptor");
  const off_t start = ::lseek(in_fd, 0, SEEK_CUR);
  if (start < 0)
    throw std::runtime_error("zfs receive into " + target + " needs the stream in a file (it is read twice: checked, then applied): " +
                             std::strerror(errno));

  // `zfs receive -n -v` cannot be the check: for a new target it fails on
  // the second dataset or snapshot of any replication stream, because the
  // dry run creates nothing and the next record needs it (libzfs_sendrecv.c
  // zfs_receive_one opens the parent even in a dry run; openzfs #6773,
  // #15380). zstream dump reads every record header and checks checksums.
  sdk::Command dump{"zstream", "dump"};
  dump.stdin_fd = in_fd;
  const auto dumped = m_zfs.check(dump);
  if (::lseek(in_fd, start, SEEK_SET) != start)
    throw std::runtime_error("cannot rewind the stream for " + target + ": " + std::strerror(errno));
  std::set<std::string> expected;
  // --dry-run: the recorder answered with nothing; there is nothing to check
  // and nothing will be received.
  if (!m_host.dry_run) {
    std::vector<std::string> bad;
    expected = plan_receive(parse_zstream_dump(dumped.out), full_target, bad);
    if (!bad.empty()) {
      std::string list;
      for (const auto& b : bad) list += (list.empty() ? "" : ", ") + b;
      throw std::runtime_error("refusing the stream for " + target + ": it holds " + list + "; expected: " + full_target +
                               " and filesystems below it, with every snapshot they need");
    }
  }

  sdk::Command apply(receive_argv(full_target));
  apply.stdin_fd = in_fd;
  m_zfs.check(apply);
  changed();
  forget_tree();
  if (!m_host.dry_run) verify_received(full_target, expected);
}

void ZfsStorage::verify_received(const std::string& full_target, const std::set<std::string>& expected) {
  const auto rows = split_rows(
      m_zfs.check({"zfs", "list", "-H", "-t", "filesystem,volume", "-o", "name,type,origin,canmount,jailed", "-r", full_target}).out,
      5, "zfs list -o name,type,origin,canmount,jailed -r " + full_target);
  // What arrived is checked again: the file may have changed since it was
  // read, and a clone's origin is looked up by guid in the whole pool.
  std::string unexpected;
  for (const auto& r : rows) {
    std::string why;
    if (r[1] != "filesystem") why = " (a " + r[1] + ")";
    else if (!expected.count(r[0])) why = " (not announced by the stream's headers)";
    else if (r[2] != "-" && !Layout::within(dataset_of(r[2]), full_target)) why = " (a clone of " + r[2] + ")";
    if (!why.empty()) unexpected += (unexpected.empty() ? "" : ", ") + r[0] + why;
  }
  if (!unexpected.empty()) {
    m_zfs.run({"zfs", "destroy", "-r", full_target});
    changed();
  forget_tree();
    throw std::runtime_error("the stream received into " + full_target + " brought " + unexpected + "; it was removed again");
  }
  m_zfs.check({"zfs", "set", "canmount=on", full_target});
  for (const auto& r : rows) {
    // Jailed datasets are the jail's to mount; children received with
    // canmount=off or noauto stay unmounted.
    if (r[4] == "on" || (r[0] != full_target && r[3] != "on")) continue;
    m_zfs.check({"zfs", "mount", r[0]});
  }
  changed();
  forget_tree();
}

}  // namespace iocell::plugins::zfs
