#include "fstab.hpp"

#include <sstream>
#include <stdexcept>

#include "ns_util.hpp"

namespace iocell::plugins::linux_ns {

namespace {

// fstab(5) writes blanks in paths as \040: decode every \NNN octal escape.
std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      const std::string oct = s.substr(i + 1, 3);
      if (oct.size() == 3 && oct.find_first_not_of("01234567") == std::string::npos) {
        out += static_cast<char>(std::stoi(oct, nullptr, 8));
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

bool starts_with_dir(const std::filesystem::path& path, const std::filesystem::path& dir, std::filesystem::path& rest) {
  auto p = path.begin(), d = dir.begin();
  for (; d != dir.end(); ++d, ++p) {
    if (d->empty()) continue;  // a trailing separator yields an empty element
    if (p == path.end() || *p != *d) return false;
  }
  rest.clear();
  for (; p != path.end(); ++p) rest /= *p;
  return true;
}

std::runtime_error line_error(int line, const std::string& what) {
  return std::runtime_error("fstab line " + std::to_string(line) + ": " + what);
}

void apply_option(MountEntry& e, const std::string& opt) {
  if (opt.empty() || opt == "rw" || opt == "defaults" || opt == "late" || opt == "auto" || opt == "sw" ||
      opt == "nodev")
    return;
  if (opt == "ro" || opt == "rdonly") e.readonly = true;
  else if (opt == "nosuid") e.nosuid = true;
  else if (opt == "suid") e.nosuid = false;
  else if (opt == "noexec") e.noexec = true;
  else if (opt == "exec") e.noexec = false;
  else if (opt == "noatime") e.noatime = true;
  else if (opt == "atime" || opt == "relatime") e.noatime = false;
  else if (opt == "dev")
    throw line_error(e.line, "option 'dev' is not allowed: mounts inside a jail never honour device nodes");
  else if (e.fstype == "bind" || e.fstype == "proc" || e.fstype == "sysfs")
    throw line_error(e.line, "option '" + opt + "' is not supported for " + e.written_type +
                                 " (allowed: ro, rw, nosuid, noexec, noatime)");
  else {
    size_t eq = opt.find('=');
    if (eq == std::string::npos) e.params.emplace_back(opt, "");
    else e.params.emplace_back(opt.substr(0, eq), opt.substr(eq + 1));
  }
}

}  // namespace

std::filesystem::path jail_relative(const std::string& target, const std::filesystem::path& jail_root,
                                    const std::string& uuid) {
  std::filesystem::path t(target);
  if (!t.is_absolute()) throw std::runtime_error("mount point '" + target + "' is not an absolute path");
  t = t.lexically_normal();
  std::filesystem::path rest;
  bool found = starts_with_dir(t, jail_root.lexically_normal(), rest);
  if (!found && !uuid.empty()) {
    const std::string s = t.string();
    for (const std::string& marker : {"/jails/" + uuid + "/root", "/templates/" + uuid + "/root"}) {
      size_t at = s.find(marker);
      if (at == std::string::npos) continue;
      size_t after = at + marker.size();
      if (after == s.size() || s[after] == '/') {
        rest = std::filesystem::path(s.substr(after)).relative_path();
        found = true;
        break;
      }
    }
  }
  if (!found)
    throw std::runtime_error("mount point '" + target + "' is not inside the jail root " + jail_root.string());
  rest = rest.lexically_normal();
  if (rest.empty() || rest == ".") throw std::runtime_error("mount point '" + target + "' is the jail root itself");
  if (*rest.begin() == "..") throw std::runtime_error("mount point '" + target + "' leaves the jail root");
  return rest;
}

std::vector<MountEntry> parse_fstab(const std::string& text, const std::filesystem::path& jail_root,
                                    const std::string& uuid) {
  std::vector<MountEntry> out;
  std::istringstream in(text);
  std::string raw;
  int lineno = 0;
  while (std::getline(in, raw)) {
    ++lineno;
    size_t hash = raw.find('#');
    if (hash != std::string::npos) raw.resize(hash);
    auto f = split_blank(raw);
    if (f.empty()) continue;
    if (f.size() < 3) throw line_error(lineno, "expected 'SOURCE MOUNTPOINT TYPE [OPTIONS [DUMP [PASS]]]', got '" + raw + "'");
    MountEntry e;
    e.line = lineno;
    e.source = unescape(f[0]);
    e.written_type = f[2];
    const std::string& type = f[2];
    if (type == "devfs" || type == "fdescfs") continue;
    if (type == "linprocfs" || type == "procfs" || type == "proc") e.fstype = "proc";
    else if (type == "linsysfs" || type == "sysfs") e.fstype = "sysfs";
    else if (type == "nullfs" || type == "bind") e.fstype = "bind";
    else e.fstype = type;
    const std::string opts = f.size() > 3 ? f[3] : "rw";
    bool noauto = false;
    std::stringstream os(opts);
    std::string opt;
    while (std::getline(os, opt, ',')) {
      if (opt == "noauto") noauto = true;
      else apply_option(e, opt);
    }
    if (noauto) continue;
    // sysfs exposes kernel switches (uevent_helper and the like) that a jail must never write.
    if (e.fstype == "sysfs") e.readonly = true;
    if (e.fstype == "bind" && !std::filesystem::path(e.source).is_absolute())
      throw line_error(lineno, "nullfs source '" + e.source + "' is not an absolute host path");
    try {
      e.target = jail_relative(unescape(f[1]), jail_root, uuid);
    } catch (const std::exception& ex) {
      throw line_error(lineno, ex.what());
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace iocell::plugins::linux_ns
