#include <iocell/core/ops/packages.hpp>

#include <fstream>

#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/ops/lifecycle.hpp>

namespace iocell::core {

std::vector<std::string> read_pkglist(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw NotFound("pkglist file " + file + " cannot be read");
  std::vector<std::string> names;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    auto hash = line.find('#');
    if (hash != std::string::npos) line.erase(hash);
    const auto b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos) continue;
    line = line.substr(b, line.find_last_not_of(" \t\r") - b + 1);
    if (line[0] == '-' || line.find_first_of(" \t") != std::string::npos)
      throw UsageError("pkglist " + file + " line " + std::to_string(n) + ": '" + line + "' is not a package name");
    names.push_back(line);
  }
  return names;
}

void install_packages(Context& ctx, const JailRecord& rec, const std::vector<std::string>& names) {
  if (names.empty()) return;
  sdk::Packages& pkg = ctx.packages();
  const bool was_up = run_state(ctx, rec).has_value();
  if (!was_up) start_jail(ctx, rec);
  try {
    auto state = run_state(ctx, rec);
    if (!state) throw std::runtime_error("jail " + rec.uuid + " did not come up for package installation");
    pkg.install(ctx.inventory().spec(rec), *state, names, ctx.runtime());
  } catch (...) {
    if (!was_up) stop_jail(ctx, rec);
    throw;
  }
  if (!was_up) stop_jail(ctx, rec);
}

}  // namespace iocell::core
