// Python iocage (1.x up to 1.13, TrueNAS CORE): <iocage>/{jails,templates}/
// NAME/{config.json,fstab,root} and <iocage>/releases/R/root. Each jail is
// copied into a new iocell jail tagged with its name; iocage's own datasets
// and files are only read, so iocage keeps working until the admin removes
// them. Which jails were taken is kept in the root's migrated-iocage.json,
// so that a second run skips them.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <iocell/core/errors.hpp>
#include <iocell/core/inventory.hpp>
#include <iocell/core/ops/host.hpp>
#include <iocell/core/ops/jails.hpp>
#include <iocell/core/ops/lifecycle.hpp>
#include <iocell/core/properties.hpp>
#include <iocell/sdk/file_tree.hpp>
#include <iocell/support/release_name.hpp>
#include <iocell/sdk/safe_root.hpp>
#include <iocell/sdk/temp_names.hpp>

#include "migrate_state.hpp"

namespace iocell::core::migrate_detail {
namespace {


bool real_dir(const fs::path& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool real_file(const fs::path& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::vector<fs::path> jail_dirs(const fs::path& area) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(area, ec)) {
    const std::string name = e.path().filename().string();
    if (!name.empty() && name[0] != '.' && real_dir(e.path()) && real_file(e.path() / "config.json")) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// "13.2-RELEASE-p4" is the patch level the jail runs; iocage keeps the
// release itself as releases/13.2-RELEASE.
std::string release_dir_name(const std::string& release) {
  static const std::regex patch("^(.*-RELEASE)-p[0-9]+$");
  std::smatch m;
  return std::regex_match(release, m, patch) ? std::string(m[1]) : release;
}

// iocage's fstab lines name host paths: its own release mounts (added for
// basejails, which iocell's basejail makes itself) are left out, and a
// mount into the jail moves with the jail's root. iocage wrote the root as
// it is mounted, which is where the jail is read from.
std::string moved_fstab(const fs::path& file, const fs::path& old_root, const fs::path& new_root, MigratedJail& j) {
  std::ifstream in(file);
  std::string out, line;
  const std::string from = old_root.lexically_normal().string();
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string dev, mnt, rest;
    if (!(f >> dev >> mnt) || dev[0] == '#') continue;
    if (line.find("# Added by iocage") != std::string::npos) continue;
    std::getline(f, rest);
    const std::string m = fs::path(mnt).lexically_normal().string();
    if (m.compare(0, from.size(), from) != 0 || (m.size() > from.size() && m[from.size()] != '/')) {
      j.mapped.dropped.push_back({"fstab", line, "mounts outside the jail's root"});
      continue;
    }
    out += dev + " " + (new_root / m.substr(from.size()).substr(m.size() > from.size() ? 1 : 0)).string() + rest + "\n";
  }
  return out;
}

struct Candidate {
  MigratedJail jail;
  fs::path source;
  std::string area;
  std::string name;
  std::vector<std::string> depends;
};

fs::path record_file(Context& ctx) { return ctx.root() / "migrated-iocage.json"; }

void copy_release(Migration& m, const fs::path& dir, const std::string& release) {
  auto& storage = m.ctx.storage();
  const std::string staging = "releases/" + std::string(sdk::temp_names::kStaging) + release + "-" + std::to_string(::getpid());
  m.report.notes.push_back(std::string(m.dry ? "would copy" : "copied") + " release " + release + " from " + (dir / "root").string());
  if (m.dry) return;
  storage.create(staging, {});
  try {
    storage.create(staging + "/root", {});
    fs::remove(storage.mountpoint(staging + "/root"));
    sdk::tree::copy_tree(dir / "root", storage.mountpoint(staging + "/root"));
    storage.rename(staging, "releases/" + release);
  } catch (...) {
    discard_staging(m.ctx, staging);
    throw;
  }
}

void copy_jail(Migration& m, Candidate& c, const std::string& iocage_root_seen) {
  auto& storage = m.ctx.storage();
  MigratedJail& j = c.jail;
  const std::string staging = c.area + "/" + std::string(sdk::temp_names::kNewJail) + j.uuid, final_ds = c.area + "/" + j.uuid;
  j.actions.push_back("copy " + (c.source / "root").string() + " to " + final_ds + "/root");
  j.actions.push_back("write the config.json of " + final_ds);
  if (m.dry) return;
  storage.create(staging, {});
  try {
    storage.create(staging + "/root", {});
    const fs::path home = storage.mountpoint(staging);
    sdk::tree::copy_contents(c.source / "root", storage.mountpoint(staging + "/root"));
    const fs::path final_home = storage.mountpoint(c.area) / j.uuid;
    const std::string fstab = real_file(c.source / "fstab") ? moved_fstab(c.source / "fstab", iocage_root_seen, final_home / "root", j) : "";
    sdk::SafeRoot(home).write_file("fstab", fstab);
    m.ctx.inventory().index_tag(j.tag, j.uuid);
    write_config(home / "config.json", j.mapped.props);
    storage.rename(staging, final_ds);
  } catch (...) {
    discard_staging(m.ctx, staging);
    throw;
  }
}

}  // namespace

bool is_python_iocage(const fs::path& dir) { return !jail_dirs(dir / "jails").empty() || !jail_dirs(dir / "templates").empty(); }

void scan_python_iocage(Migration& m, const fs::path& dir) {
  auto& storage = m.ctx.storage();
  PropertyValues taken = real_file(record_file(m.ctx)) ? read_config(record_file(m.ctx)) : PropertyValues{};
  std::vector<Candidate> found;
  std::map<std::string, std::string> by_name;  // iocage name -> UUID given
  for (const std::string area : {"templates", "jails"}) {
    for (const auto& src : jail_dirs(dir / area)) {
      Candidate c{{}, src, area, src.filename().string(), {}};
      MigratedJail& j = c.jail;
      j.kind = LegacyKind::Iocage;
      j.location = src.string();
      const std::string key = fs::weakly_canonical(src).string();
      if (auto t = taken.find(key); t != taken.end() && m.uuids.count(t->second)) {
        j.uuid = t->second;
        j.status = Status::AlreadyThere;
        j.error = "migrated before as " + t->second;
        by_name[c.name] = t->second;
        m.report.jails.push_back(std::move(j));
        continue;
      }
      try {
        if (!real_dir(src / "root")) throw UsageError("it has no root directory (" + (src / "root").string() + ")");
        PythonIocageJail py = map_python_iocage(read_python_iocage_config(src / "config.json"), area == "templates");
        j.mapped = std::move(py.mapped);
        c.depends = std::move(py.depends);
        j.uuid = m.ctx.new_uuid();
        try {
          validate_property("tag", c.name);
          j.mapped.props["tag"] = c.name;
        } catch (const UsageError& e) {
          j.mapped.notes.push_back("the name " + c.name + " is no valid tag: " + e.what());
        }
        give_tag(m, j);
        auto& props = j.mapped.props;
        props["hostid"] = props.count("hostid") ? props["hostid"] : host_id(m.ctx);
        props["jail_zfs_dataset"] = "iocell/jails/" + j.uuid + "/data";
        if (py.basejail) {
          const std::string rel = release_dir_name(props["release"]);
          if (!storage.exists("releases/" + rel + "/root") && !real_dir(dir / "releases" / rel / "root"))
            throw Refused("a basejail of release " + rel + ", which neither iocell (iocell fetch release=" + rel + ") nor iocage (" +
                          (dir / "releases" / rel).string() + ") has");
          if (rel != props["release"]) j.mapped.notes.push_back("release " + props["release"] + " -> " + rel + ", the release it mounts");
          props["release"] = rel;
        }
        by_name[c.name] = j.uuid;
        found.push_back(std::move(c));
      } catch (const std::exception& e) {
        j.status = Status::Failed;
        j.error = e.what();
        m.report.jails.push_back(std::move(j));
      }
    }
  }

  // Releases iocell lacks come first: basejails mount them.
  std::error_code ec;
  std::vector<fs::path> releases;
  for (const auto& e : fs::directory_iterator(dir / "releases", ec))
    if (real_dir(e.path() / "root") && support::is_release_name(e.path().filename().string())) releases.push_back(e.path());
  std::sort(releases.begin(), releases.end());
  for (const auto& r : releases) {
    const std::string name = r.filename().string();
    if (storage.exists("releases/" + name + "/root")) continue;
    try {
      copy_release(m, r, name);
    } catch (const std::exception& e) {
      m.report.notes.push_back("release " + name + " not copied: " + e.what());
    }
  }

  // iocage named dependencies by jail name; iocell keeps UUIDs.
  for (auto& c : found) {
    std::string uuids;
    for (const auto& name : c.depends) {
      auto it = by_name.find(name);
      std::string uuid = it != by_name.end() ? it->second : (m.tags.count(name) ? m.tags.at(name) : "");
      if (uuid.empty()) c.jail.mapped.dropped.push_back({"depends", name, "no jail of that name was migrated or exists"});
      else uuids += (uuids.empty() ? "" : ",") + uuid;
    }
    if (!uuids.empty()) c.jail.mapped.props["depends"] = uuids;
  }

  if (!found.empty() && !m.dry && !m.running) m.running = running_jails(m.ctx);
  for (auto& c : found) {
    try {
      // iocage names a running jail ioc-NAME: a copy of it would be torn.
      if (m.running && m.running->count(c.name))
        throw Refused("the jail is running (ioc-" + c.name + "): stop it with iocage stop, then migrate again");
      copy_jail(m, c, (c.source / "root").string());
      if (!m.dry) {
        taken[fs::weakly_canonical(c.source).string()] = c.jail.uuid;
        write_config(record_file(m.ctx), taken);
      }
      m.uuids.insert(c.jail.uuid);
      c.jail.status = Status::Migrated;
    } catch (const std::exception& e) {
      c.jail.status = Status::Failed;
      c.jail.error = e.what();
    }
    m.report.jails.push_back(std::move(c.jail));
  }
}

}  // namespace iocell::core::migrate_detail

namespace iocell::core {

// The jail's config.json, every value as text: the file is the old tool's
// (or whoever could write there), so it is read without following a link
// and within a size.
PropertyValues read_python_iocage_config(const std::filesystem::path& file) {
  constexpr std::size_t kConfigMax = 1 << 20;
  sdk::UniqueFd fd(::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) throw std::runtime_error("cannot open " + file.string() + ": " + std::strerror(errno));
  std::string text(kConfigMax + 1, '\0');
  std::size_t have = 0;
  for (ssize_t n; have < text.size() && (n = ::read(fd.get(), text.data() + have, text.size() - have)) > 0;) have += static_cast<std::size_t>(n);
  if (have > kConfigMax) throw UsageError(file.string() + " is larger than " + std::to_string(kConfigMax) + " bytes; not an iocage config");
  text.resize(have);
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) throw UsageError(file.string() + " is not a JSON object, as iocage writes its config.json");
  PropertyValues out;
  for (const auto& [k, v] : j.items()) {
    if (v.is_string()) out[k] = v.get<std::string>();
    else if (v.is_boolean()) out[k] = v.get<bool>() ? "1" : "0";
    else if (v.is_number_integer()) out[k] = std::to_string(v.get<long long>());
    else if (v.is_number()) out[k] = v.dump();
    else if (v.is_null()) out[k] = "none";
    else throw UsageError(file.string() + ": " + k + " holds " + std::string(v.type_name()) + ", which iocage never writes");
  }
  return out;
}

}  // namespace iocell::core
