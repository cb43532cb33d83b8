#include <iocell/core/release/releases.hpp>

#include <algorithm>

#include <nlohmann/json.hpp>

#include <iocell/core/config_store.hpp>
#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/support/release_name.hpp>

namespace iocell::core {

namespace fs = std::filesystem;

std::string normalize_release_name(const std::string& name) {
  auto r = support::parse_release_name(name);
  if (!r) throw UsageError("'" + name + "' is not a release name: expected " + support::kReleaseNameHelp);
  return r->base();
}

bool is_snapshot_release(const std::string& name) {
  auto r = support::parse_freebsd_release(name);
  return r && r->snapshot();
}

bool has_binary_updates(const std::string& name) {
  auto r = support::parse_freebsd_release(name);
  return r && r->binary_updates();
}

bool release_fetched(Context& ctx, const std::string& name) {
  if (name.empty() || name[0] == '.' || name.find('/') != std::string::npos) return false;
  return ctx.storage().exists("releases/" + name + "/root");
}

std::vector<ReleaseInfo> list_releases(Context& ctx) {
  std::vector<ReleaseInfo> out;
  auto& storage = ctx.storage();
  const fs::path dir = storage.mountpoint("releases");
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    // Staging trees of unfinished fetches start with '.', and only complete
    // releases have their root dataset under the final name.
    if (name.empty() || name[0] == '.' || !entry.is_directory(ec)) continue;
    if (!storage.exists("releases/" + name + "/root")) continue;
    ReleaseInfo info;
    info.name = name;
    info.dataset = "releases/" + name + "/root";
    info.path = storage.mountpoint(info.dataset);
    const fs::path meta = storage.mountpoint("releases/" + name) / "release.json";
    if (fs::is_regular_file(meta, ec)) {
      auto j = nlohmann::json::parse(read_file(meta), nullptr, false);
      if (j.is_object()) {
        info.source = j.value("source", "");
        info.fetched_at = j.value("fetched_at", std::int64_t{0});
        info.patched = j.value("patched", false);
        if (j.contains("files") && j["files"].is_array())
          for (const auto& f : j["files"])
            if (f.is_string()) info.files.push_back(f.get<std::string>());
      }
    }
    out.push_back(std::move(info));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

}  // namespace iocell::core
