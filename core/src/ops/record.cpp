#include <iocell/core/ops/record.hpp>
#include <iocell/core/ops/transfer.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <set>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <iocell/core/config_store.hpp>
#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/lock.hpp>
#include <iocell/core/ops/lifecycle.hpp>
#include <iocell/core/ops/checksum.hpp>
#include <iocell/sdk/archive.hpp>
#include <iocell/sdk/file_tree.hpp>
#include <iocell/sdk/safe_root.hpp>

namespace iocell::core {

namespace fs = std::filesystem;

namespace {

// Traces of who logged in and what they typed: not part of what a package
// installs (the documented workflow prunes them).
bool login_record(const std::string& name) {
  static const std::set<std::string> names = {"wtmp", "btmp", "lastlog", ".history", ".sh_history", ".bash_history",
                                              ".ash_history", ".zsh_history", ".lesshst"};
  return names.count(name) || name.rfind("utx.", 0) == 0;
}

// Returns whether the directory is empty afterwards.
bool prune_dir(int dirfd, const fs::path& shown, std::uint64_t mount, PruneStats& stats) {
  bool empty = true;
  for (const auto& n : sdk::tree::detail::list(dirfd, shown)) {
    struct stat st {};
    if (::fstatat(dirfd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) sdk::tree::detail::fail("cannot examine", shown / n);
    bool remove = false;
    if (S_ISDIR(st.st_mode)) {
      sdk::UniqueFd d = sdk::tree::detail::open_dir_at(dirfd, n, shown / n);
      if (sdk::tree::detail::mount_id(d.get()) == mount && prune_dir(d.get(), shown / n, mount, stats)) {
        d.reset();
        if (::unlinkat(dirfd, n.c_str(), AT_REMOVEDIR) != 0) sdk::tree::detail::fail("cannot remove", shown / n);
        ++stats.dirs;
        continue;
      }
    } else if ((S_ISCHR(st.st_mode) && st.st_rdev == 0) || n.rfind(".wh.", 0) == 0) {
      // overlayfs (a 0/0 character device) and aufs-style whiteouts: the
      // jail deleted something of the layer below. A package only adds.
      ++stats.deletions;
      remove = true;
    } else if (S_ISREG(st.st_mode) && (st.st_size == 0 || login_record(n))) {
      ++stats.files;
      remove = true;
    }
    if (remove) {
      if (::unlinkat(dirfd, n.c_str(), 0) != 0) sdk::tree::detail::fail("cannot remove", shown / n);
      continue;
    }
    empty = false;
  }
  return empty;
}

std::string describe_rec(const JailRecord& rec) { return rec.uuid + " (" + rec.tag() + ")"; }

}  // namespace

fs::path recorded_dir(const JailRecord& rec) { return rec.home / "recorded"; }
fs::path recording_marker(const JailRecord& rec) { return rec.home / "recording"; }

PruneStats prune_recording(const fs::path& dir) {
  sdk::UniqueFd top(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!top) sdk::tree::detail::fail("cannot open", dir);
  PruneStats stats;
  prune_dir(top.get(), dir, sdk::tree::detail::mount_id(top.get()), stats);
  return stats;
}

RecordOutcome record_start(Context& ctx, const JailRecord& rec) {
  sdk::Recorder& recorder = ctx.recorder();
  const sdk::JailSpec spec = ctx.inventory().spec(rec);
  std::error_code ec;
  if (fs::exists(recording_marker(rec), ec) && recorder.active(spec))
    throw Refused(describe_rec(rec) + " is already recording into " + recorded_dir(rec).string());
  RecordOutcome out;
  out.restarted = run_state(ctx, rec).has_value();
  if (out.restarted) stop_jail(ctx, rec);
  {
    FileLock lock(ctx.locks_dir() / rec.uuid, "jail " + rec.uuid);
    // The jail is stopped here. The recorder starts once now, so that one
    // that cannot work on this jail says so at once; the recording itself
    // resumes with every start (a stopped jail holds no mounts).
    StoppedRootMount files(ctx, rec);
    if (!recorder.active(spec)) recorder.start(spec, recorded_dir(rec));
    if (!ctx.dry_run()) write_file_atomic(recording_marker(rec), ctx.local_time("%F_%T") + "\n", 0600);
    recorder.stop(spec);
  }
  if (out.restarted) start_jail(ctx, ctx.inventory().reload(rec));
  return out;
}

RecordStopOutcome record_stop(Context& ctx, const JailRecord& rec) {
  sdk::Recorder& recorder = ctx.recorder();
  const sdk::JailSpec spec = ctx.inventory().spec(rec);
  std::error_code ec;
  const bool marked = fs::exists(recording_marker(rec), ec);
  if (!marked && !recorder.active(spec)) throw Refused(describe_rec(rec) + " is not recording (iocell record start TARGET starts it)");
  RecordStopOutcome out;
  out.restarted = run_state(ctx, rec).has_value();
  if (out.restarted) stop_jail(ctx, rec);
  {
    FileLock lock(ctx.locks_dir() / rec.uuid, "jail " + rec.uuid);
    if (recorder.active(spec)) recorder.stop(spec);
    if (!ctx.dry_run()) {
      fs::remove(recording_marker(rec), ec);
      if (fs::is_directory(recorded_dir(rec), ec)) out.pruned = prune_recording(recorded_dir(rec));
    }
  }
  if (out.restarted) start_jail(ctx, ctx.inventory().reload(rec));
  return out;
}

void suspend_recording(Context& ctx, const sdk::JailSpec& spec) {
  std::error_code ec;
  if (!fs::exists(spec.home / "recording", ec)) return;
  sdk::Recorder& recorder = ctx.recorder();
  if (recorder.active(spec)) recorder.stop(spec);
}

void resume_recording(Context& ctx, const sdk::JailSpec& spec) {
  std::error_code ec;
  if (!fs::exists(spec.home / "recording", ec)) return;
  sdk::Recorder& recorder = ctx.recorder();
  if (!recorder.active(spec)) recorder.start(spec, spec.home / "recorded");
}

PackageOutcome package_jail(Context& ctx, const JailRecord& rec) {
  std::error_code ec;
  if (fs::exists(recording_marker(rec), ec))
    throw Refused(describe_rec(rec) + " is still recording: run iocell record stop " + rec.uuid + " first");
  const fs::path dir = recorded_dir(rec);
  if (!fs::is_directory(dir, ec)) throw NotFound(describe_rec(rec) + " has recorded nothing (no " + dir.string() + "; iocell record start TARGET)");
  if (fs::is_empty(dir, ec)) throw Refused("nothing is recorded in " + dir.string() + ": a package would be empty");
  FileLock lock(ctx.locks_dir() / rec.uuid, "jail " + rec.uuid);
  const fs::path packages = ctx.root() / "packages";
  fs::create_directories(packages, ec);
  PackageOutcome out;
  out.archive = packages / (rec.uuid + ".tar.xz");
  out.checksum = packages / (rec.uuid + ".sha256");
  if (ctx.dry_run()) return out;
  sdk::TarOptions opts;
  opts.devices = sdk::TarOptions::Devices::Refuse;
  opts.top_entry = false;
  auto stats = ctx.archiver().write_tar_xz(dir, out.archive, opts);
  out.entries = stats.entries;
  out.sha256 = write_checksum(out.archive, out.checksum);
  // What import needs to pick a vanilla jail the package fits on.
  nlohmann::json manifest = {{"uuid", rec.uuid}, {"tag", rec.tag()},     {"release", rec.get("release")},
                             {"type", rec.get("type")}, {"created", ctx.local_time("%F_%T")}, {"format", "package"},
                             {"expanded_bytes", expanded_bytes(stats)}};
  write_file_atomic(packages / (rec.uuid + ".json"), manifest.dump(2) + "\n");
  return out;
}

}  // namespace iocell::core
