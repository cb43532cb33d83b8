// Every name iocell gives what it is still building or already taking
// apart. Writers make their names here and `clean` recognises them here: a
// name made anywhere else would be a leftover nothing ever removes
// (tests/unit/atomic_temp_names.cpp keeps the source tree to this).
#pragma once

#include <array>
#include <string>
#include <string_view>

#include <iocell/sdk/random.hpp>

namespace iocell::sdk::temp_names {

/// "jails/.new-<uuid>": a jail being created, cloned or imported, renamed
/// to "jails/<uuid>" when whole.
inline constexpr std::string_view kNewJail = ".new-";
/// "jails/.incoming-<uuid>": a jail arriving by `iocell receive` for the
/// first time, renamed to "jails/<uuid>" when whole; kept after an
/// interrupted transfer so that the next one resumes it.
inline constexpr std::string_view kIncoming = ".incoming-";
/// "releases/.staging-<release>-<pid>": a release being fetched.
inline constexpr std::string_view kStaging = ".staging-";
/// A dataset, jail or snapshot being destroyed: renamed out of sight first.
inline constexpr std::string_view kGone = ".iocell-gone-";
/// A snapshot copy being taken (dir storage).
inline constexpr std::string_view kSnap = ".iocell-snap-";
/// The other half of a rollback's exchange (btrfs): the fresh copy before
/// it swaps places with the dataset, the old content after.
inline constexpr std::string_view kRollback = ".iocell-rollback-";
/// A clone, copy or promoted copy being built beside its final name.
inline constexpr std::string_view kClone = ".iocell-clone-";
inline constexpr std::string_view kCopy = ".iocell-copy-";
inline constexpr std::string_view kPromote = ".iocell-promote-";
/// A file being replaced inside a tree by a rollback's sync.
inline constexpr std::string_view kSync = ".iocell-sync-";
/// A jail's config.json renamed to this name is no longer listed: the jail
/// is being destroyed, and `clean` finishes it.
inline constexpr std::string_view kGoneConfig = ".iocell-gone-config.json";
/// ".<file>.tmp-<hex>": a file being replaced atomically beside <file>.
inline constexpr std::string_view kFileTmp = ".tmp-";

/// The prefixes of whole datasets (directories, subvolumes) in flux.
inline constexpr std::array<std::string_view, 9> kDatasetPrefixes = {kNewJail, kIncoming, kStaging, kGone,   kSnap,
                                                                      kRollback, kClone,    kCopy,    kPromote};

/// "<prefix><base>-<8 hex digits>".
inline std::string make(std::string_view prefix, const std::string& base) {
  return std::string(prefix) + base + "-" + random_hex(8);
}

/// ".<file>.tmp-<12 hex digits>".
inline std::string file_tmp(const std::string& file) { return "." + file + std::string(kFileTmp) + random_hex(12); }

inline bool starts_with(std::string_view name, std::string_view prefix) { return name.substr(0, prefix.size()) == prefix; }

/// The prefix of a dataset in flux `name` starts with, "" for none.
inline std::string_view dataset_prefix(std::string_view name) {
  for (auto p : kDatasetPrefixes)
    if (starts_with(name, p)) return p;
  return {};
}

/// Whether `name` is "." + `file` + ".tmp-" + something.
inline bool is_file_tmp(std::string_view name, std::string_view file) {
  return name.size() > file.size() + 1 + kFileTmp.size() && name[0] == '.' && name.substr(1, file.size()) == file &&
         name.substr(1 + file.size(), kFileTmp.size()) == kFileTmp;
}

/// The <base> of a name made by make(prefix, base), "" if it is none.
inline std::string base_of(std::string_view name, std::string_view prefix) {
  if (!starts_with(name, prefix) || name.size() < prefix.size() + 10 || name[name.size() - 9] != '-') return {};
  return std::string(name.substr(prefix.size(), name.size() - prefix.size() - 9));
}

}  // namespace iocell::sdk::temp_names
