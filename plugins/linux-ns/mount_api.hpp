// The building blocks of mounts.cpp (the new mount API through
// descriptors), shared by a jail's root and an OCI container's root.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "mounts.hpp"
#include "ns_util.hpp"

namespace iocell::plugins::linux_ns {

/// A new, detached filesystem: fsopen, fsconfig per param (empty value = flag), fsmount.
UniqueFd make_fs(const std::string& type, const std::string& source,
                 const std::vector<std::pair<std::string, std::string>>& params, unsigned attrs,
                 const std::string& shown);
/// mount_setattr(MOUNT_ATTR_*) on the whole tree of a mount descriptor.
void set_attrs(int mntfd, std::uint64_t attrs, const std::string& shown);
/// Moves a detached mount onto the directory `target_fd` refers to.
void attach(int mntfd, int target_fd, const std::string& shown);
/// A recursive copy of the tree at (dirfd, path), detached until attached.
UniqueFd clone_tree(int dirfd, const char* path, const std::string& shown);
/// Makes /proc's kernel switches read-only and masks what reads kernel memory.
void protect_proc(int procfd, int devfd);
/// null, zero, full, random, urandom, tty, the `granted` nodes; pts and shm
/// directories; the fd links. Modes are exact only under umask 0.
void populate_dev(int devfd, const std::vector<DeviceNode>& granted = {});
/// Creates `rel` below rootfd (no symlink followed) and opens it O_PATH.
UniqueFd mount_point(int rootfd, const std::filesystem::path& rel, const std::string& shown);
/// pivot_root(".", ".") into `root` and detaches the old root.
void pivot(const std::filesystem::path& root);

}  // namespace iocell::plugins::linux_ns
