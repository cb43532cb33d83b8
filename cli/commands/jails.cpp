// create, clone, destroy, list: the jail inventory.
#include <unistd.h>

#include <iostream>

#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/oci/engine.hpp>
#include <iocell/core/ops/jails.hpp>
#include <iocell/core/ops/lifecycle.hpp>
#include <iocell/core/ops/packages.hpp>

#include "../args.hpp"
#include "../command.hpp"
#include "../exit_codes.hpp"
#include "../output.hpp"
#include "../targets.hpp"

namespace iocell::cli {
namespace {

int create_command(Invocation& inv) {
  auto p = parse_args(inv);
  if (!p.words.empty()) throw core::UsageError("create takes property=value pairs, not '" + p.words.front() + "'");
  const int kinds = p.flag("clone") + p.flag("base") + p.flag("empty");
  if (kinds > 1) throw core::UsageError("create: -c, -b and -e exclude each other");
  core::CreateRequest req;
  req.flag = p.flag("clone") ? 'c' : p.flag("base") ? 'b' : p.flag("empty") ? 'e' : '\0';
  req.props = p.assignments;
  if (auto it = req.props.find("type"); it != req.props.end()) {
    req.type = it->second;
    req.props.erase(it);
  }
  bool start = false;
  if (auto it = req.props.find("count"); it != req.props.end()) {
    try {
      size_t used = 0;
      req.count = std::stoi(it->second, &used);
      if (used != it->second.size()) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      throw core::UsageError("invalid count=" + it->second + ": allowed: an integer from 1 to 1000");
    }
  }
  if (auto it = req.props.find("start"); it != req.props.end()) {
    if (it->second != "1" && it->second != "on" && it->second != "yes" && it->second != "0" && it->second != "off" && it->second != "no")
      throw core::UsageError("invalid start=" + it->second + ": allowed: 1, on, yes, 0, off or no");
    start = it->second == "1" || it->second == "on" || it->second == "yes";
  }
  std::vector<std::string> pkgs;
  if (auto it = req.props.find("pkglist"); it != req.props.end() && it->second != "none") pkgs = core::read_pkglist(it->second);
  auto made = core::create_jails(inv.ctx, req);
  int rc = 0;
  for (const auto& j : made) {
    try {
      core::install_packages(inv.ctx, j, pkgs);
    } catch (const std::exception& e) {
      // A jail without the packages it was asked for is not what was asked
      // for: it goes, and nothing says it was created.
      inv.ctx.err() << "iocell: create " << describe(j) << ": " << e.what() << "\n";
      try {
        core::destroy_jail(inv.ctx, j, true);
        inv.ctx.err() << "iocell: " << describe(j) << " was not created: its packages could not be installed\n";
      } catch (const std::exception& e2) {
        inv.ctx.err() << "iocell: " << describe(j) << " is left without its packages: removing it failed: " << e2.what() << "\n";
      }
      rc = kExitFailure;
      continue;
    }
    inv.report("Successfully created: " + describe(j), "would create " + describe(j));
    try {
      if (start) core::start_jail(inv.ctx, j);
    } catch (const std::exception& e) {
      inv.ctx.err() << "iocell: " << describe(j) << ": " << e.what() << "\n";
      rc = kExitFailure;
    }
  }
  return rc;
}

int clone_command(Invocation& inv) {
  auto p = parse_args(inv);
  if (p.words.size() != 1) throw core::UsageError("usage: iocell clone SOURCE[@SNAPSHOT] [property=value ...]");
  auto [src, snap] = resolve_snapshot_target(inv.ctx, p.words.front());
  auto made = core::clone_jail(inv.ctx, src, snap, p.assignments);
  inv.report("Successfully created: " + describe(made), "would create " + describe(made));
  return 0;
}

bool confirm(Invocation& inv, const std::string& question) {
  if (!::isatty(0)) throw core::UsageError(inv.command + " needs -f when not run from a terminal");
  inv.ctx.err() << question << " y[N]: " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}

int destroy_command(Invocation& inv) {
  auto p = parse_args(inv);
  for (const auto& w : p.words)
    if (w == "ALL") throw core::UsageError("destroy does not take ALL: name the jails (iocell list -H | cut -f2 gives the UUIDs)");
  const bool force = p.flag("force");
  return for_each_jail(inv, p.words, false, [&](const core::JailRecord& j) {
    if (!force && !confirm(inv, "This destroys " + describe(j) + " irreversibly. Are you sure?")) {
      inv.ctx.out() << "not destroyed: " << describe(j) << "\n";
      return;
    }
    core::destroy_jail(inv.ctx, j, force);
    inv.report("destroyed " + describe(j), "would destroy " + describe(j));
  });
}

Format format_of(const Parsed& p) {
  return p.flag("json") ? Format::Json : p.flag("scripted") ? Format::Scripted : Format::Human;
}

// list -r is the releases command: one listing, one JSON shape.
int list_releases(Invocation& inv) {
  Invocation sub{inv.ctx, "releases", {}};
  for (const auto& a : inv.args)
    if (a != "-r" && a != "--releases") sub.args.push_back(a);
  return CommandTable::instance().find("releases")->run(sub);
}

int list_command(Invocation& inv) {
  auto p = parse_args(inv);
  if (!p.words.empty()) throw core::UsageError("list takes no jail names (iocell get all TARGET shows one jail)");
  if (p.flag("releases")) return list_releases(inv);
  const bool templates = p.flag("templates");
  auto running = core::running_jails(inv.ctx);
  Table t({{"JID", "jid", true}, {"UUID", "uuid"}, {"BOOT", "boot"}, {"STATE", "state"}, {"TAG", "tag"},
           {"TYPE", "type"}, {"IP4", "ip4"}, {"RELEASE", "release"}, {"RDR", "rdr"}});
  std::vector<std::vector<std::string>> rows;
  const auto all = inv.ctx.inventory().all();
  for (const auto& j : all) {
    if (j.is_template() != templates) continue;
    auto it = running.find(j.uuid);
    const bool up = it != running.end();
    std::string ip4 = "-";
    if (up) ip4 = !it->second.ip4.empty() ? it->second.ip4 : (j.get("ip4_addr").empty() || j.get("ip4_addr") == "none" ? "-" : j.get("ip4_addr"));
    // The configured forwards, from the record already read: no backend
    // is asked per jail (list stays fast with many jails).
    const std::string rdr = j.get("rdr").empty() || j.get("rdr") == "none" ? "-" : j.get("rdr");
    rows.push_back({up ? std::to_string(it->second.jid) : "-", j.uuid, j.get("boot").empty() ? "off" : j.get("boot"),
                    up ? "up" : "down", j.tag(), j.get("type"), ip4, j.get("release"), rdr});
  }
  if (!templates) {
    // Containers iocell-runtime runs for podman: not jails of the inventory,
    // shown under a type of their own (docs/oci-runtime.md).
    std::error_code ec;
    if (!std::filesystem::is_empty(core::oci::default_state_root(), ec) && !ec) {
      core::oci::Engine engine(core::oci::default_state_root());
      for (const auto& [st, status] : engine.containers()) {
        const bool gone = status == sdk::oci::Status::Stopped;
        rows.push_back({gone ? "-" : std::to_string(st.handle.pid), st.id, "-",
                        gone ? "down" : (status == sdk::oci::Status::Running ? "up" : "created"), "-", "oci-runtime", "-", "-"});
      }
    }
  }
  if (p.vars.count("sort")) {
    static const std::vector<std::string> cols = {"jid", "uuid", "boot", "state", "tag", "type", "ip4", "release", "rdr"};
    auto col = std::find(cols.begin(), cols.end(), p.value("sort"));
    if (col == cols.end()) throw core::UsageError("invalid sort column '" + p.value("sort") + "': allowed: jid, uuid, boot, state, tag, type, ip4, release, rdr");
    size_t idx = static_cast<size_t>(col - cols.begin());
    std::stable_sort(rows.begin(), rows.end(), [idx](const auto& a, const auto& b) { return a[idx] < b[idx]; });
  }
  for (auto& r : rows) t.add(std::move(r));
  t.render(inv.ctx.out(), format_of(p), templates ? "templates" : "jails");
  // The warnings named what was unreadable; a listing that may miss jails
  // must not pass for a complete one.
  const auto& unreadable = inv.ctx.inventory().unreadable();
  if (unreadable.empty()) return kExitSuccess;
  inv.ctx.err() << "iocell: list: " << unreadable.size() << (unreadable.size() == 1 ? " entry" : " entries")
                << " could not be read; the list may be incomplete\n";
  return all.empty() ? kExitFailure : kExitPartial;
}

int clean_command(Invocation& inv) {
  auto p = parse_args(inv);
  if (!p.words.empty()) throw core::UsageError("clean takes no arguments");
  auto removed = core::clean_leftovers(inv.ctx);
  for (const auto& r : removed) inv.report("removed leftover " + r, "would remove leftover " + r);
  if (removed.empty()) inv.ctx.out() << "nothing to clean\n";
  return 0;
}

IOCELL_COMMAND({"create", "[type=NAME] [release=R] [tag=T] [count=N] [start=1] [pkglist=FILE] [property=value ...]",
                "create jails of any loaded jail type (type=NAME; -c, -b, -e are shorthands)", create_command, {}, false, false,
                {{"clone", 'c', "", "the jail type of shorthand -c (thin: a clone of the release)", 1},
                 {"base", 'b', "", "the jail type of shorthand -b (the release shared read-only)", 1},
                 {"empty", 'e', "", "the jail type of shorthand -e (empty)", 1}}});
IOCELL_COMMAND({"clone", "SOURCE[@SNAPSHOT] [property=value ...]", "clone a jail or template (from a snapshot when given)", clone_command});
IOCELL_COMMAND({"destroy", "TARGET ...", "destroy jails irreversibly (asks unless -f)", destroy_command, {}, false, false, {{"force", 'f', "", "no question; stop a running jail first"}}});
IOCELL_COMMAND({"list", "", "list jails, templates (-t) or fetched releases (-r)", list_command, {}, false, true, with_output_flags({{"templates", 't', "", "templates", 1}, {"releases", 'r', "", "fetched releases", 1}, {"sort", 's', "COLUMN", "sort by jid, uuid, boot, state, tag, type, ip4, release or rdr"}})});
IOCELL_COMMAND({"clean", "", "remove leftovers of interrupted creates and fetches", clean_command});

}  // namespace
}  // namespace iocell::cli
