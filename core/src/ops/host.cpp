#include <iocell/core/ops/host.hpp>

#include <fstream>
#include <sstream>

#include <iocell/core/context.hpp>
#include <iocell/sdk/safe_root.hpp>

namespace iocell::core {

std::string host_id(Context& ctx) {
  const char* file = ctx.os() == sdk::HostOs::FreeBSD ? "/etc/hostid" : "/etc/machine-id";
  std::ifstream in(file);
  std::string id;
  std::getline(in, id);
  return id;
}

bool host_has_vnet(Context& ctx) {
  auto res = ctx.runner().run({"sysctl", "-n", "kern.features.vimage"});
  return res.ok() && res.out.rfind("1", 0) == 0;
}

// jail(8) gives the jail its host.hostname, and rc.d/hostname keeps it when
// rc.conf sets none: the line only matters where rc.conf says otherwise.
// So a line added to an empty or missing rc.conf is written without waiting
// for the disk (a crash that loses it changes nothing: creating a thin jail
// is a btrfs snapshot and one flush instead of two). Replacing content is
// flushed as always.
void write_rc_conf_hostname(const std::filesystem::path& jail_root, const std::string& hostname) {
  std::error_code ec;
  if (!std::filesystem::is_directory(jail_root / "etc", ec) || std::filesystem::is_symlink(jail_root / "etc", ec)) return;
  // rc.conf only matters to a FreeBSD userland; a Linux root has no /etc/rc.d.
  if (!std::filesystem::exists(jail_root / "etc" / "rc.d", ec) && !std::filesystem::exists(jail_root / "etc" / "rc.conf", ec)) return;
  sdk::SafeRoot root(jail_root);
  std::string content;
  try {
    root.read_file("etc/rc.conf", content);
  } catch (const std::exception&) {
    content.clear();  // a symlink or a non-file planted there is replaced, not followed
  }
  const bool had_content = !content.empty();
  const std::string wanted = "hostname=\"" + hostname + "\"";
  // Every line that sets hostname, as sh would read the last one.
  std::string out;
  bool replaced = false;
  size_t start = 0;
  while (start < content.size()) {
    size_t end = content.find('\n', start);
    const size_t len = (end == std::string::npos ? content.size() : end) - start;
    const std::string_view line(content.data() + start, len);
    if (line.rfind("hostname=", 0) == 0) {
      out += wanted;
      replaced = true;
    } else {
      out += line;
    }
    if (end == std::string::npos) break;
    out += '\n';
    start = end + 1;
  }
  if (!replaced) out = wanted + "\n" + out;
  root.write_file("etc/rc.conf", out, 0644, had_content);
}

void write_resolver(Context& ctx, const sdk::JailSpec& spec) {
  std::error_code ec;
  if (ctx.dry_run() || !std::filesystem::is_directory(spec.root / "etc", ec) || std::filesystem::is_symlink(spec.root / "etc", ec))
    return;
  std::string content;
  const std::string resolver = spec.props.get("resolver");
  if (resolver.empty() || resolver == "none") {
    std::ifstream host("/etc/resolv.conf");
    if (!host) return;
    std::ostringstream ss;
    ss << host.rdbuf();
    content = ss.str();
  } else {
    std::stringstream ss(resolver);
    std::string line;
    while (std::getline(ss, line, ';')) content += line + "\n";
  }
  sdk::SafeRoot(spec.root).write_file("etc/resolv.conf", content);
}

}  // namespace iocell::core
