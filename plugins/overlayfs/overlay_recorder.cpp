#include "overlay_recorder.hpp"

#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include <iocell/sdk/file_tree.hpp>

namespace iocell::plugins::overlayfs {

namespace fs = std::filesystem;

namespace {

std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool octal = s[i] == '\\' && s.size() - i >= 4 &&
                       s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7';
    if (octal) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 3), nullptr, 8));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

// overlayfs splits its options on ',' and its layer lists on ':'; a path
// holding either (or a backslash) would be parsed as something else.
void check_path(const fs::path& p) {
  if (p.string().find_first_of(",:\\") != std::string::npos)
    throw std::runtime_error("cannot record with overlayfs: the path " + p.string() + " contains ',', ':' or '\\'");
}

void make_fresh_dir(const fs::path& p) {
  sdk::tree::remove_tree(p);
  if (::mkdir(p.c_str(), 0700) != 0) throw std::runtime_error("cannot create " + p.string() + ": " + std::strerror(errno));
}

}  // namespace

std::vector<MountEntry> parse_mountinfo(const std::string& text) {
  std::vector<MountEntry> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::vector<std::string> w;
    std::string word;
    while (words >> word) w.push_back(word);
    // id parent dev root mountpoint options [optional...] - fstype source super
    size_t dash = 0;
    for (size_t i = 6; i < w.size(); ++i)
      if (w[i] == "-") {
        dash = i;
        break;
      }
    if (w.size() < 7 || dash == 0 || dash + 2 >= w.size()) continue;
    out.push_back(MountEntry{unescape(w[4]), w[dash + 1], dash + 3 < w.size() ? unescape(w[dash + 3]) : std::string()});
  }
  return out;
}

std::optional<std::string> mount_option(const std::string& options, const std::string& key) {
  std::istringstream in(options);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (item.compare(0, key.size() + 1, key + "=") == 0) return item.substr(key.size() + 1);
  }
  return std::nullopt;
}

bool OverlayRecorder::active(const sdk::JailSpec& spec) {
  std::ifstream in("/proc/self/mountinfo");
  std::stringstream ss;
  ss << in.rdbuf();
  // The last mount on the root is the one on top, the one the root shows;
  // an overlay whose upper layer sits in the jail's home is a recording (a
  // dir clone's overlay keeps its upper layer under the storage's .overlay).
  std::optional<MountEntry> top;
  for (auto& e : parse_mountinfo(ss.str()))
    if (fs::path(e.mount_point) == spec.root) top = e;
  if (!top || top->fstype != "overlay") return false;
  auto upper = mount_option(top->super_options, "upperdir");
  return upper && fs::path(*upper).parent_path() == spec.home;
}

void OverlayRecorder::start(const sdk::JailSpec& spec, const fs::path& upper) {
  check_path(spec.root);
  check_path(upper);
  check_path(work_dir(spec));
  if (active(spec)) throw std::runtime_error("an overlay is already recording on " + spec.root.string());
  const std::string opts = "lowerdir=" + spec.root.string() + ",upperdir=" + upper.string() + ",workdir=" + work_dir(spec).string();
  if (m_host.dry_run) {
    m_host.would("mount an overlay on " + spec.root.string() + " (" + opts + ")");
    return;
  }
  std::error_code ec;
  fs::create_directory(upper, ec);
  if (ec) throw std::runtime_error("cannot create " + upper.string() + ": " + ec.message());
  struct stat st {};
  if (::lstat(upper.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw std::runtime_error(upper.string() + " is not a directory; remove it before recording");
  make_fresh_dir(work_dir(spec));
  if (::mount("overlay", spec.root.c_str(), "overlay", MS_NOATIME, opts.c_str()) != 0) {
    int e = errno;
    sdk::tree::remove_tree(work_dir(spec));
    throw std::runtime_error("cannot mount the recording overlay on " + spec.root.string() + ": " + std::strerror(e));
  }
}

void OverlayRecorder::stop(const sdk::JailSpec& spec) {
  if (!active(spec)) throw std::runtime_error("no recording overlay is mounted on " + spec.root.string());
  if (m_host.dry_run) {
    m_host.would("unmount the overlay on " + spec.root.string());
    return;
  }
  if (::umount2(spec.root.c_str(), 0) != 0) {
    int e = errno;
    throw std::runtime_error("cannot unmount the recording overlay on " + spec.root.string() + ": " + std::strerror(e) +
                             (e == EBUSY ? " (something still uses the jail's files; stop the jail first)" : ""));
  }
  sdk::tree::remove_tree(work_dir(spec));
}

}  // namespace iocell::plugins::overlayfs
