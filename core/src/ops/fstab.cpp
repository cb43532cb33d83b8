#include <iocell/core/ops/fstab.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include <iocell/core/config_store.hpp>
#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/lock.hpp>
#include <iocell/core/ops/jail_paths.hpp>
#include <iocell/core/ops/lifecycle.hpp>
#include <iocell/sdk/safe_root.hpp>
#include <iocell/sdk/temp_names.hpp>

namespace iocell::core {

namespace fs = std::filesystem;

namespace {

std::string describe(const JailRecord& rec) { return rec.uuid + " (" + rec.tag() + ")"; }
fs::path fstab_file(const JailRecord& rec) { return rec.home / "fstab"; }
fs::path jail_root(const JailRecord& rec) { return rec.home / "root"; }

std::vector<std::string> fields_of(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

/// The mount point as the jail sees it, from a path inside the jail or a
/// host path below its root; refuses what leaves the root.
std::string inside_jail(const JailRecord& rec, const std::string& target) {
  for (const auto& part : fs::path(target))
    if (part == "..") throw UsageError("the mount point '" + target + "' leaves the jail's root ('..')");
  const fs::path root = jail_root(rec).lexically_normal();
  fs::path p = fs::path(target).lexically_normal();
  const std::string r = root.string(), s = p.string();
  if (s == r || s.rfind(r + "/", 0) == 0) p = fs::path("/") / fs::path(s.substr(r.size())).relative_path();
  if (!p.is_absolute()) throw UsageError("the mount point '" + target + "' must be an absolute path inside the jail (/mnt/data)");
  if (p == "/") throw UsageError("the mount point '" + target + "' is the jail's root itself");
  return p.string();
}

/// Every existing component of the mount point, walked without following a
/// link: mounting on a link the jail planted would mount on the host.
void check_mount_point(const JailRecord& rec, const std::string& in_jail) {
  try {
    walk_in_jail(jail_root(rec), fs::path(in_jail).relative_path(), describe(rec), WhenMissing::Stop, false);
  } catch (const Refused& e) {
    throw Refused("the mount point " + in_jail + " is refused: " + e.what());
  }
}

// `line` 0: the words of `fstab -a`, whose type and options may be left out.
FstabEntry entry_of(const JailRecord& rec, const std::vector<std::string>& f, int line) {
  if (line > 0 && f.size() < 4)
    throw UsageError("fstab line " + std::to_string(line) + " has " + std::to_string(f.size()) +
                     " fields; an entry is SOURCE DEST TYPE OPTIONS [DUMP [PASS]]");
  if (f.size() < 2 || f.size() > 6)
    throw UsageError("an fstab entry is SOURCE DEST [TYPE [OPTIONS [DUMP [PASS]]]], not " + std::to_string(f.size()) + " fields" +
                     (line ? " (line " + std::to_string(line) + ")" : ""));
  FstabEntry e;
  e.source = f[0];
  e.target_in_jail = inside_jail(rec, f[1]);
  e.target = (jail_root(rec) / fs::path(e.target_in_jail).relative_path()).string();
  e.type = f.size() > 2 ? f[2] : "nullfs";
  e.options = f.size() > 3 ? f[3] : "ro";
  if (f.size() > 4) e.dump = f[4];
  if (f.size() > 5) e.pass = f[5];
  for (const auto* n : {&e.dump, &e.pass})
    if (n->empty() || n->find_first_not_of("0123456789") != std::string::npos)
      throw UsageError("the dump and pass fields of an fstab entry are numbers, not '" + *n + "'");
  e.line = line;
  return e;
}

std::string line_of(const FstabEntry& e) { return e.source + "\t" + e.target + "\t" + e.type + "\t" + e.options + "\t" + e.dump + "\t" + e.pass; }

/// What every entry must satisfy before the file is written.
void check_entry(const JailRecord& rec, const FstabEntry& e) {
  const std::string where = e.line ? " (line " + std::to_string(e.line) + ")" : "";
  if (e.type == "nullfs") {
    std::error_code ec;
    if (!fs::path(e.source).is_absolute() || !fs::exists(e.source, ec))
      throw NotFound("the source " + e.source + " of the nullfs mount on " + e.target_in_jail + where +
                     " does not exist on the host (give an absolute host path)");
  }
  check_mount_point(rec, e.target_in_jail);
}

std::vector<FstabEntry> parse(const JailRecord& rec, const std::string& text) {
  std::vector<FstabEntry> out;
  std::istringstream in(text);
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    const auto f = fields_of(line.substr(0, line.find('#')));
    if (!f.empty()) out.push_back(entry_of(rec, f, n));
  }
  return out;
}

std::string read_fstab(const JailRecord& rec) {
  std::error_code ec;
  return fs::exists(fstab_file(rec), ec) ? read_file(fstab_file(rec)) : std::string();
}

/// The text with every entry's mount point written as the host path under
/// the jail's root (jail(8) mounts what the file says); comments kept.
std::string normalized(const JailRecord& rec, const std::string& text) {
  std::istringstream in(text);
  std::string out;
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    const auto f = fields_of(line.substr(0, line.find('#')));
    ++n;
    out += (f.empty() ? line : line_of(entry_of(rec, f, n))) + "\n";
  }
  return out;
}

/// Checks the whole text as the runtime will read it, then writes it.
void install(Context& ctx, const JailRecord& rec, const std::string& given) {
  const std::string text = normalized(rec, given);
  {
    StoppedRootMount files(ctx, rec);
    for (const auto& e : parse(rec, text)) check_entry(rec, e);
  }
  sdk::JailSpec spec = ctx.inventory().spec(rec);
  try {
    ctx.runtime().check_fstab(spec, text);
  } catch (const std::exception& e) {
    throw UsageError(std::string("the fstab of ") + describe(rec) + " would not mount: " + e.what());
  }
  if (ctx.dry_run()) return;
  write_file_atomic(fstab_file(rec), text, 0644);
}

}  // namespace

std::vector<FstabEntry> fstab_entries(Context& /*ctx*/, const JailRecord& rec) { return parse(rec, read_fstab(rec)); }

FstabEntry fstab_add(Context& ctx, const JailRecord& rec, const std::vector<std::string>& words) {
  std::vector<std::string> f;
  for (const auto& w : words)
    for (const auto& part : fields_of(w)) f.push_back(part);
  FstabEntry e = entry_of(rec, f, 0);
  FileLock lock(ctx.locks_dir() / rec.uuid, "jail " + rec.uuid);
  std::string text = read_fstab(rec);
  for (const auto& old : parse(rec, text))
    if (old.target_in_jail == e.target_in_jail)
      throw Refused(e.target_in_jail + " in " + describe(rec) + " is already a mount point (fstab line " + std::to_string(old.line) +
                    "); remove it first: iocell fstab -r " + rec.tag() + " " + e.target_in_jail);
  if (!text.empty() && text.back() != '\n') text += '\n';
  text += line_of(e) + "\n";
  install(ctx, rec, text);
  return e;
}

FstabEntry fstab_remove(Context& ctx, const JailRecord& rec, const std::string& which) {
  FileLock lock(ctx.locks_dir() / rec.uuid, "jail " + rec.uuid);
  const std::string text = read_fstab(rec);
  const auto entries = parse(rec, text);
  const bool number = !which.empty() && which.find_first_not_of("0123456789") == std::string::npos;
  const FstabEntry* found = nullptr;
  for (std::size_t i = 0; i < entries.size(); ++i)
    if ((number && std::to_string(i + 1) == which) || (!number && entries[i].target_in_jail == fs::path(which).lexically_normal().string()))
      found = &entries[i];
  if (!found) throw NotFound("no fstab entry " + which + " in " + describe(rec) + " (iocell fstab -l " + rec.tag() + " lists them)");
  std::istringstream in(text);
  std::string out;
  int n = 0;
  for (std::string line; std::getline(in, line);)
    if (++n != found->line) out += line + "\n";
  if (!ctx.dry_run()) write_file_atomic(fstab_file(rec), out, 0644);
  return *found;
}

void fstab_replace(Context& ctx, const JailRecord& rec, const std::string& text) {
  FileLock lock(ctx.locks_dir() / rec.uuid, "jail " + rec.uuid);
  install(ctx, rec, text);
}

void fstab_edit(Context& ctx, const JailRecord& rec, std::vector<std::string> editor) {
  if (editor.empty()) throw UsageError("fstab -e needs an editor: set EDITOR");
  const fs::path copy = rec.home / sdk::temp_names::file_tmp("fstab");
  write_file_atomic(copy, read_fstab(rec), 0600);
  editor.push_back(copy.string());
  sdk::Command cmd(editor);
  cmd.interactive = true;
  const auto res = ctx.runner().run(cmd);
  std::error_code ec;
  if (!res.ok()) {
    fs::remove(copy, ec);
    throw Refused("the editor " + editor.front() + " exited with status " + std::to_string(res.exit_code) + "; the fstab of " +
                  describe(rec) + " is unchanged");
  }
  try {
    fstab_replace(ctx, rec, read_file(copy));
  } catch (const std::exception& e) {
    throw UsageError(std::string(e.what()) + "\nthe fstab is unchanged; the edited copy is " + copy.string());
  }
  fs::remove(copy, ec);
}

}  // namespace iocell::core
