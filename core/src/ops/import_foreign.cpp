// import --from iocage|bastille FILE: another jail manager's export becomes
// a new iocell jail. Everything in the file is the exporter's word: the
// archive is extracted with the secure flags, streams go through the
// storage's checked receive, the config is mapped and then filtered like an
// image's manifest, and the jail's fstab is taken only when trusted.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <regex>

#include <spdlog/spdlog.h>

#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/jail_types.hpp>
#include <iocell/core/lock.hpp>
#include <iocell/core/ops/checksum.hpp>
#include <iocell/core/ops/host.hpp>
#include <iocell/core/ops/jails.hpp>
#include <iocell/core/ops/migrate.hpp>
#include <iocell/core/ops/transfer.hpp>
#include <iocell/core/properties.hpp>
#include <iocell/core/release/sha256.hpp>
#include <iocell/sdk/file_tree.hpp>
#include <iocell/sdk/safe_root.hpp>
#include <iocell/sdk/temp_names.hpp>

namespace iocell::core {
namespace {

namespace fs = std::filesystem;

// The stream format both exporters write (zfs send); a storage of that
// name receives it.
constexpr const char* kStreamFormat = "zfs";

bool regular(const fs::path& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::string without_suffix(const std::string& name) {
  for (const char* ext : {".tar.xz", ".zip", ".txz", ".tgz", ".tzst", ".xz", ".gz", ".zst"})
    if (ends_with(name, ext)) return name.substr(0, name.size() - std::string(ext).size());
  return name;
}

// iocage and Bastille write NAME_DATE.sha256 beside NAME_DATE.EXT; a copy
// may carry FILE.sha256. Either must match when there.
void verify_beside(const fs::path& file) {
  for (const fs::path& sum : {fs::path(file.string() + ".sha256"), file.parent_path() / (without_suffix(file.filename().string()) + ".sha256")}) {
    if (!regular(sum)) continue;
    const std::string want = read_checksum(sum), got = Sha256::of_file(file);
    if (want != got)
      throw Refused("checksum mismatch for " + file.string() + ": " + sum.filename().string() + " says " + want + ", the file has " + got +
                    "; refusing to import it");
    return;
  }
}

sdk::ExtractPolicy foreign_policy(Context& ctx, const fs::path& dest) {
  sdk::ExtractPolicy p = sdk::ExtractPolicy::package();
  if (ctx.os() == sdk::HostOs::Linux) p.file_flags = false;
  struct statvfs sv {};
  if (::statvfs(dest.c_str(), &sv) == 0) {
    p.max_bytes = static_cast<std::uint64_t>(sv.f_bavail) * sv.f_frsize;
    p.max_bytes_reason = "the free space of " + dest.string();
  }
  return p;
}

void require_stream_storage(Context& ctx, const fs::path& file, const std::string& who) {
  if (ctx.storage().name() != kStreamFormat)
    throw Refused(file.filename().string() + " is a " + who + " export of zfs send streams; this root uses " + ctx.storage().name() +
                  " storage, which cannot receive them (import it on a root with " + kStreamFormat + " storage" +
                  (who == "Bastille" ? ", or export a .txz from Bastille" : "") + ")");
}

void receive_file(Context& ctx, const fs::path& stream, const std::string& dataset) {
  sdk::UniqueFd in(::open(stream.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!in) throw std::runtime_error("cannot open " + stream.string());
  ctx.storage().receive(dataset, in.get());
}

// The exporter's transfer snapshot means nothing here.
void drop_export_snapshots(Context& ctx, const std::string& dataset) {
  if (ctx.dry_run()) return;
  for (const auto& s : ctx.storage().snapshots(dataset))
    if (s.name.rfind("ioc-export-", 0) == 0 || s.name.rfind("bastille_", 0) == 0) ctx.storage().destroy_snapshot(dataset, s.name, true);
}

// A directory of scratch files next to the images, removed whatever happens.
struct Scratch {
  explicit Scratch(Context& ctx) : path(ctx.root() / "images" / (std::string(sdk::temp_names::kFileTmp) + "foreign-" + std::to_string(::getpid()))) {
    fs::create_directories(path);
  }
  ~Scratch() {
    try {
      sdk::tree::remove_tree(path);
    } catch (const std::exception&) {
    }
  }
  fs::path path;
};

// The streams of an iocage export: NAME_DATE (the jail's dataset) and
// NAME_DATE_CHILD for each dataset below it, "/" written as "_".
struct IocageStreams {
  fs::path top;
  std::vector<std::pair<std::string, fs::path>> children;  ///< relative dataset, file
};

IocageStreams iocage_streams(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (regular(e.path())) files.push_back(e.path());
  if (files.empty()) throw Refused("the archive holds no stream");
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) { return a.filename().string().size() < b.filename().string().size(); });
  IocageStreams s{files.front(), {}};
  const std::string top = s.top.filename().string();
  static const std::regex child("^[A-Za-z0-9][A-Za-z0-9.-]*(_[A-Za-z0-9][A-Za-z0-9.-]*)*$");
  for (std::size_t i = 1; i < files.size(); ++i) {
    const std::string n = files[i].filename().string();
    if (n.compare(0, top.size() + 1, top + "_") != 0 || !std::regex_match(n.substr(top.size() + 1), child))
      throw Refused("the archive holds " + n + ", which is not a dataset of " + top + " (iocage names them " + top + "_CHILD)");
    std::string rel = n.substr(top.size() + 1);
    std::replace(rel.begin(), rel.end(), '_', '/');
    s.children.emplace_back(rel, files[i]);
  }
  // Parents before children.
  std::sort(s.children.begin(), s.children.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return s;
}

struct Arrival {
  MappedProperties mapped;
  std::string name;  ///< the exporter's name of the jail
};

Arrival map_iocage_home(const fs::path& home) {
  Arrival a;
  if (!regular(home / "config.json")) throw Refused("the jail's dataset has no config.json, as iocage writes one");
  PropertyValues config = read_python_iocage_config(home / "config.json");
  const PythonIocageJail py = map_python_iocage(config, false);
  a.mapped = py.mapped;
  a.name = config["host_hostuuid"];
  if (!py.depends.empty()) a.mapped.dropped.push_back({"depends", "", "names jails of the exporting host"});
  return a;
}

Arrival map_bastille_home(const fs::path& home) {
  if (!regular(home / "jail.conf")) throw Refused("the export has no jail.conf, as Bastille writes one");
  sdk::UniqueFd fd(::open((home / "jail.conf").c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  struct stat st {};
  if (!fd || ::fstat(fd.get(), &st) != 0 || st.st_size > (1 << 20)) throw Refused("jail.conf cannot be read, or is larger than 1 MiB");
  std::string text(static_cast<std::size_t>(st.st_size), '\0');
  if (::read(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) throw Refused("jail.conf cannot be read");
  Arrival a;
  a.mapped = map_bastille_jail_conf(text, a.name);
  return a;
}

// Bastille's tarball NAME/{jail.conf,fstab,root/...}, extracted into the
// root's own filesystem and its root's entries moved up into place.
fs::path unpack_bastille_tar(Context& ctx, const fs::path& file, const fs::path& root_dir, const std::string& uuid) {
  const fs::path unpacked = root_dir / (std::string(sdk::temp_names::kStaging) + uuid);
  fs::create_directory(unpacked);
  ctx.archiver().extract(file, unpacked, foreign_policy(ctx, root_dir));
  std::vector<fs::path> tops;
  for (const auto& e : fs::directory_iterator(unpacked)) tops.push_back(e.path());
  if (tops.size() != 1 || !fs::is_directory(fs::symlink_status(tops.front())))
    throw Refused("the archive must hold one directory, the jail's, as bastille export writes it");
  const fs::path jail = tops.front();
  if (!fs::is_directory(fs::symlink_status(jail / "root"))) throw Refused("the archive has no " + jail.filename().string() + "/root directory");
  sdk::UniqueFd from(::open((jail / "root").c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  sdk::UniqueFd to(::open(root_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!from || !to) throw std::runtime_error("cannot open the unpacked root");
  for (const auto& n : sdk::tree::detail::list(from.get(), jail / "root"))
    if (::renameat(from.get(), n.c_str(), to.get(), n.c_str()) != 0)
      throw std::runtime_error("cannot move " + n + " into the jail's root: " + std::strerror(errno));
  return jail;
}

}  // namespace

ImportOutcome import_foreign(Context& ctx, ForeignExport from, const fs::path& file, const PropertyValues& user, const TrustGrant& trust) {
  const std::string who = from == ForeignExport::Iocage ? "iocage" : "Bastille";
  if (!file.is_absolute()) throw UsageError("invalid export '" + file.string() + "': give the absolute path of the " + who + " export file");
  if (!regular(file)) throw NotFound("no " + who + " export at " + file.string() + " (a regular file, not a link)");
  const std::string fname = file.filename().string();
  const bool bastille_tar = from == ForeignExport::Bastille && (ends_with(fname, ".txz") || ends_with(fname, ".tgz") || ends_with(fname, ".tzst"));
  if (from == ForeignExport::Iocage && !ends_with(fname, ".zip") && !ends_with(fname, ".tar.xz"))
    throw UsageError("invalid iocage export '" + fname + "': allowed: NAME_DATE.zip or NAME_DATE.tar.xz, as iocage export writes them");
  if (from == ForeignExport::Bastille && !bastille_tar && !ends_with(fname, ".xz"))
    throw UsageError("invalid Bastille export '" + fname + "': allowed: .txz, .tgz or .tzst (a tarball) or .xz (a zfs stream)");
  for (const auto& [k, v] : user) {
    if (k != "tag" && k != "release" && !find_property(k)) throw UsageError("unknown property '" + k + "'");
    validate_property(k, v);
  }
  if (!bastille_tar) require_stream_storage(ctx, file, who);
  verify_beside(file);

  sdk::Storage& storage = ctx.storage();
  FileLock inventory_lock(ctx.locks_dir() / "inventory", "the jail inventory");
  ImportOutcome out;
  const std::string uuid = ctx.new_uuid();
  const std::string staging = "jails/" + std::string(sdk::temp_names::kNewJail) + uuid, final_ds = "jails/" + uuid;
  Arrival arrival;
  try {
    Scratch scratch(ctx);
    if (from == ForeignExport::Iocage) {
      ctx.archiver().extract(file, scratch.path, foreign_policy(ctx, scratch.path));
      const IocageStreams streams = iocage_streams(scratch.path);
      receive_file(ctx, streams.top, staging);
      for (const auto& [rel, f] : streams.children) receive_file(ctx, f, staging + "/" + rel);
      storage.mount(staging);
      if (!storage.exists(staging + "/root")) throw Refused("the export holds no root dataset; the jail's files are not in it");
      drop_export_snapshots(ctx, staging);
      if (!ctx.dry_run()) arrival = map_iocage_home(storage.mountpoint(staging));
    } else if (!bastille_tar) {
      const fs::path raw = scratch.path / "stream";
      sdk::UniqueFd out_fd(::open(raw.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
      sdk::Command unxz({"xz", "-d", "-c", "--", file.string()});
      unxz.stdout_fd = out_fd.get();
      ctx.runner().check(unxz);
      receive_file(ctx, raw, staging);
      storage.mount(staging);
      if (!storage.exists(staging + "/root")) throw Refused("the stream holds no root dataset; the jail's files are not in it");
      drop_export_snapshots(ctx, staging);
      if (!ctx.dry_run()) arrival = map_bastille_home(storage.mountpoint(staging));
    } else {
      storage.create(staging, {});
      storage.create(staging + "/root", {});
      if (!ctx.dry_run()) {
        const fs::path root_dir = storage.mountpoint(staging + "/root");
        const fs::path jail = unpack_bastille_tar(ctx, file, root_dir, uuid);
        try {
          arrival = map_bastille_home(jail);
          if (trust.covers(kTrustFstab) && regular(jail / "fstab"))
            ctx.host().log->warn("Bastille's fstab names host paths of the exporting host; it is not taken (iocell fstab -a adds entries)");
        } catch (...) {
          sdk::tree::remove_tree(jail.parent_path());
          throw;
        }
        sdk::tree::remove_tree(jail.parent_path());
      }
    }
    if (!ctx.dry_run()) {
      TrustFiltered filtered = filter_untrusted(arrival.mapped.props, trust);
      PropertyValues cfg = builtin_defaults(ctx.os());
      for (const auto& [k, v] : filtered.kept) cfg[k] = v;
      for (const auto& [k, v] : user) cfg[k] = v;
      std::string tag = user.count("tag") ? user.at("tag") : arrival.name;
      try {
        validate_property("tag", tag);
      } catch (const UsageError&) {
        tag = "imported_" + uuid.substr(0, 8);
      }
      if (ctx.inventory().find_tag(tag)) {
        if (user.count("tag")) throw Refused("tag '" + tag + "' is already used by another jail; choose another tag=");
        tag += "_" + uuid.substr(0, 8);
      }
      cfg["tag"] = tag;
      cfg["uuid"] = uuid;
      cfg["template"] = "no";
      cfg["hostid"] = host_id(ctx);
      cfg["jail_zfs_dataset"] = "iocell/jails/" + uuid + "/data";
      if (!cfg.count("release") || cfg["release"].empty()) cfg["release"] = "none";
      // A basejail stays one (its system comes from the release); anything
      // else arrived whole.
      const std::string mapped_type = arrival.mapped.props.count("type") ? arrival.mapped.props.at("type") : "";
      cfg["type"] = !mapped_type.empty() && ctx.plugins().has(ComponentKind::JailType, mapped_type, ctx.os()) ? mapped_type
                                                                                                          : create_type(ctx, "", '\0').name();
      const fs::path home = storage.mountpoint(staging);
      // The exporter's fstab names its own host's paths.
      sdk::SafeRoot(home).write_file("fstab", "");
      ctx.inventory().index_tag(tag, uuid);
      write_config(home / "config.json", cfg);
      for (const auto& d : arrival.mapped.dropped) out.note += "not kept: " + d.name + "=" + d.value + ": " + d.reason + "\n";
      for (const auto& d : filtered.dropped) out.note += "not taken (iocell import --trust=NAME,... takes it): " + d + "\n";
      out.jail = JailRecord{uuid, final_ds, storage.mountpoint("jails") / uuid, cfg};
    } else {
      out.jail = JailRecord{uuid, final_ds, storage.mountpoint("jails") / uuid, {{"tag", "?"}}};
    }
    storage.rename(staging, final_ds);
  } catch (const std::exception& e) {
    const std::string why = e.what();
    discard_staging(ctx, staging);
    throw Refused("cannot import " + fname + ": " + why + " (nothing was kept)");
  }
  return out;
}

}  // namespace iocell::core
