// The tag index: tags/<name> is a symbolic link whose text is a UUID. It is
// never followed: the text is read with readlinkat and the jail is looked up
// under jails/ and templates/ by that UUID. See inventory.hpp for the
// invariant its writers keep.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/inventory.hpp>
#include <iocell/sdk/temp_names.hpp>

namespace iocell::core {
namespace {

constexpr const char* kComplete = ".complete";

// A tag as one file name: '/' and '%' are escaped (tags refuse '/', jails
// adopted from elsewhere may carry one), and so is a leading '.', which
// keeps "." and ".." out and leaves dot names to the index's own files.
// Too long a name has no link: that tag is looked for by a scan.
std::optional<std::string> link_name(const std::string& tag) {
  std::string out;
  for (std::size_t i = 0; i < tag.size(); ++i) {
    const char c = tag[i];
    if (c == '\0') return std::nullopt;
    if (c == '/') out += "%2F";
    else if (c == '%') out += "%25";
    else if (c == '.' && i == 0) out += "%2E";
    else out += c;
  }
  if (out.empty() || out.size() > 255) return std::nullopt;
  return out;
}

class Fd {
 public:
  explicit Fd(int fd) : m_fd(fd) {}
  ~Fd() {
    if (m_fd >= 0) ::close(m_fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return m_fd; }

 private:
  int m_fd;
};

std::string errno_text(const std::string& what, const std::filesystem::path& p) {
  return what + " " + p.string() + ": " + std::strerror(errno);
}

// The index directory, made if asked; -1 (errno ENOENT) when it is absent.
int open_index(const std::filesystem::path& dir, bool create) {
  if (create && ::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) throw std::runtime_error(errno_text("cannot create", dir));
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno != ENOENT) throw std::runtime_error(errno_text("cannot open", dir));
  return fd;
}

std::optional<std::string> read_link(int dir, const std::string& name) {
  char buf[64];
  const ssize_t n = ::readlinkat(dir, name.c_str(), buf, sizeof buf);
  if (n <= 0 || static_cast<std::size_t>(n) >= sizeof buf) return std::nullopt;
  return std::string(buf, static_cast<std::size_t>(n));
}

// A new link is made under a temporary name and renamed over the old one:
// a reader sees the old UUID or the new one, never no link.
void write_link(int dir, const std::filesystem::path& dir_path, const std::string& name, const std::string& uuid) {
  const std::string tmp = std::string(sdk::temp_names::kNewJail) + uuid;
  ::unlinkat(dir, tmp.c_str(), 0);
  if (::symlinkat(uuid.c_str(), dir, tmp.c_str()) != 0) throw std::runtime_error(errno_text("cannot write a tag link in", dir_path));
  if (::renameat(dir, tmp.c_str(), dir, name.c_str()) != 0) {
    const int saved = errno;
    ::unlinkat(dir, tmp.c_str(), 0);
    errno = saved;
    throw std::runtime_error(errno_text("cannot write a tag link in", dir_path));
  }
}

}  // namespace

std::optional<JailRecord> Inventory::load_uuid(const std::string& uuid) {
  if (!is_uuid(uuid)) return std::nullopt;
  for (const char* dir : {"jails", "templates"}) {
    // hack88 jails live under the first 8 characters of their UUID.
    for (const std::string& name : {uuid, uuid.substr(0, 8)}) {
      const std::string path = (m_ctx.root() / dir / name).string();
      if (auto r = load(Entry{dir, path, name}); r && r->uuid == uuid) return r;
    }
  }
  return std::nullopt;
}

std::optional<JailRecord> Inventory::find_tag(const std::string& tag) {
  const auto dir_path = m_ctx.root() / "tags";
  const auto name = link_name(tag);
  Fd dir(open_index(dir_path, false));
  struct stat st {};
  if (name && dir.get() >= 0 && ::fstatat(dir.get(), kComplete, &st, AT_SYMLINK_NOFOLLOW) == 0) {
    const auto uuid = read_link(dir.get(), *name);
    if (!uuid) return std::nullopt;
    auto r = load_uuid(*uuid);
    if (r && r->tag() == tag) return r;
    return std::nullopt;  // stale: the jail is gone or carries another tag now
  }
  auto found = find_tag_in(entries(), tag);
  // A dry run changes nothing; a tag that cannot have a link keeps its scan.
  if (!m_ctx.dry_run() && name) rebuild_tag_index();
  return found;
}

void Inventory::index_tag(const std::string& tag, const std::string& uuid) {
  if (m_ctx.dry_run()) return;
  const auto name = link_name(tag);
  if (!name) return;
  const auto dir_path = m_ctx.root() / "tags";
  Fd dir(open_index(dir_path, true));
  write_link(dir.get(), dir_path, *name, uuid);
  // On disk before the jail that carries the tag: after a power cut the
  // index may name a jail that never got published, never miss one that did.
  if (::fsync(dir.get()) != 0) throw std::runtime_error(errno_text("cannot flush", dir_path));
}

void Inventory::unindex_tag(const std::string& tag, const std::string& uuid) {
  if (m_ctx.dry_run()) return;
  const auto name = link_name(tag);
  if (!name) return;
  Fd dir(open_index(m_ctx.root() / "tags", false));
  if (dir.get() < 0) return;
  if (read_link(dir.get(), *name) == uuid) ::unlinkat(dir.get(), name->c_str(), 0);
}

void Inventory::invalidate_tag_index() {
  if (m_ctx.dry_run()) return;
  Fd dir(open_index(m_ctx.root() / "tags", false));
  if (dir.get() >= 0 && ::unlinkat(dir.get(), kComplete, 0) != 0 && errno != ENOENT)
    throw std::runtime_error(errno_text("cannot reset the tag index in", m_ctx.root() / "tags"));
}

std::vector<std::string> Inventory::rebuild_tag_index() {
  const auto dir_path = m_ctx.root() / "tags";
  Fd dir(open_index(dir_path, true));
  // Not complete while it is rebuilt: a crash halfway leaves a scan to come.
  if (::unlinkat(dir.get(), kComplete, 0) != 0 && errno != ENOENT) throw std::runtime_error(errno_text("cannot reset the tag index in", dir_path));
  std::set<std::string> wanted;
  for (const auto& j : all()) {
    const auto name = j.tag().empty() ? std::nullopt : link_name(j.tag());
    // Older roots may hold two jails with one tag: the first (by UUID) keeps the link.
    if (!name || !wanted.insert(*name).second) continue;
    if (read_link(dir.get(), *name) != j.uuid) write_link(dir.get(), dir_path, *name, j.uuid);
  }
  std::vector<std::string> removed;
  for (const auto& e : std::filesystem::directory_iterator(dir_path)) {
    const std::string n = e.path().filename().string();
    if (n == kComplete || wanted.count(n)) continue;
    if (::unlinkat(dir.get(), n.c_str(), 0) == 0) removed.push_back(e.path().string());
  }
  if (::fsync(dir.get()) != 0) throw std::runtime_error(errno_text("cannot flush", dir_path));
  const int fd = ::openat(dir.get(), kComplete, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error(errno_text("cannot complete the tag index in", dir_path));
  ::close(fd);
  return removed;
}

}  // namespace iocell::core
