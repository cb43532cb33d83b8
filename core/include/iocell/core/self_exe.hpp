// The path of the running iocell binary, found without PATH or /proc.
#pragma once

#include <filesystem>

namespace iocell::core {

/// The running binary's absolute path: the kernel's record of what it
/// executed (elf_aux_info(AT_EXECPATH), else the kern.proc.pathname sysctl,
/// on FreeBSD, where /proc is usually not mounted; /proc/self/exe on Linux).
/// Throws when the kernel does not say: a child started by name would be
/// whatever `iocell` PATH finds first (rcboot runs with rc's PATH).
std::filesystem::path self_exe();

}  // namespace iocell::core
