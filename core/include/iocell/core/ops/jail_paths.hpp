// Paths inside a jail's root, reached from the host one component at a time
// without following a symbolic link: the jail may have planted one to turn a
// host-side read, write or mount onto the host's own files.
#pragma once

#include <filesystem>
#include <string>

#include <iocell/sdk/file_tree.hpp>

namespace iocell::core {

/// What a missing component means to the caller.
enum class WhenMissing {
  NotFound,  ///< the path must exist: NotFound naming it
  Stop,      ///< what is missing is made later (a mount point): the walk ends there
};

struct JailWalk {
  sdk::UniqueFd fd;      ///< the last component reached (O_PATH when it is no directory)
  bool complete = true;  ///< every component exists
};

/// Walks `rel` (relative) below `root`. A symbolic link on the way is
/// Refused naming it as the jail sees it and `jail` (its "UUID (tag)").
/// With `directories_only`, every component must be a directory.
JailWalk walk_in_jail(const std::filesystem::path& root, const std::filesystem::path& rel, const std::string& jail, WhenMissing missing,
                      bool directories_only);

}  // namespace iocell::core
