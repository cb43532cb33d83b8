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
  auto p = parse_args(inv);
  return for_each_jail(inv, p.words, true, JailOrder::DependenciesFirst, [&](const core::JailRecord& j) {
    auto r = core::start_jail(inv.ctx, j, p.flag("force"));
    if (r == core::Outcome::Done) inv.report(describe(j) + " started", "would start " + describe(j));
    else inv.ctx.out() << describe(j) << " is already up\n";
  });
}

int stop_command(Invocation& inv) {
  auto p = parse_args(inv);
  return for_each_jail(inv, p.words, true, JailOrder::DependentsFirst, [&](const core::JailRecord& j) {
    auto r = core::stop_jail(inv.ctx, j);
    if (r == core::Outcome::Done) inv.report(describe(j) + " stopped", "would stop " + describe(j));
    else inv.ctx.out() << describe(j) << " is already down\n";
  });
}

int restart_command(Invocation& inv) {
  auto p = parse_args(inv);
  return for_each_jail(inv, p.words, true, JailOrder::DependenciesFirst, [&](const core::JailRecord& j) {
    core::restart_jail(inv.ctx, j);
    inv.report(describe(j) + " restarted", "would restart " + describe(j));
  });
}

// exec takes its own flags (the -u and -U of its Flag list) only before
// TARGET, so it reads them itself: everything after TARGET belongs to the
// command (`iocell exec www ls -l`).
int exec_command(Invocation& inv) {
  sdk::ExecRequest req;
  size_t i = 0;
  for (; i < inv.args.size(); ++i) {
    const auto& a = inv.args[i];
    if ((a == "-u" || a == "-U" || a == "--user" || a == "--jail-user") && i + 1 < inv.args.size()) {
      (a == "-u" || a == "--user" ? req.user : req.jail_user) = inv.args[++i];
    } else if (a == "--") {
      ++i;
      break;
    } else if (!a.empty() && a[0] == '-') {
      throw core::UsageError("exec: unknown option " + a + "\nusage: iocell " + synopsis(*CommandTable::instance().find("exec")));
    } else {
      break;
    }
  }
  if (i + 1 >= inv.args.size()) throw core::UsageError("usage: iocell " + synopsis(*CommandTable::instance().find("exec")));
  const std::string target = inv.args[i];
  req.argv.assign(inv.args.begin() + static_cast<long>(i) + 1, inv.args.end());
  req.interactive = true;
  if (target != "ALL") return core::exec_in_jail(inv.ctx, resolve_jail(inv.ctx, target), req);
  return for_each_jail(inv, {target}, true, [&](const core::JailRecord& j) {
    int rc = core::exec_in_jail(inv.ctx, j, req);
    if (rc != 0) throw std::runtime_error("exited with status " + std::to_string(rc));
  });
}

int console_command(Invocation& inv) {
  auto p = parse_args(inv);
  if (p.words.size() != 1) throw core::UsageError("usage: iocell console [-f] TARGET");
  // A login with nobody to type would sit there or end at once, silently.
  if (::isatty(0) != 1)
    throw core::UsageError("console needs a terminal on standard input; run a command with iocell exec " + p.words[0] +
                           " command [argument ...] instead");
  auto rec = resolve_jail(inv.ctx, p.words[0]);
  if (p.flag("force")) core::start_jail(inv.ctx, rec);
  return core::console(inv.ctx, rec);
}

int chroot_command(Invocation& inv) {
  if (inv.args.empty()) throw core::UsageError("usage: iocell chroot TARGET [command [argument ...]]");
  auto rec = resolve_jail(inv.ctx, inv.args[0]);
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

IOCELL_COMMAND({"start", "TARGET ...|ALL", "start jails", start_command, {}, false, false, {{"force", 'f', "", "start a template (to edit it)"}}});
IOCELL_COMMAND({"stop", "TARGET ...|ALL", "stop jails", stop_command});
IOCELL_COMMAND({"restart", "TARGET ...|ALL", "warm restart: exec_stop, kill the jail's processes, exec_start; the network stays up", restart_command, {"reboot"}, false, false, {{"soft", 's', "", "warm restart (the default; kept for compatibility)"}}});
IOCELL_COMMAND({"exec", "TARGET|ALL command [argument ...]", "run a command inside running jails (no shell is added)", exec_command, {}, false, false, {{"user", 'u', "USER", "run as USER of the host's password database (jexec -u)", 1},
                                                                                                                         {"jail-user", 'U', "USER", "run as USER of the jail's password database (jexec -U)", 1}}});
IOCELL_COMMAND({"console", "TARGET", "a login shell inside a running jail", console_command, {}, false, false, {{"force", 'f', "", "start the jail first when it is down"}}});
IOCELL_COMMAND({"chroot", "TARGET [command [argument ...]]", "run a command (default: a shell) in a stopped jail or template", chroot_command});
IOCELL_COMMAND({"rcboot", "", "start boot=on jails by priority (lower first)", rcboot_command});
IOCELL_COMMAND({"rcshutdown", "", "stop boot=on jails in reverse priority order", rcshutdown_command});

}  // namespace
}  // namespace iocell::cli
