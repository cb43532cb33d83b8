// A jail's fstab (<home>/fstab, jail(8)'s mount.fstab): list, add, remove,
// edit, each entry checked before the file changes.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <iocell/core/inventory.hpp>

namespace iocell::core {

class Context;

struct FstabEntry {
  std::string source, target, type, options, dump = "0", pass = "0";
  std::string target_in_jail;  ///< the mount point as the jail sees it ("/mnt/data")
  int line = 0;                ///< 1-based line number in the file
};

/// The entries of the jail's fstab, in order (comments and blank lines skipped).
std::vector<FstabEntry> fstab_entries(Context& ctx, const JailRecord& rec);

/// Adds "SOURCE DEST [TYPE [OPTIONS [DUMP [PASS]]]]" (TYPE nullfs and OPTIONS
/// ro by default). DEST is a path inside the jail, or a host path below its
/// root; it is written as the host path, as jail(8) needs it. Returns the
/// entry as written. Refused, with the file unchanged, when: the line has
/// too many fields; DEST leaves the jail's root, crosses a symbolic link
/// inside it, or is mounted on already; a nullfs SOURCE does not exist on
/// the host; the runtime cannot mount it.
FstabEntry fstab_add(Context& ctx, const JailRecord& rec, const std::vector<std::string>& words);

/// Removes the entry numbered `which` (as fstab_entries numbers them from 1)
/// or whose mount point in the jail is `which`. Returns what was removed.
FstabEntry fstab_remove(Context& ctx, const JailRecord& rec, const std::string& which);

/// Replaces the whole fstab with `text` after the same checks, every line.
void fstab_replace(Context& ctx, const JailRecord& rec, const std::string& text);

/// Opens a copy of the fstab in `editor` (argv; the file is appended), then
/// installs what was saved through fstab_replace. A refused edit leaves the
/// fstab as it was and the edited copy beside it, named in the error.
void fstab_edit(Context& ctx, const JailRecord& rec, std::vector<std::string> editor);

}  // namespace iocell::core
