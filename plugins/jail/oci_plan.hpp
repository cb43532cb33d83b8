// The jail(8), mount(8), jexec(8) and limits(1) words of an OCI container on
// FreeBSD, computed from its description (sdk/oci.hpp) without running
// anything, so that each can be pinned by a transcript. Every field the
// FreeBSD runtime cannot honour is refused here, naming it, before anything
// is changed on the host.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <iocell/sdk/oci.hpp>

namespace iocell::plugins::jail {

/// One mount of the container: its point relative to the root ("" for the
/// root itself) and the mount(8) argv that makes it.
struct OciMount {
  std::filesystem::path rel;
  bool file = false;  ///< a nullfs of a regular file onto a file
  std::vector<std::string> argv;
};

/// Throws, naming the field, for what a jail cannot carry: namespaces,
/// capabilities, sysctls, masked or read-only paths, a terminal, a
/// freebsd.jail parameter outside the list below.
void check_oci_container(const sdk::oci::Container& c);

/// `jail -c name=ID path=ROOT [host.hostname=H] PARAMS... persist`.
std::vector<std::string> oci_jail_create(const sdk::oci::Container& c);

/// The mounts in the order they are made: the read-only root first (a
/// nullfs of the root onto itself), then the spec's mounts in spec order.
/// `is_file(source)` tells a bind of a file from one of a directory.
std::vector<OciMount> oci_mounts(const sdk::oci::Container& c, bool (*is_file)(const std::filesystem::path&));

/// The argv that runs `p` in jail `id`: jexec [-U user] ID [limits ...]
/// env -i ENV... [sh -c 'umask; cd; exec' ...] ARGS. `user` is the jail's
/// name for p.uid ("" for root, which needs no switch).
std::vector<std::string> oci_process_argv(const std::string& id, const sdk::oci::Process& p, const std::string& user);

/// The user name jexec -U takes for p.uid, from the container's
/// /etc/passwd text; throws naming process.user when there is none or its
/// login group is not p.gid (jexec -U sets the passwd entry's group).
std::string oci_user_name(const sdk::oci::Process& p, const std::string& passwd);

}  // namespace iocell::plugins::jail
