#include <iocell/core/jail_types.hpp>
#include <iocell/core/ops/transfer.hpp>

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/lock.hpp>
#include <iocell/core/ops/host.hpp>
#include <iocell/core/ops/jails.hpp>
#include <iocell/core/ops/lifecycle.hpp>
#include <iocell/core/ops/snapshots.hpp>
#include <iocell/core/ops/checksum.hpp>
#include <iocell/sdk/archive.hpp>
#include <iocell/core/properties.hpp>
#include <iocell/core/release/sha256.hpp>
#include <iocell/core/trust.hpp>
#include <iocell/sdk/temp_names.hpp>
#include <iocell/sdk/safe_root.hpp>

namespace iocell::core {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::uintmax_t kMaxManifest = 1 << 20;

std::string describe_rec(const JailRecord& rec) { return rec.uuid + " (" + rec.tag() + ")"; }

struct Found {
  fs::path archive;
  fs::path checksum;
  fs::path manifest;
  bool package = false;
  bool tar = true;  ///< else a replication stream
};

std::string stem_of(const std::string& name) {
  const std::string tarxz = ".tar.xz";
  if (name.size() > tarxz.size() && name.compare(name.size() - tarxz.size(), tarxz.size(), tarxz) == 0)
    return name.substr(0, name.size() - tarxz.size());
  const auto dot = name.rfind('.');
  return dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

Found find_archive(Context& ctx, const std::string& prefix, ArchiveKind kind) {
  static const std::regex ok("^[A-Za-z0-9_][A-Za-z0-9_.:-]*$");
  if (!std::regex_match(prefix, ok))
    throw UsageError("invalid import name '" + prefix + "': give a UUID or a UUID prefix (letters, digits, '_', '.', ':' and '-')");
  std::vector<Found> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(ctx.root() / "packages", ec)) {
    const std::string n = e.path().filename().string();
    if (n.rfind(prefix, 0) != 0 || !ends_with(n, ".tar.xz")) continue;
    const fs::path dir = e.path().parent_path();
    found.push_back(Found{e.path(), dir / (stem_of(n) + ".sha256"), dir / (stem_of(n) + ".json"), true, true});
  }
  for (const auto& e : fs::directory_iterator(ctx.root() / "images", ec)) {
    const std::string n = e.path().filename().string();
    if (n.rfind(prefix, 0) != 0 || ends_with(n, ".sha256") || ends_with(n, ".json") || n.find(sdk::temp_names::kFileTmp) != std::string::npos) continue;
    const fs::path dir = e.path().parent_path();
    // A tar image's files are named after its stem, a stream's after its
    // whole name: both exports of one day live side by side.
    const bool tar = ends_with(n, ".tar.xz");
    const std::string base = tar ? stem_of(n) : n;
    found.push_back(Found{e.path(), dir / (base + ".sha256"), dir / (base + ".json"), false, tar});
  }
  const bool tar_found = std::any_of(found.begin(), found.end(), [](const Found& f) { return f.tar; });
  const bool stream_found = std::any_of(found.begin(), found.end(), [](const Found& f) { return !f.tar; });
  if (kind != ArchiveKind::Any)
    found.erase(std::remove_if(found.begin(), found.end(), [kind](const Found& f) { return f.tar != (kind == ArchiveKind::Tar); }), found.end());
  if (found.empty())
    throw NotFound("nothing to import named " + prefix + "*" + (kind == ArchiveKind::Tar ? " (tar.xz)" : kind == ArchiveKind::Stream ? " (stream)" : "") +
                   " in " + (ctx.root() / "packages").string() + " or " + (ctx.root() / "images").string());
  if (found.size() == 2 && kind == ArchiveKind::Any && tar_found && stream_found)
    throw UsageError("'" + prefix + "' matches a tar image and a stream image:\n  " + found[0].archive.string() + "\n  " +
                     found[1].archive.string() + "\npick one: iocell import --tar " + prefix + " or iocell import --zfs " + prefix);
  if (found.size() > 1) {
    std::string names;
    for (const auto& f : found) names += "\n  " + f.archive.string();
    throw UsageError("'" + prefix + "' matches several archives; give more of the name:" + names);
  }
  return found.front();
}

void verify(const Found& f) {
  const std::string want = read_checksum(f.checksum);
  const std::string got = Sha256::of_file(f.archive);
  if (want != got)
    throw Refused("checksum mismatch for " + f.archive.string() + ": " + f.checksum.filename().string() + " says " + want +
                  ", the file has " + got + "; refusing to import it");
}

json read_manifest(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return json::object();
  if (fs::file_size(file, ec) > kMaxManifest) throw Refused("manifest " + file.string() + " is larger than 1 MiB; refusing it");
  json j = json::parse(read_file(file), nullptr, false);
  if (!j.is_object()) throw Refused("manifest " + file.string() + " is not a JSON object");
  return j;
}

std::string text_field(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// What a manifest or an image name says, each value checked before use.
struct ImageFacts {
  std::string uuid, tag, type, release, snapshot, format;
  PropertyValues props;
  std::vector<std::string> dropped;
};

ImageFacts image_facts(const Found& f, const json& manifest) {
  ImageFacts facts;
  facts.uuid = text_field(manifest, "uuid");
  facts.tag = text_field(manifest, "tag");
  facts.type = text_field(manifest, "type");
  facts.release = text_field(manifest, "release");
  facts.snapshot = text_field(manifest, "snapshot");
  facts.format = text_field(manifest, "format");
  // Without a manifest: <UUID>-<type>-<YYYY-MM-DD>_<release>.
  static const std::regex name("^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-([a-z]+)-[0-9]{4}-[0-9]{2}-[0-9]{2}_(.+)$");
  std::smatch m;
  const std::string stem = stem_of(f.archive.filename().string());
  if (std::regex_match(stem, m, name)) {
    if (facts.uuid.empty()) facts.uuid = m[1];
    if (facts.type.empty()) facts.type = m[2];
    if (facts.release.empty()) facts.release = m[3];
  }
  if (!Inventory::is_uuid(facts.uuid)) facts.uuid.clear();
  auto checked = [&facts](const std::string& prop, std::string& value) {
    if (value.empty()) return;
    try {
      validate_property(prop, value);
    } catch (const std::exception& e) {
      facts.dropped.push_back(prop + "=" + value + " (" + e.what() + ")");
      value.clear();
    }
  };
  checked("tag", facts.tag);
  checked("release", facts.release);
  if (facts.release == "none") facts.release.clear();
  static const std::set<std::string> identity = {"uuid", "tag", "type", "release", "template", "host_hostuuid", "last_started",
                                                 "jail_zfs_dataset", "hostid"};
  auto props = manifest.find("properties");
  if (props != manifest.end() && props->is_object()) {
    for (const auto& [k, v] : props->items()) {
      if (identity.count(k) || !v.is_string()) continue;
      const std::string value = v.get<std::string>();
      if (!find_property(k)) {
        facts.dropped.push_back(k + " (not a property iocell knows)");
        continue;
      }
      try {
        validate_property(k, value);
        facts.props[k] = value;
      } catch (const std::exception& e) {
        facts.dropped.push_back(k + "=" + value + " (" + e.what() + ")");
      }
    }
  }
  return facts;
}

// An archive is held to what its manifest declares (with room for a
// filesystem's rounding) and to the free space where it lands: a small
// compressed file must not fill the host's disk.
constexpr std::uint64_t kEntryBytes = 512;

std::string mib(std::uint64_t bytes) { return std::to_string((bytes + (1u << 20) - 1) >> 20) + " MiB"; }

sdk::ExtractPolicy package_policy(Context& ctx, const fs::path& dest, const json& manifest) {
  sdk::ExtractPolicy p = sdk::ExtractPolicy::package();
  // libarchive maps schg to Linux's immutable attribute: a tree nothing
  // could delete afterwards.
  if (ctx.os() == sdk::HostOs::Linux) p.file_flags = false;
  struct statvfs sv {};
  if (::statvfs(dest.c_str(), &sv) == 0) {
    p.max_bytes = static_cast<std::uint64_t>(sv.f_bavail) * sv.f_frsize;
    p.max_bytes_reason = "the free space of " + dest.string() + ", " + mib(p.max_bytes);
  }
  auto declared = manifest.find("expanded_bytes");
  if (declared != manifest.end() && declared->is_number_unsigned()) {
    const std::uint64_t d = declared->get<std::uint64_t>();
    const std::uint64_t allowed = d > (std::uint64_t{1} << 60) ? d : d + d / 16 + (std::uint64_t{1} << 20);
    if (p.max_bytes == 0 || allowed < p.max_bytes) {
      p.max_bytes = allowed;
      p.max_bytes_reason = "its manifest declares " + std::to_string(d) + " bytes";
    }
  }
  return p;
}

ImportOutcome import_package(Context& ctx, const Found& f, const PropertyValues& user) {
  const json manifest = read_manifest(f.manifest);
  CreateRequest req;
  // A package holds the files added to a release: its jail is a clone of
  // one, recorded as a clone of the host's default type is.
  req.type = create_type(ctx, "", '\0').clone_type();
  req.props = user;
  if (!req.props.count("release")) {
    std::string release = text_field(manifest, "release");
    if (!release.empty() && release != "none") {
      validate_property("release", release);
      req.props["release"] = release;
    }
  }
  JailRecord made = create_jails(ctx, req).front();
  ImportOutcome out;
  out.from_package = true;
  try {
    StoppedRootMount files(ctx, made);
    if (!ctx.dry_run())
      out.entries = ctx.archiver().extract(f.archive, made.home / "root", package_policy(ctx, made.home / "root", manifest)).entries;
  } catch (const std::exception& e) {
    const std::string why = e.what();
    try {
      destroy_jail(ctx, made, true);
    } catch (const std::exception& e2) {
      ctx.host().log->warn("removing the half-made jail {} failed: {} (iocell destroy -f {})", made.uuid, e2.what(), made.uuid);
    }
    throw Refused("cannot import package " + f.archive.filename().string() + ": " + why + " (the new jail was removed)");
  }
  out.jail = made;
  return out;
}

ImportOutcome import_image(Context& ctx, const Found& f, const PropertyValues& user, const TrustGrant& trust) {
  const json manifest = read_manifest(f.manifest);
  ImageFacts facts = image_facts(f, manifest);
  // The manifest is whoever made the file's word: what it says about the
  // host or the jail's privileges waits for the admin's --trust.
  TrustFiltered filtered = filter_untrusted(facts.props, trust);
  facts.props = std::move(filtered.kept);
  for (const auto& t : filtered.trusted) ctx.out() << "taking from " << f.archive.filename().string() << " (trusted): " << t << "\n";
  for (const auto& d : facts.dropped) ctx.host().log->warn("import of {}: ignoring {}", f.archive.filename().string(), d);
  for (const auto& [k, v] : user) {
    if (k != "tag" && k != "release" && !find_property(k)) throw UsageError("unknown property '" + k + "'");
    validate_property(k, v);
  }
  sdk::Storage& storage = ctx.storage();
  if (!f.tar) {
    const std::string kind = facts.format.empty() ? f.archive.extension().string().substr(1) : facts.format;
    if (kind != storage.name())
      throw Refused(f.archive.filename().string() + " is a " + kind + " replication stream; this root uses " + storage.name() +
                    " storage (export a tar image instead: iocell export TARGET)");
  }

  FileLock inventory_lock(ctx.locks_dir() / "inventory", "the jail inventory");
  ImportOutcome out;
  std::string uuid = facts.uuid;
  std::error_code ec;
  if (uuid.empty() || fs::exists(ctx.root() / "jails" / uuid, ec) || fs::exists(ctx.root() / "templates" / uuid, ec)) {
    uuid = ctx.new_uuid();
    if (!facts.uuid.empty()) out.note += "UUID " + facts.uuid + " is taken: the jail gets " + uuid + ". ";
  }
  std::string tag = user.count("tag") ? user.at("tag") : facts.tag;
  if (tag.empty()) tag = "imported_" + uuid.substr(0, 8);
  if (ctx.inventory().find_tag(tag)) {
    if (user.count("tag")) throw Refused("tag '" + tag + "' is already used by another jail; choose another tag=");
    const std::string fresh = tag + "_" + uuid.substr(0, 8);
    out.note += "tag " + tag + " is taken: the jail is tagged " + fresh + ". ";
    tag = fresh;
  }

  PropertyValues cfg = builtin_defaults(ctx.os());
  for (const auto& [k, v] : facts.props) cfg[k] = v;
  if (uuid != facts.uuid) {
    for (auto it = cfg.begin(); it != cfg.end();)  // MACs derive from the UUID
      it = it->first.size() > 4 && it->first.compare(it->first.size() - 4, 4, "_mac") == 0 ? cfg.erase(it) : std::next(it);
  }
  for (const auto& [k, v] : user) cfg[k] = v;
  cfg["tag"] = tag;
  cfg["release"] = user.count("release") ? user.at("release") : (facts.release.empty() ? "none" : facts.release);
  // A tar image is a whole jail, whatever it was exported from.
  cfg["type"] = f.tar || facts.type.empty() ? create_type(ctx, "", '\0').name() : facts.type;
  cfg["template"] = "no";
  cfg["hostid"] = host_id(ctx);
  cfg["jail_zfs_dataset"] = "iocell/jails/" + uuid + "/data";
  if (!ctx.plugins().has(ComponentKind::JailType, cfg["type"], ctx.os()))
    throw Refused(f.archive.filename().string() + " holds a jail of type '" + cfg["type"] + "', which no loaded plugin provides");

  const std::string staging = "jails/" + std::string(sdk::temp_names::kNewJail) + uuid, final_ds = "jails/" + uuid;
  try {
    if (f.tar) {
      storage.create(staging, {});
      storage.create(staging + "/root", {});
      const fs::path dest = storage.mountpoint(staging + "/root");
      if (!ctx.dry_run()) out.entries = ctx.archiver().extract(f.archive, dest, package_policy(ctx, dest, manifest)).entries;
    } else {
      sdk::UniqueFd in(::open(f.archive.c_str(), O_RDONLY | O_CLOEXEC));
      if (!in) throw std::runtime_error("cannot open " + f.archive.string());
      storage.receive(staging, in.get());
      storage.mount(staging);
      // A stream of the home alone (a storage whose send does not descend
      // into nested datasets) would make a jail without files.
      if (!storage.exists(staging + "/root"))
        throw std::runtime_error("the stream holds no root dataset below the jail's home; the jail's files are not in it");
      if (!facts.snapshot.empty()) {
        for (const auto& s : storage.snapshots(staging))
          if (s.name == facts.snapshot) storage.destroy_snapshot(staging, facts.snapshot, true);
      }
    }
    if (!ctx.dry_run()) {
      const fs::path home = storage.mountpoint(staging);
      // The old host's paths mean nothing here, and a stream's fstab would
      // mount host paths of its maker's choice into the jail. Written
      // without following a link the stream planted in the home.
      if (f.tar || !trust.covers(kTrustFstab)) sdk::SafeRoot(home).write_file("fstab", "");
      const std::string hostname = cfg.count("host_hostname") && !cfg["host_hostname"].empty() && cfg["host_hostname"] != facts.uuid
                                       ? cfg["host_hostname"]
                                       : uuid;
      if (cfg.count("host_hostname") && cfg["host_hostname"] == facts.uuid) cfg.erase("host_hostname");
      write_rc_conf_hostname(home / "root", hostname);
      ctx.inventory().index_tag(tag, uuid);
      write_config(home / "config.json", cfg);
    }
    storage.rename(staging, final_ds);
  } catch (const std::exception& e) {
    const std::string why = e.what();
    discard_staging(ctx, staging);
    throw Refused("cannot import " + f.archive.filename().string() + ": " + why + " (nothing was kept)");
  }
  if (!filtered.dropped.empty()) {
    std::string list;
    for (const auto& d : filtered.dropped) list += "\n  " + d;
    out.note += "not taken from the image (the defaults apply; iocell import --trust=NAME,... takes them):" + list;
  }
  out.jail = JailRecord{uuid, final_ds, storage.mountpoint(final_ds), cfg};
  return out;
}

}  // namespace

std::uint64_t expanded_bytes(const sdk::TarStats& stats) { return stats.bytes + stats.entries * kEntryBytes; }

ExportOutcome export_jail(Context& ctx, const JailRecord& rec_in, bool stream) {
  JailRecord rec = ctx.inventory().reload(rec_in);
  if (run_state(ctx, rec)) throw Refused(describe_rec(rec) + " is running; stop it before exporting (an image of a running jail is torn)");
  FileLock lock(ctx.locks_dir() / rec.uuid, "jail " + rec.uuid);
  sdk::Storage& storage = ctx.storage();
  const fs::path images = ctx.root() / "images";
  std::error_code ec;
  fs::create_directories(images, ec);
  const std::string release = rec.get("release").empty() ? "none" : rec.get("release");
  const std::string stem = rec.uuid + "-" + rec.get("type") + "-" + ctx.local_time("%F") + "_" + release;
  ExportOutcome out;
  out.image = images / (stem + (stream ? "." + storage.name() : std::string(".tar.xz")));
  const std::string base = stream ? out.image.filename().string() : stem;
  out.checksum = images / (base + ".sha256");
  out.manifest = images / (base + ".json");
  if (fs::exists(out.image, ec) || fs::exists(out.checksum, ec))
    throw Refused("an export of " + describe_rec(rec) + " from today exists already: " + out.image.string() + "; remove it first");

  json manifest = {{"uuid", rec.uuid},  {"tag", rec.tag()},           {"type", rec.get("type")},
                   {"release", release}, {"created", ctx.local_time("%F_%T")}, {"properties", rec.props}};
  if (stream) {
    const std::string snap = timestamp_snapshot_name(ctx, "ioc-export_");
    manifest["format"] = storage.name();
    manifest["snapshot"] = snap;
    storage.snapshot(rec.dataset, snap, true);
    const fs::path tmp = images / sdk::temp_names::file_tmp(out.image.filename().string());
    try {
      sdk::UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
      if (!fd) throw std::runtime_error("cannot create " + tmp.string() + ": " + std::strerror(errno));
      storage.send(rec.dataset, snap, fd.get());
      if (::fsync(fd.get()) != 0 || ::rename(tmp.c_str(), out.image.c_str()) != 0)
        throw std::runtime_error("cannot write " + out.image.string() + ": " + std::strerror(errno));
    } catch (...) {
      fs::remove(tmp, ec);
      storage.destroy_snapshot(rec.dataset, snap, true);
      throw;
    }
    storage.destroy_snapshot(rec.dataset, snap, true);
  } else {
    manifest["format"] = "tar.xz";
    // A basejail's system directories are the release's, attached for the
    // export so that the image is a whole (thick) jail.
    sdk::JailType& type = ctx.jail_type(rec.get("type"));
    const sdk::JailSpec spec = ctx.inventory().spec(rec);
    StoppedRootMount files(ctx, rec);
    type.before_start(storage, spec);
    try {
      sdk::TarOptions opts;
      opts.devices = sdk::TarOptions::Devices::Skip;
      opts.cross_mounts = true;
      if (!ctx.dry_run()) {
        auto stats = ctx.archiver().write_tar_xz(spec.root, out.image, opts);
        out.entries = stats.entries;
        manifest["expanded_bytes"] = expanded_bytes(stats);
        for (const auto& s : stats.skipped) ctx.host().log->info("export of {}: left out {}", rec.uuid, s);
      }
    } catch (...) {
      type.after_stop(storage, spec);
      throw;
    }
    type.after_stop(storage, spec);
  }
  if (ctx.dry_run()) return out;
  write_checksum(out.image, out.checksum);
  write_file_atomic(out.manifest, manifest.dump(2) + "\n");
  return out;
}

ImportOutcome import_archive(Context& ctx, const std::string& prefix, const PropertyValues& props, const TrustGrant& trust,
                             ArchiveKind kind) {
  const Found f = find_archive(ctx, prefix, kind);
  verify(f);
  return f.package ? import_package(ctx, f, props) : import_image(ctx, f, props, trust);
}

}  // namespace iocell::core
