// iocell doctor [--json]: a host preflight, one line per check, a fix under
// each failure. Exits 1 when a check failed.
#include <nlohmann/json.hpp>

#include <iocell/core/errors.hpp>
#include <iocell/core/ops/doctor.hpp>

#include "../args.hpp"
#include "../command.hpp"
#include "../exit_codes.hpp"

namespace iocell::cli {
namespace {

int doctor_command(Invocation& inv) {
  auto p = parse_args(inv);
  if (!p.words.empty()) throw core::UsageError("doctor takes no arguments");
  const auto lines = core::run_doctor(inv.ctx);
  bool all_ok = true;
  for (const auto& l : lines) all_ok = all_ok && l.check.ok;
  if (p.flag("json")) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& l : lines) {
      nlohmann::json c = {{"source", l.source}, {"check", l.check.name}, {"ok", l.check.ok}, {"detail", l.check.detail}};
      if (!l.check.ok) c["fix"] = l.check.fix;
      arr.push_back(std::move(c));
    }
    inv.ctx.out() << nlohmann::json{{"ok", all_ok}, {"checks", arr}}.dump(2) << "\n";
  } else {
    for (const auto& l : lines) {
      inv.ctx.out() << (l.check.ok ? "ok    " : "FAIL  ") << l.check.name << ": " << l.check.detail << "\n";
      if (!l.check.ok && !l.check.fix.empty()) inv.ctx.out() << "      fix: " << l.check.fix << "\n";
    }
  }
  return all_ok ? kExitSuccess : kExitFailure;
}

IOCELL_COMMAND({"doctor", "", "check the host: one line per check, with a fix for each failure", doctor_command, {}, false, true,
                {{"json", 0, "", "JSON output"}}});

}  // namespace
}  // namespace iocell::cli
