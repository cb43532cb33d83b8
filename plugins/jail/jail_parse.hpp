// Parsers for what jls(8), jail(8) -i and mount(8) -p print.
#pragma once

#include <string>
#include <vector>

#include <iocell/sdk/jail.hpp>

namespace iocell::plugins::jail {

/// The jails of `jls --libxo json name jid path ip4.addr` whose name starts
/// with "ioc-". Accepts libxo __version "1", "2" and "3"; jid as a number or a
/// string; ip4.addr as a string, a list, or a list nested in objects (libxo
/// renders the leaf-list inside a list without a documented shape).
/// Throws on a document that is not JSON or lacks jail-information.jail;
/// skips (and reports in `skipped`) entries without a usable name or jid.
std::vector<sdk::RunState> parse_jls_json(const std::string& text, std::vector<std::string>* skipped = nullptr);

/// The JID `jail -i -c` printed (one decimal line). Throws otherwise.
std::int64_t parse_jid(const std::string& text);

struct MountEntry {
  std::string device;
  std::string mountpoint;
  std::string fstype;
};

/// Lines of `mount -p` or of an fstab(5) file: fields separated by blanks,
/// '#' comments, \040-style octal escapes in names (getfsent(3)).
std::vector<MountEntry> parse_fstab(const std::string& text);

}  // namespace iocell::plugins::jail
