// The command line: parses the global options, then hands the rest to the
// command named by the first word.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/sdk/errors.hpp>
#include <iocell/sdk/config.hpp>

#include "command.hpp"
#include "exit_codes.hpp"
#include "run.hpp"

namespace {

using namespace iocell;

const char* kGlobalUsage =
    "usage: iocell [--root DIR] [--storage NAME] [--dry-run] [-v] [-q] COMMAND [ARGS...]\n"
    "  --root DIR      state root (default: $IOCELL_ROOT, /iocell on FreeBSD, /var/lib/iocell on Linux)\n"
    "  --storage NAME  storage backend when the root is first used (zfs, btrfs, dir)\n"
    "  --dry-run, -n   print the commands an operation would run, change nothing\n"
    "  -v              debug output on stderr\n"
    "  -q              errors only\n"
    "iocell help lists the commands; iocell help COMMAND shows one.\n";

int run(int argc, char** argv, core::Services services) {
  core::GlobalOptions opts;
  std::vector<std::string> args(argv + 1, argv + argc);
  size_t i = 0;
  auto value_of = [&](const std::string& opt) -> std::string {
    const std::string& a = args[i];
    if (a.size() > opt.size() && a[opt.size()] == '=') return a.substr(opt.size() + 1);
    if (i + 1 >= args.size()) throw core::UsageError(opt + " needs a value");
    return args[++i];
  };
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--root", 0) == 0) opts.root = value_of("--root");
    else if (a.rfind("--storage", 0) == 0) opts.storage = value_of("--storage");
    else if (a == "--dry-run" || a == "-n") opts.dry_run = true;
    else if (a == "-v" || a == "--verbose") ++opts.verbosity;
    else if (a == "-q" || a == "--quiet") opts.quiet = true;
    else if (a == "-h" || a == "--help") args[i] = "help";
    else if (a == "--version") args[i] = "version";
    else break;
    if (args[i] == "help" || args[i] == "version") break;
  }
  if (i >= args.size()) {
    std::cerr << kGlobalUsage;
    return cli::kExitUsage;
  }
  const std::string name = args[i];
  const cli::CommandSpec* spec = cli::CommandTable::instance().find(name);
  if (!spec) {
    std::string msg = "unknown command '" + name + "'";
    auto near = cli::CommandTable::instance().suggest(name);
    if (!near.empty()) msg += "; did you mean " + near.front() + "?";
    throw core::UsageError(msg + "\n" + kGlobalUsage);
  }
  if (!spec->read_only && !spec->stateless && !opts.dry_run && services.check_root && ::geteuid() != 0)
    throw core::UsageError("iocell " + spec->name + " needs root (read-only commands such as list and get do not)");
  core::Context ctx(opts, std::cout, std::cerr, std::move(services));
  cli::Invocation inv{ctx, spec->name, std::vector<std::string>(args.begin() + static_cast<long>(i) + 1, args.end())};
  int rc = spec->run(inv);
  ctx.finish();
  return rc;
}

}  // namespace

int iocell::cli::main_with(int argc, char** argv, core::Services services) {
  try {
    return run(argc, argv, std::move(services));
  } catch (const iocell::core::UsageError& e) {
    std::cerr << "iocell: " << e.what() << "\n";
    return iocell::cli::kExitUsage;
  } catch (const iocell::sdk::InvalidRequest& e) {
    std::cerr << "iocell: " << e.what() << "\n";
    return iocell::cli::kExitUsage;
  } catch (const iocell::core::NotFound& e) {
    std::cerr << "iocell: " << e.what() << "\n";
    return iocell::cli::kExitNotFound;
  } catch (const std::exception& e) {
    std::cerr << "iocell: " << e.what() << "\n";
    return iocell::cli::kExitFailure;
  }
}
