// iocell migrate: finding the legacy jails and turning each into an iocell
// jail. The config.json is written inside the jail's own directory before a
// dataset moves, so that an interrupted run leaves either the legacy jail
// (which the next run migrates again) or a complete iocell jail.
#include <iocell/core/ops/migrate.hpp>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>

#include <iocell/core/context.hpp>
#include <iocell/core/defaults.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/inventory.hpp>
#include <iocell/core/lock.hpp>
#include <iocell/core/ops/lifecycle.hpp>

#include "migrate_state.hpp"

namespace iocell::core {
namespace {

using namespace migrate_detail;

// The legacy tool kept the jail at this UUID, but iocell already has it.
bool already_there(Migration& m, MigratedJail& j) {
  if (!m.uuids.count(j.uuid)) return false;
  j.status = Status::AlreadyThere;
  j.error = "iocell already has a jail with this UUID";
  return true;
}

void add_defaults(Migration& m, const PropertyValues& legacy, LegacyKind kind, const std::string& where) {
  auto mapped = map_legacy_defaults(legacy, kind);
  for (auto& d : mapped.dropped) {
    d.reason += " (" + where + ")";
    m.report.defaults.dropped.push_back(std::move(d));
  }
  for (const auto& [k, v] : mapped.props) {
    auto mine = m.existing_defaults.find(k);
    if (mine != m.existing_defaults.end()) {
      if (mine->second != v) m.report.defaults.notes.push_back("default " + k + " stays " + mine->second + " (" + where + " has " + v + ")");
      continue;
    }
    auto taken = m.report.defaults.props.find(k);
    if (taken != m.report.defaults.props.end()) {
      if (taken->second != v) m.report.defaults.notes.push_back("default " + k + "=" + taken->second + " kept over " + v + " (" + where + ")");
      continue;
    }
    m.report.defaults.props[k] = v;
  }
}

void migrate_iocell_jail(Migration& m, const std::string& area, const fs::path& dir) {
  MigratedJail j;
  j.kind = LegacyKind::Iocell;
  j.location = dir.string();
  const std::string name = dir.filename().string();
  if (Inventory::is_uuid(name)) j.uuid = name;
  try {
    if (fs::exists(dir / "config.json")) {
      j.status = Status::AlreadyThere;
      j.error = "it has a config.json";
      m.report.jails.push_back(std::move(j));
      return;
    }
    const fs::path cfg = dir / "config";
    PropertyValues legacy = parse_ucl(read_file(cfg), cfg.string());
    auto pick = [&](const char* k) {
      auto it = legacy.find(k);
      return it == legacy.end() ? std::string() : it->second;
    };
    std::string uuid = name;
    if (!Inventory::is_uuid(uuid)) uuid = legacy.count("host_hostuuid") ? pick("host_hostuuid") : pick("uuid");
    if (!Inventory::is_uuid(uuid))
      throw UsageError("no UUID: neither the directory name nor host_hostuuid in " + cfg.string() + " is one");
    // hack88 mounted jails under the first 8 digits of their UUID.
    if (area == "jails" && uuid != name && uuid.compare(0, name.size(), name) != 0)
      throw UsageError("the directory " + name + " is neither the UUID " + uuid + " nor its hack88 short form");
    j.uuid = uuid;
    if (already_there(m, j)) {
      m.report.jails.push_back(std::move(j));
      return;
    }
    // Datasets keep the full UUID under hack88 (only the mountpoint is
    // short); templates are named by tag.
    const std::string dataset = area == "templates" ? area + "/" + name : area + "/" + uuid;
    LegacyFacts facts{uuid, "", has_entries(dir / "root" / "bin")};
    if (pick("type") == "jail") facts.origin = m.ctx.storage().origin(dataset + "/root");
    j.mapped = map_legacy_jail(legacy, LegacyKind::Iocell, facts);
    // Where the jail lives decides whether it is a template (as in the inventory).
    const std::string want = area == "templates" ? "yes" : "no";
    if (j.mapped.props["template"] != want) {
      j.mapped.notes.push_back("template=" + j.mapped.props["template"] + " in the config, but it lives under " + area + "/: template=" + want);
      j.mapped.props["template"] = want;
    }
    give_tag(m, j);
    j.actions.push_back("write " + (dir / "config.json").string());
    // Templates of the shell iocell are named by tag; iocell names every
    // jail by UUID.
    const std::string target = area == "templates" && name != uuid ? "templates/" + uuid : "";
    if (!target.empty()) j.actions.push_back("rename " + dataset + " to " + target);
    if (!m.dry) {
      write_config(dir / "config.json", j.mapped.props);
      if (!target.empty()) m.ctx.storage().rename(dataset, target);
    }
    m.uuids.insert(uuid);
    j.status = Status::Migrated;
  } catch (const std::exception& e) {
    j.status = Status::Failed;
    j.error = e.what();
  }
  m.report.jails.push_back(std::move(j));
}

void scan_iocell(Migration& m) {
  for (const std::string area : {"jails", "templates"}) {
    std::vector<fs::path> dirs;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(m.ctx.root() / area, ec)) {
      const std::string name = e.path().filename().string();
      if (name.empty() || name[0] == '.') continue;
      if (fs::is_regular_file(e.path() / "config", ec)) dirs.push_back(e.path());
    }
    std::sort(dirs.begin(), dirs.end());
    for (const auto& d : dirs) migrate_iocell_jail(m, area, d);
  }
  const fs::path dflt = m.ctx.root() / ".default";
  std::error_code ec;
  if (!fs::is_regular_file(dflt, ec)) return;
  try {
    add_defaults(m, parse_ucl(read_file(dflt), dflt.string()), LegacyKind::Iocell, dflt.string());
  } catch (const std::exception& e) {
    m.report.notes.push_back("defaults not migrated: " + std::string(e.what()));
  }
}

// iocage 1.x named a relative jail_zfs_dataset from the pool, under iocage/.
std::string moved_datasets(const std::string& value, const std::string& pool, const std::string& uuid) {
  const std::string from_rel = "iocage/jails/" + uuid, from_full = pool + "/" + from_rel;
  std::string out, cur;
  auto flush = [&] {
    if (cur.compare(0, from_full.size(), from_full) == 0) cur = pool + "/iocell/jails/" + uuid + cur.substr(from_full.size());
    else if (cur.compare(0, from_rel.size(), from_rel) == 0) cur = "iocell/jails/" + uuid + cur.substr(from_rel.size());
    out += cur;
    cur.clear();
  };
  for (char c : value) {
    if (c == ' ' || c == ',') {
      flush();
      out += c;
    } else {
      cur += c;
    }
  }
  flush();
  return out;
}

void migrate_iocage_jail(Migration& m, const std::string& pool, const std::string& id, const sdk::ForeignDataset& ds) {
  MigratedJail j;
  j.kind = LegacyKind::Iocage;
  j.location = ds.name;
  try {
    if (!Inventory::is_uuid(id)) throw UsageError("the dataset is not named by a UUID, as iocage 1.x names its jails");
    j.uuid = id;
    if (ds.user.empty()) throw UsageError("it has no org.freebsd.iocage properties");
    if (already_there(m, j)) {
      m.report.jails.push_back(std::move(j));
      return;
    }
    PropertyValues legacy = ds.user;
    // Native values the user chose move with the dataset; config.json
    // records them as create does.
    for (const char* p : {"compression", "quota", "reservation", "dedup"})
      if (auto it = ds.own.find(p); it != ds.own.end()) legacy[p] = it->second;
    j.mapped = map_legacy_jail(legacy, LegacyKind::Iocage, LegacyFacts{id, ds.origin, true});
    if (j.mapped.props.count("jail_zfs_dataset"))
      j.mapped.props["jail_zfs_dataset"] = moved_datasets(j.mapped.props["jail_zfs_dataset"], pool, id);
    give_tag(m, j);

    const std::string area = j.mapped.props["template"] == "yes" ? "templates" : "jails";
    const bool hack88 = j.mapped.props.count("hack88") && j.mapped.props["hack88"] == "1";
    const fs::path home = m.ctx.root() / area / (hack88 ? id.substr(0, 8) : id);
    // The storage refuses what it cannot move (another pool, not mounted).
    const auto cmds = m.ctx.storage().adopt_commands(ds, area + "/" + id, home);
    if (!m.ctx.dry_run()) {
      if (!m.running) m.running = running_jails(m.ctx);
      if (m.running->count(id)) throw Refused("the jail is running (ioc-" + id + "): stop it with iocage stop, then migrate again");
    }

    const fs::path cfg = ds.files / "config.json";
    j.actions.push_back("write " + cfg.string());
    for (const auto& c : cmds) j.actions.push_back("run: " + sdk::format_argv(c.argv));
    if (!m.dry) {
      write_config(cfg, j.mapped.props);
      for (const auto& c : cmds) m.ctx.runner().check(c);
    }
    m.uuids.insert(id);
    j.status = Status::Migrated;
  } catch (const std::exception& e) {
    j.status = Status::Failed;
    j.error = e.what();
  }
  m.report.jails.push_back(std::move(j));
}

void scan_iocage(Migration& m, const std::string& pool) {
  const std::string top = pool + "/iocage";
  // Depth 2 reaches the jails and .defaults in one read.
  const auto sets = m.ctx.storage().foreign_datasets(top, 2, "org.freebsd.iocage:");
  if (!sets) {
    if (m.req.from == LegacyKind::Iocage) throw NotFound("no iocage jails on pool " + pool + ": " + top + " does not exist");
    m.report.notes.push_back("no iocage jails on pool " + pool + " (" + top + " does not exist)");
    return;
  }
  const std::string prefix = top + "/jails/";
  for (const auto& ds : *sets)
    if (ds.name == top + "/.defaults" && !ds.user.empty()) add_defaults(m, ds.user, LegacyKind::Iocage, ds.name);
  // Python iocage keeps a config.json per jail, named by the jail's name,
  // in the same tree.
  fs::path files;
  for (const auto& ds : *sets)
    if (ds.name == top) files = ds.files;
  const bool python = !files.empty() && is_python_iocage(files);
  if (python) scan_python_iocage(m, files);
  for (const auto& ds : *sets) {
    if (ds.name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string id = ds.name.substr(prefix.size());
    if (id.empty() || id.find('/') != std::string::npos || (python && !Inventory::is_uuid(id))) continue;
    migrate_iocage_jail(m, pool, id, ds);
  }
}

}  // namespace

MigrateReport migrate(Context& ctx, const MigrateRequest& req) {
  Migration m(ctx, req);
  m.dry = req.dry_run || ctx.dry_run();
  m.report.dry_run = m.dry;
  static const std::regex pool_re("^[A-Za-z][A-Za-z0-9_.:-]*$");
  if (!req.pool.empty() && !std::regex_match(req.pool, pool_re))
    throw UsageError("invalid pool name '" + req.pool + "': allowed: a letter, then letters, digits, '_', '.', ':' or '-'");
  auto& storage = ctx.storage();
  const bool adopts = storage.adopts_foreign();
  if (!req.iocage_dir.empty()) {
    if (req.from != LegacyKind::Iocage) throw UsageError("--path names a Python iocage tree: give --from iocage with it");
    if (!is_python_iocage(req.iocage_dir))
      throw NotFound("no Python iocage jails under " + req.iocage_dir + ": it holds no jails/NAME/config.json or templates/NAME/config.json");
  }
  if (req.from == LegacyKind::Iocage && !adopts && req.iocage_dir.empty())
    throw UsageError("iocage 1.x kept its jails in ZFS datasets, and the root " + ctx.root().string() + " uses the " +
                     ctx.storage_name() + " storage, which cannot adopt them: migrate on the FreeBSD host whose iocell root is on ZFS, or name a Python iocage tree with --path DIR");
  const std::string active = adopts ? storage.pool() : "";
  const std::string pool = req.pool.empty() ? active : req.pool;
  bool do_iocell = !req.from || req.from == LegacyKind::Iocell;
  const bool do_iocage = req.from ? req.from == LegacyKind::Iocage : adopts;
  if (do_iocell && !req.pool.empty() && req.pool != active) {
    // The shell iocell kept the jails of a pool in <pool>/iocell, mounted at
    // the root only while that pool is the active one.
    if (req.from == LegacyKind::Iocell)
      throw UsageError("the shell iocell's jails of pool " + req.pool + " are not under " + ctx.root().string() +
                       " (iocell uses " + (active.empty() ? "no pool" : "pool " + active) + "): run iocell activate " + req.pool + " first");
    do_iocell = false;
    m.report.notes.push_back("shell iocell jails are only read from the active pool" + (active.empty() ? "" : " (" + active + ")"));
  }

  std::optional<FileLock> lock;
  if (!m.dry) {
    lock.emplace(ctx.locks_dir() / "inventory", "the jail inventory");
    // Adopted jails are written without their tag links: the next tag
    // check rebuilds the index from the configs.
    ctx.inventory().invalidate_tag_index();
  }
  for (const auto& j : ctx.inventory().all()) {
    m.uuids.insert(j.uuid);
    m.tags[j.tag()] = j.uuid;
  }
  m.existing_defaults = read_defaults(ctx);
  if (!req.iocage_dir.empty()) {
    scan_python_iocage(m, req.iocage_dir);
  } else {
    if (do_iocell) scan_iocell(m);
    if (do_iocage) scan_iocage(m, pool);
  }
  if (!m.dry && !m.report.defaults.props.empty()) write_defaults(ctx, m.report.defaults.props);
  return m.report;
}

}  // namespace iocell::core
