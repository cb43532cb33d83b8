// iocell: the command line with the real runner, clock and UUIDs. Called as
// iocell-runtime (a link to it), the OCI runtime command line instead.
#include <cstring>

#include "oci_runtime.hpp"
#include "run.hpp"

int main(int argc, char** argv) {
  const char* slash = argc > 0 ? std::strrchr(argv[0], '/') : nullptr;
  if (argc > 0 && std::strcmp(slash ? slash + 1 : argv[0], iocell::cli::kOciRuntimeName) == 0)
    return iocell::cli::oci_runtime_main(argc, argv);
  return iocell::cli::main_with(argc, argv, {});
}
