// The whole command line, for a program built with the services it gives:
// the iocell binary gives none (the real ones), test programs their own.
#pragma once

#include <iocell/core/services.hpp>

namespace iocell::cli {

/// Runs one command line and returns the process's exit status.
int main_with(int argc, char** argv, core::Services services);

}  // namespace iocell::cli
