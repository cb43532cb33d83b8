// A jail's files from the host: `cp` in both directions and `logs`.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include <iocell/core/inventory.hpp>

namespace iocell::core {

class Context;

/// cp HOST_PATH TARGET:/PATH: a file or a directory tree from the host into
/// the jail, with the owner, mode and times it has. The jail's side is
/// reached one component at a time without following a symbolic link (the
/// jail may have planted one to redirect the write onto the host); an
/// existing directory receives the source under its own name, an existing
/// file is replaced atomically. Returns the path written, in the jail.
std::string copy_into_jail(Context& ctx, const JailRecord& rec, const std::filesystem::path& host_src, const std::string& jail_dest);

/// cp TARGET:/PATH HOST_PATH: the other way; a symbolic link inside a copied
/// tree is copied as a link, never followed. Returns the host path written.
std::filesystem::path copy_out_of_jail(Context& ctx, const JailRecord& rec, const std::string& jail_src,
                                       const std::filesystem::path& host_dest);

/// logs TARGET: the jail's console log (what exec_start and exec_stop
/// wrote), its last `lines` lines when given; with `follow`, then what is
/// appended, until the process is interrupted.
void print_console_log(Context& ctx, const JailRecord& rec, std::optional<std::size_t> lines, bool follow);

}  // namespace iocell::core
