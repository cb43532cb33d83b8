// Replication one subvolume at a time (iocell send / receive): btrfs send
// [-p parent] of a snapshot, and btrfs receive of it into the dataset's
// snapshot directory, whose newest snapshot the dataset then becomes.
// btrfs receive cannot resume; an interrupted receive leaves a writable,
// incomplete subvolume that prepare_receive removes, so the next transfer
// restarts from the last complete snapshot.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <iocell/sdk/safe_root.hpp>
#include <iocell/sdk/temp_names.hpp>

#include "btrfs_storage.hpp"
#include "btrfs_stream.hpp"

namespace iocell::plugins::btrfs {

namespace fs = std::filesystem;
namespace rec = sdk::records;

namespace {

constexpr const char* kSpool = "receiving";

void copy_all(int from, int to, const std::string& what) {
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(from, buf, sizeof buf);
    if (n == 0) return;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error("cannot read the stream for " + what + ": " + std::strerror(errno));
    for (ssize_t done = 0; done < n;) {
      const ssize_t w = ::write(to, buf + done, static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) throw std::runtime_error("cannot hold the stream for " + what + ": " + std::strerror(errno));
      done += w;
    }
  }
}

}  // namespace

void BtrfsStorage::send_delta(const std::string& dataset, const std::string& from, const std::string& to, int out_fd) {
  rec::validate_dataset(dataset);
  rec::validate_snapshot(to);
  if (!is_subvolume(snap_path(dataset, to))) throw std::runtime_error("snapshot " + dataset + "@" + to + " does not exist");
  sdk::Command cmd{"btrfs", "send", "-q"};
  if (!from.empty()) {
    rec::validate_snapshot(from);
    if (!is_subvolume(snap_path(dataset, from))) throw std::runtime_error("snapshot " + dataset + "@" + from + " does not exist");
    cmd.argv.insert(cmd.argv.end(), {"-p", snap_path(dataset, from).string()});
  }
  cmd.argv.push_back(snap_path(dataset, to).string());
  cmd.stdout_fd = out_fd;
  m_host.runner->check(cmd);
}

void BtrfsStorage::send_resumed(const std::string& dataset, const std::string& token, int out_fd) {
  (void)out_fd;
  throw std::runtime_error("btrfs streams cannot be resumed (asked for " + dataset + " with token '" + token +
                           "'); the transfer restarts from the last complete snapshot");
}

sdk::ReceiveState BtrfsStorage::prepare_receive(const std::string& dataset) {
  rec::validate_dataset(dataset);
  sdk::ReceiveState state;
  const fs::path dir = snap_dir(dataset);
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(dir, ec))) return state;
  if (!m_host.dry_run) {
    std::vector<fs::path> partial;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      const std::string n = e.path().filename().string();
      if (sdk::temp_names::is_file_tmp(n, kSpool)) partial.push_back(e.path());
      else if (is_subvolume(e.path()) && !subvol_info(e.path()).readonly) partial.push_back(e.path());
    }
    for (const auto& p : partial) {
      info("removing what an interrupted receive left: " + p.string());
      if (is_subvolume(p)) m_subvols.remove(p);
      else fs::remove(p, ec);
    }
  }
  for (const auto& s : list_snaps(dataset)) state.snapshots.push_back(s.name);
  // Killed between the receive and the swap: the snapshot is whole, the
  // dataset still the previous one (or missing); finishing it here keeps
  // "the dataset is its newest snapshot" true for the next increment.
  if (!state.snapshots.empty() && !m_host.dry_run && !is_subvolume(m_root / dataset) && exists(rec::parent_of(dataset)))
    become_snapshot(dataset, state.snapshots.back());
  return state;
}

void BtrfsStorage::become_snapshot(const std::string& dataset, const std::string& snap) {
  const fs::path live = m_root / dataset;
  if (is_subvolume(live)) {
    rollback(dataset, snap);
    return;
  }
  // A child's place is the empty directory its parent's snapshot holds.
  if (::rmdir(live.c_str()) != 0 && errno != ENOENT)
    throw std::runtime_error("cannot place " + dataset + ": " + live.string() + " is not an empty directory in its parent");
  if (!fs::is_directory(live.parent_path())) throw std::runtime_error("cannot place " + dataset + ": its parent does not exist");
  m_subvols.snapshot(snap_path(dataset, snap), live, false);
}

void BtrfsStorage::receive_delta(const std::string& dataset, int in_fd) {
  rec::validate_dataset(dataset);
  const fs::path dir = snap_dir(dataset);
  const sdk::Command receive{"btrfs", "receive", "-e", "--chroot", dir.string()};
  if (m_host.dry_run) {
    sdk::Command cmd = receive;
    cmd.stdin_fd = in_fd;
    m_host.runner->check(cmd);
    return;
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create " + dir.string() + ": " + ec.message());
  // Held in a file first: the stream is checked whole before btrfs sees it,
  // and a cut stream never reaches it.
  const fs::path spool = dir / sdk::temp_names::file_tmp(kSpool);
  sdk::UniqueFd held(::open(spool.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!held) throw std::runtime_error("cannot create " + spool.string() + ": " + std::strerror(errno));
  fs::path landed;
  try {
    copy_all(in_fd, held.get(), dataset);
    if (::lseek(held.get(), 0, SEEK_SET) != 0) throw std::runtime_error("cannot rewind " + spool.string());
    const StreamFacts facts = check_stream(held.get(), true);
    rec::validate_snapshot(facts.subvolume);
    landed = snap_path(dataset, facts.subvolume);
    if (fs::exists(fs::symlink_status(landed)))
      throw std::runtime_error("snapshot " + dataset + "@" + facts.subvolume + " is here already");
    if (facts.increment && !is_subvolume(m_root / dataset))
      throw std::runtime_error("an increment for " + dataset + ", which does not exist here");
    if (!facts.increment && is_subvolume(m_root / dataset))
      throw std::runtime_error("a whole stream for " + dataset + ", which exists here already");
    if (::lseek(held.get(), 0, SEEK_SET) != 0) throw std::runtime_error("cannot rewind " + spool.string());
    sdk::Command cmd = receive;
    cmd.stdin_fd = held.get();
    m_host.runner->check(cmd);
    if (!is_subvolume(landed) || !subvol_info(landed).readonly)
      throw std::runtime_error("btrfs receive did not make the read-only snapshot " + landed.string());
    fs::remove(spool, ec);
    become_snapshot(dataset, facts.subvolume);
  } catch (...) {
    fs::remove(spool, ec);
    if (!landed.empty() && is_subvolume(landed) && !subvol_info(landed).readonly) m_subvols.remove(landed);
    throw;
  }
}

}  // namespace iocell::plugins::btrfs
