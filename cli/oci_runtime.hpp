// iocell-runtime: the OCI runtime command line (runc's, as podman and
// containerd use it). The iocell binary runs it when called by that name.
#pragma once

namespace iocell::cli {

/// The program name that selects it (argv[0]'s last component).
inline constexpr const char* kOciRuntimeName = "iocell-runtime";

int oci_runtime_main(int argc, char** argv);

}  // namespace iocell::cli
