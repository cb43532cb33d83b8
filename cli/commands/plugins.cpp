// iocell plugins [--json] [-H], iocell help [COMMAND], iocell version
#include <iostream>

#include <nlohmann/json.hpp>

#include <iocell/core/errors.hpp>
#include <iocell/sdk/config.hpp>

#include "../args.hpp"
#include "../command.hpp"
#include "../output.hpp"

namespace iocell::cli {
namespace {

std::string os_names(std::uint32_t os) {
  std::string s;
  if (os & sdk::kFreeBSD) s += "freebsd";
  if (os & sdk::kLinux) s += std::string(s.empty() ? "" : ",") + "linux";
  return s;
}

int plugins_command(Invocation& inv) {
  auto p = parse_args(inv);
  auto& pm = inv.ctx.plugins();
  pm.load_deferred();
  if (p.flag("json")) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& pl : pm.plugins()) {
      nlohmann::json provides = nlohmann::json::array();
      for (const auto& [kind, name] : pl.provides) provides.push_back({{"kind", kind}, {"name", name}});
      nlohmann::json os = nlohmann::json::array();
      if (pl.os & sdk::kFreeBSD) os.push_back("freebsd");
      if (pl.os & sdk::kLinux) os.push_back("linux");
      arr.push_back({{"name", pl.name}, {"version", pl.version}, {"path", pl.path.string()}, {"os", os}, {"provides", provides}});
    }
    nlohmann::json warnings = nlohmann::json::array();
    for (const auto& w : pm.warnings()) warnings.push_back({{"path", w.path.string()}, {"reason", w.reason}});
    inv.ctx.out() << nlohmann::json{{"plugins", arr}, {"skipped", warnings}}.dump(2) << "\n";
    return 0;
  }
  Table t({{"NAME", "name"}, {"VERSION", "version"}, {"OS", "os"}, {"PROVIDES", "provides"}, {"PATH", "path"}});
  for (const auto& pl : pm.plugins()) {
    std::string provides;
    for (const auto& [kind, name] : pl.provides) provides += (provides.empty() ? "" : ",") + kind + ":" + name;
    t.add({pl.name, pl.version, os_names(pl.os), provides, pl.path.string()});
  }
  t.render(inv.ctx.out(), p.flag("scripted") ? Format::Scripted : Format::Human, "plugins");
  return 0;
}

int help_command(Invocation& inv) {
  auto& table = CommandTable::instance();
  if (!inv.args.empty()) {
    const CommandSpec* spec = table.find(inv.args[0]);
    if (!spec) throw core::NotFound("no command '" + inv.args[0] + "'");
    inv.ctx.out() << "usage: iocell " << synopsis(*spec) << "\n  " << spec->summary << "\n";
    return 0;
  }
  inv.ctx.out() << "usage: iocell [--root DIR] [--dry-run] [-v] [-q] COMMAND [ARGS...]\n\ncommands:\n";
  for (const auto& c : table.all()) {
    if (c.name.rfind("__", 0) == 0) continue;  // internal: man page and completion generators
    inv.ctx.out() << "  " << synopsis(c) << "\n      " << c.summary << "\n";
  }
  return 0;
}

int version_command(Invocation& inv) {
  inv.ctx.out() << "iocell " << IOCELL_VERSION << "\n";
  return 0;
}

IOCELL_COMMAND({"plugins", "", "list the loaded plugins, what they provide, and the files skipped", plugins_command, {}, true, false, with_output_flags()});
IOCELL_COMMAND({"help", "[COMMAND]", "show the commands, or one command's synopsis", help_command, {"-h", "--help"}, true});
IOCELL_COMMAND({"version", "", "print the version", version_command, {"--version"}, true});

}  // namespace
}  // namespace iocell::cli
