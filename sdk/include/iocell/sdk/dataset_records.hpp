// Bookkeeping for storage backends whose filesystem does not remember what
// ZFS does: which directories are datasets, their flags and user
// properties, and which snapshot a clone came from (dir, btrfs). One small
// text file per dataset ("key=value" lines), replaced atomically, so that
// operations on different jails never rewrite each other's records.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <iocell/sdk/random.hpp>

namespace iocell::sdk::records {

/// Checks a dataset name ("jails/<uuid>/root") and throws naming what is wrong.
inline void validate_dataset(const std::string& dataset) {
  if (dataset.empty()) throw std::invalid_argument("empty dataset name");
  if (dataset.front() == '/' || dataset.back() == '/')
    throw std::invalid_argument("dataset name '" + dataset + "' must be relative, without a leading or trailing '/'");
  size_t start = 0;
  for (;;) {
    size_t slash = dataset.find('/', start);
    std::string part = dataset.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part.empty() || part == "." || part == "..")
      throw std::invalid_argument("dataset name '" + dataset + "' has an empty, '.' or '..' component");
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  if (dataset.find_first_of(std::string("@\n\0", 3)) != std::string::npos)
    throw std::invalid_argument("dataset name '" + dataset + "' contains '@', a newline or NUL");
}

/// Checks a snapshot name (the part after '@').
inline void validate_snapshot(const std::string& snap) {
  if (snap.empty() || snap[0] == '.') throw std::invalid_argument("snapshot name '" + snap + "' is empty or starts with '.'");
  if (snap.find_first_of(std::string("/@\n\0", 4)) != std::string::npos)
    throw std::invalid_argument("snapshot name '" + snap + "' contains '/', '@', a newline or NUL");
}

/// A dataset name as one path component: '%' -> "%25", '/' -> "%2F".
inline std::string escape(const std::string& dataset) {
  std::string out;
  for (char c : dataset) {
    if (c == '%') out += "%25";
    else if (c == '/') out += "%2F";
    else out += c;
  }
  return out;
}

inline std::string unescape(const std::string& escaped) {
  std::string out;
  for (size_t i = 0; i < escaped.size(); ++i) {
    if (escaped.compare(i, 3, "%25") == 0) {
      out += '%';
      i += 2;
    } else if (escaped.compare(i, 3, "%2F") == 0) {
      out += '/';
      i += 2;
    } else {
      out += escaped[i];
    }
  }
  return out;
}

/// ds is `parent` or lies below it.
inline bool under(const std::string& ds, const std::string& parent) {
  return ds == parent || (ds.size() > parent.size() && ds.compare(0, parent.size(), parent) == 0 && ds[parent.size()] == '/');
}

inline std::string parent_of(const std::string& ds) {
  size_t slash = ds.rfind('/');
  return slash == std::string::npos ? std::string() : ds.substr(0, slash);
}

/// "ds@snap" -> {ds, snap}.
inline std::pair<std::string, std::string> split_origin(const std::string& origin) {
  size_t at = origin.find('@');
  if (at == std::string::npos) return {origin, ""};
  return {origin.substr(0, at), origin.substr(at + 1)};
}

/// Writes a file atomically: temp file, rename. With `durable`, also fsync
/// of the file before the rename and of the directory after it.
inline void write_atomic(const std::filesystem::path& path, const std::string& content, bool durable = true) {
  const auto tmp = path.parent_path() / ("." + path.filename().string() + "." + random_hex());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + tmp.string() + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw std::runtime_error("cannot write " + tmp.string() + ": " + std::strerror(e));
    }
    done += static_cast<size_t>(n);
  }
  bool ok = !durable || ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot replace " + path.string() + ": " + std::strerror(e));
  }
  if (!durable) return;
  int dfd = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

struct DatasetRecord {
  bool readonly = false;
  /// "dataset@snap" this dataset was cloned from, "" when it is no clone.
  std::string origin;
  /// How the backend made the clone ("overlay", "copy", "snapshot").
  std::string clone_kind;
  /// Some clone was made of this dataset or of one of its snapshots (the
  /// mark stays after the clone is gone). A backend that keeps these marks
  /// knows that renaming an unmarked dataset leaves every origin valid.
  bool source = false;
  /// User properties (names with a ':', as in ZFS).
  std::map<std::string, std::string> user;
};

class RecordStore {
 public:
  /// Records live in `dir` (created on the first save). Without `durable`
  /// they are not fsynced: for backends where a lost record costs nothing
  /// but a cosmetic origin (btrfs clones are independent from birth).
  explicit RecordStore(std::filesystem::path dir, bool durable = true) : m_dir(std::move(dir)), m_durable(durable) {}

  std::optional<DatasetRecord> load(const std::string& ds) const {
    std::ifstream in(file(ds));
    if (!in) return std::nullopt;
    DatasetRecord r;
    std::string line;
    while (std::getline(in, line)) {
      size_t eq = line.find('=');
      if (eq == std::string::npos) continue;
      const std::string key = line.substr(0, eq), value = line.substr(eq + 1);
      if (key == "readonly") r.readonly = value == "on";
      else if (key == "origin") r.origin = value;
      else if (key == "clone") r.clone_kind = value;
      else if (key == "source") r.source = value == "yes";
      else if (key.rfind("user.", 0) == 0) r.user[key.substr(5)] = value;
    }
    return r;
  }

  void save(const std::string& ds, const DatasetRecord& r) const {
    for (const auto& [k, v] : r.user) {
      if (k.find_first_of("=\n") != std::string::npos || v.find('\n') != std::string::npos)
        throw std::invalid_argument("user property '" + k + "' of " + ds + ": names may not hold '=' or newlines, values no newlines");
    }
    std::ostringstream out;
    out << "readonly=" << (r.readonly ? "on" : "off") << "\n";
    if (!r.origin.empty()) out << "origin=" << r.origin << "\nclone=" << r.clone_kind << "\n";
    if (r.source) out << "source=yes\n";
    for (const auto& [k, v] : r.user) out << "user." << k << "=" << v << "\n";
    std::error_code ec;
    std::filesystem::create_directories(m_dir, ec);
    write_atomic(file(ds), out.str(), m_durable);
  }

  const std::filesystem::path& dir() const { return m_dir; }

  /// Moves a record to another dataset name (nothing to move is fine).
  void move(const std::string& from, const std::string& to) const {
    if (::rename(file(from).c_str(), file(to).c_str()) != 0 && errno != ENOENT)
      throw std::runtime_error("cannot move the record of " + from + " to " + to + ": " + std::strerror(errno));
  }

  void remove(const std::string& ds) const {
    std::error_code ec;
    std::filesystem::remove(file(ds), ec);
  }

  /// Every dataset with a record, sorted (parents before children).
  std::vector<std::string> all() const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(m_dir, ec)) {
      const std::string n = e.path().filename().string();
      if (n.size() > 4 && n[0] != '.' && n.compare(n.size() - 4, 4, ".rec") == 0) out.push_back(unescape(n.substr(0, n.size() - 4)));
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  /// Datasets with a record whose origin is a snapshot of `dataset` (any
  /// snapshot when `snap` is empty); with `below`, of `dataset` or any
  /// dataset under it.
  std::vector<std::string> clones_of(const std::string& dataset, const std::string& snap, bool below) const {
    std::vector<std::string> out;
    for (const auto& ds : all()) {
      auto r = load(ds);
      if (!r || r->origin.empty()) continue;
      auto [src, s] = split_origin(r->origin);
      if ((below ? under(src, dataset) : src == dataset) && (snap.empty() || s == snap)) out.push_back(ds);
    }
    return out;
  }

 private:
  std::filesystem::path file(const std::string& ds) const { return m_dir / (escape(ds) + ".rec"); }
  std::filesystem::path m_dir;
  bool m_durable;
};

}  // namespace iocell::sdk::records
