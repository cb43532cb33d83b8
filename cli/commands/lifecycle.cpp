// start, stop, restart, exec, console, chroot, rcboot, rcshutdown.
#include <unistd.h>

#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/ops/lifecycle.hpp>

#include "../args.hpp"
#include "../command.hpp"
#include "../exit_codes.hpp"
#include "../targets.hpp"

namespace iocell::cli {
namespace {

int start_command(Invocation& inv) {
  po::options_description opts("start");
  opts.add_options()("force,f", po::bool_switch(), "start a template (to edit it)");
  auto p = parse_args(inv.command, inv.args, opts);
  return for_each_jail(inv, p.words, true, [&](const core::JailRecord& j) {
    auto r = core::start_jail(inv.ctx, j, p.flag("force"));
    if (r == core::Outcome::Done) inv.report(describe(j) + " started", "would start " + describe(j));
    else inv.ctx.out() << describe(j) << " is already up\n";
  });
}

int stop_command(Invocation& inv) {
  po::options_description opts("stop");
  auto p = parse_args(inv.command, inv.args, opts);
  return for_each_jail(inv, p.words, true, [&](const core::JailRecord& j) {
    auto r = core::stop_jail(inv.ctx, j);
    if (r == core::Outcome::Done) inv.report(describe(j) + " stopped", "would stop " + describe(j));
    else inv.ctx.out() << describe(j) << " is already down\n";
  });
}

int restart_command(Invocation& inv) {
  po::options_description opts("restart");
  opts.add_options()("soft,s", po::bool_switch(), "warm restart (the default; kept for compatibility)");
  auto p = parse_args(inv.command, inv.args, opts);
  return for_each_jail(inv, p.words, true, [&](const core::JailRecord& j) {
    core::restart_jail(inv.ctx, j);
    inv.report(describe(j) + " restarted", "would restart " + describe(j));
  });
}

// exec takes its own flags only before TARGET: everything after it belongs
// to the command (`iocell exec www ls -l`).
int exec_command(Invocation& inv) {
  sdk::ExecRequest req;
  size_t i = 0;
  for (; i < inv.args.size(); ++i) {
    const auto& a = inv.args[i];
    if ((a == "-u" || a == "-U") && i + 1 < inv.args.size()) {
      (a == "-u" ? req.user : req.jail_user) = inv.args[++i];
    } else if (a == "--") {
      ++i;
      break;
    } else if (!a.empty() && a[0] == '-') {
      throw core::UsageError("exec: unknown option " + a + "\nusage: iocell exec [-u USER|-U USER] TARGET|ALL command [argument ...]");
    } else {
      break;
    }
  }
  if (i + 1 >= inv.args.size()) throw core::UsageError("usage: iocell exec [-u USER|-U USER] TARGET|ALL command [argument ...]");
  const std::string target = inv.args[i];
  req.argv.assign(inv.args.begin() + static_cast<long>(i) + 1, inv.args.end());
  req.interactive = true;
  if (target != "ALL") return core::exec_in_jail(inv.ctx, inv.ctx.inventory().resolve(target), req);
  return for_each_jail(inv, {target}, true, [&](const core::JailRecord& j) {
    int rc = core::exec_in_jail(inv.ctx, j, req);
    if (rc != 0) throw std::runtime_error("exited with status " + std::to_string(rc));
  });
}

int console_command(Invocation& inv) {
  po::options_description opts("console");
  opts.add_options()("force,f", po::bool_switch(), "start the jail first when it is down");
  auto p = parse_args(inv.command, inv.args, opts);
  if (p.words.size() != 1) throw core::UsageError("usage: iocell console [-f] TARGET");
  auto rec = inv.ctx.inventory().resolve(p.words[0]);
  if (p.flag("force")) core::start_jail(inv.ctx, rec);
  return core::console(inv.ctx, rec);
}

int chroot_command(Invocation& inv) {
  if (inv.args.empty()) throw core::UsageError("usage: iocell chroot TARGET [command [argument ...]]");
  auto rec = inv.ctx.inventory().resolve(inv.args[0]);
  return core::chroot_jail(inv.ctx, rec, std::vector<std::string>(inv.args.begin() + 1, inv.args.end()));
}

int rcboot_command(Invocation& inv) {
  if (!inv.args.empty()) throw core::UsageError("rcboot takes no arguments");
  return core::rcboot(inv.ctx) == 0 ? kExitSuccess : kExitPartial;
}

int rcshutdown_command(Invocation& inv) {
  if (!inv.args.empty()) throw core::UsageError("rcshutdown takes no arguments");
  return core::rcshutdown(inv.ctx) == 0 ? kExitSuccess : kExitPartial;
}

IOCELL_COMMAND({"start", "start [-f] TARGET ...|ALL", "start jails", start_command});
IOCELL_COMMAND({"stop", "stop TARGET ...|ALL", "stop jails", stop_command});
IOCELL_COMMAND({"restart", "restart TARGET ...|ALL", "warm restart: exec_stop, kill the jail's processes, exec_start; the network stays up", restart_command, {"reboot"}});
IOCELL_COMMAND({"exec", "exec [-u USER|-U USER] TARGET|ALL command [argument ...]", "run a command inside running jails (no shell is added)", exec_command});
IOCELL_COMMAND({"console", "console [-f] TARGET", "a login shell inside a running jail", console_command});
IOCELL_COMMAND({"chroot", "chroot TARGET [command [argument ...]]", "run a command (default: a shell) in a stopped jail or template", chroot_command});
IOCELL_COMMAND({"rcboot", "rcboot", "start boot=on jails by priority (lower first)", rcboot_command});
IOCELL_COMMAND({"rcshutdown", "rcshutdown", "stop boot=on jails in reverse priority order", rcshutdown_command});

}  // namespace
}  // namespace iocell::cli
