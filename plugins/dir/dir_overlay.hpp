// Overlay mounts for thin clones on the dir backend (Linux only): the
// read-only snapshot copy is the lower layer, and the clone's own changes
// go to an upper directory beside it. Overlay mounts do not survive a
// reboot, so Storage::mount re-creates them.
#pragma once

#include <filesystem>
#include <string>

namespace iocell::plugins::dir {

/// Whether this process can mount overlayfs: Linux, root, overlay built in.
bool overlay_supported();
/// Mounts lower+upper+work at target; throws with the kernel's reason.
void mount_overlay(const std::filesystem::path& lower, const std::filesystem::path& upper,
                   const std::filesystem::path& work, const std::filesystem::path& target, bool readonly);
/// Unmounts target when something is mounted there; refuses a busy mount.
void unmount_path(const std::filesystem::path& target);

}  // namespace iocell::plugins::dir
