// iocell: the command line with the real runner, clock and UUIDs.
#include "run.hpp"

int main(int argc, char** argv) { return iocell::cli::main_with(argc, argv, {}); }
