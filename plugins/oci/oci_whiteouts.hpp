// OCI whiteouts: a layer entry ".wh.NAME" deletes NAME of the layers below,
// "DIR/.wh..wh..opq" empties DIR of what the layers below put there. Both
// apply to lower layers only, so a layer's whiteouts are applied before its
// files are written. Deletions walk the root by directory descriptors and
// never follow a symbolic link.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <iocell/sdk/safe_root.hpp>

namespace iocell::plugins::oci {

struct Whiteout {
  std::filesystem::path dir;  ///< relative to the root, "" for the top
  std::string name;           ///< what to delete in dir; "" for an opaque dir
  bool opaque = false;
};

/// The whiteout an entry path spells, nullopt when the entry is none. Throws
/// std::runtime_error naming the entry for a whiteout that escapes the root
/// (absolute, "..") or names nothing ("./.wh..", ".wh." alone) or another
/// reserved ".wh..wh." name.
std::optional<Whiteout> parse_whiteout(const std::string& entry);

/// Deletes what `w` names below `root`. Missing targets are fine (a
/// whiteout may name what no lower layer made); a symbolic link or a
/// non-directory on the way to it is refused.
void apply_whiteout(const sdk::SafeRoot& root, const Whiteout& w);

/// Removes `name` in the directory `dirfd` and, for a directory, all it
/// holds, without following symbolic links. A missing name is fine.
void remove_tree_at(int dirfd, const std::string& name);

}  // namespace iocell::plugins::oci
