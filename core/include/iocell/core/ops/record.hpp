// record start|stop and package: every change to a jail's root lands in
// <home>/recorded (a union or overlay above the root), which is then pruned
// and packed as packages/<UUID>.tar.xz with a .sha256 beside it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <iocell/core/inventory.hpp>
#include <iocell/sdk/jail.hpp>

namespace iocell::core {

class Context;

/// <home>/recorded: the upper layer.
std::filesystem::path recorded_dir(const JailRecord& rec);
/// <home>/recording: present while recording is on, so that the jail's stop
/// and start can take the layer down and put it back.
std::filesystem::path recording_marker(const JailRecord& rec);

struct RecordOutcome {
  /// A running jail cannot see a mount made under its root after it
  /// started: it was stopped and started again on top of the new layer.
  bool restarted = false;
};

/// Mounts the recorder's layer over the jail's root (stopped jail: at once;
/// running jail: stop, mount, start).
RecordOutcome record_start(Context& ctx, const JailRecord& rec);

struct PruneStats {
  std::uint64_t files = 0;      ///< empty files and login records removed
  std::uint64_t dirs = 0;       ///< empty directories removed
  std::uint64_t deletions = 0;  ///< whiteouts (files the jail deleted) dropped: a package only adds
};

struct RecordStopOutcome {
  bool restarted = false;
  PruneStats pruned;
};

/// Takes the layer down (a running jail is stopped and started again) and
/// prunes what a package should not carry.
RecordStopOutcome record_stop(Context& ctx, const JailRecord& rec);

/// Removes from a recorded tree: whiteouts, login records (utx.*, wtmp,
/// btmp, lastlog), shell histories, empty files, and the directories left
/// empty. Never follows a symlink; never removes `dir` itself.
PruneStats prune_recording(const std::filesystem::path& dir);

/// Takes the layer down before the jail stops (the storage may unmount what
/// is on top of the root) and puts it back after the storage mounted the
/// root at start, when the marker says recording is on. For the start and
/// stop sequence (core/src/ops/lifecycle.cpp).
void suspend_recording(Context& ctx, const sdk::JailSpec& spec);
void resume_recording(Context& ctx, const sdk::JailSpec& spec);

struct PackageOutcome {
  std::filesystem::path archive;   ///< packages/<UUID>.tar.xz
  std::filesystem::path checksum;  ///< packages/<UUID>.sha256
  std::string sha256;
  std::uint64_t entries = 0;
};

/// package TARGET: packs <home>/recorded. Refused while recording is on.
PackageOutcome package_jail(Context& ctx, const JailRecord& rec);

}  // namespace iocell::core
