// iocell releases [-H] [--json]: the fetched releases (what list -r shows).
#include <ctime>

#include <nlohmann/json.hpp>

#include <iocell/core/release/releases.hpp>

#include "../args.hpp"
#include "../command.hpp"
#include "../output.hpp"

namespace iocell::cli {
namespace {

std::string format_time(std::int64_t t) {
  if (t <= 0) return "-";
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  ::localtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
  return s.empty() ? "-" : s;
}

int releases_command(Invocation& inv) {
  auto p = parse_args(inv);
  auto releases = core::list_releases(inv.ctx);
  if (p.flag("json")) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& r : releases)
      arr.push_back({{"name", r.name},
                     {"dataset", r.dataset},
                     {"path", r.path.string()},
                     {"source", r.source},
                     {"files", r.files},
                     {"fetched_at", r.fetched_at},
                     {"patched", r.patched}});
    inv.ctx.out() << nlohmann::json{{"releases", arr}}.dump(2) << "\n";
    return 0;
  }
  Table t({{"RELEASE", "name"}, {"FETCHED", "fetched"}, {"FILES", "files"}, {"PATCHED", "patched"}, {"PATH", "path"}});
  for (const auto& r : releases) t.add({r.name, format_time(r.fetched_at), join(r.files), r.patched ? "yes" : "no", r.path.string()});
  t.render(inv.ctx.out(), p.flag("scripted") ? Format::Scripted : Format::Human, "releases");
  return 0;
}

IOCELL_COMMAND({"releases", "", "list the fetched releases (the same as list -r)", releases_command, {}, false, false, with_output_flags()});

}  // namespace
}  // namespace iocell::cli
