#include "dir_meta.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace iocell::plugins::dir {

namespace {

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return {};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const char* kind_name(CloneKind k) {
  switch (k) {
    case CloneKind::Overlay: return "overlay";
    case CloneKind::Copy: return "copy";
    case CloneKind::None: break;
  }
  return "";
}

}  // namespace

void validate_dataset(const std::string& dataset) {
  if (dataset.empty()) throw std::invalid_argument("empty dataset name");
  if (dataset.front() == '/' || dataset.back() == '/')
    throw std::invalid_argument("dataset name '" + dataset + "' must be relative, without a leading or trailing '/'");
  size_t start = 0;
  while (start <= dataset.size()) {
    size_t slash = dataset.find('/', start);
    std::string part = dataset.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part.empty() || part == "." || part == "..")
      throw std::invalid_argument("dataset name '" + dataset + "' has an empty, '.' or '..' component");
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  for (char c : dataset) {
    if (c == '@' || c == '\0' || c == '\n')
      throw std::invalid_argument("dataset name '" + dataset + "' contains '@', a newline or NUL");
  }
}

void validate_snapshot(const std::string& snap) {
  if (snap.empty() || snap == "." || snap == ".." || snap[0] == '.')
    throw std::invalid_argument("snapshot name '" + snap + "' is empty or starts with '.'");
  for (char c : snap) {
    if (c == '/' || c == '@' || c == '\0' || c == '\n')
      throw std::invalid_argument("snapshot name '" + snap + "' contains '/', '@', a newline or NUL");
  }
}

std::string escape(const std::string& dataset) {
  std::string out;
  for (char c : dataset) {
    if (c == '%') out += "%25";
    else if (c == '/') out += "%2F";
    else out += c;
  }
  return out;
}

std::string unescape(const std::string& escaped) {
  std::string out;
  for (size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] == '%' && escaped.compare(i, 3, "%25") == 0) {
      out += '%';
      i += 2;
    } else if (escaped[i] == '%' && escaped.compare(i, 3, "%2F") == 0) {
      out += '/';
      i += 2;
    } else {
      out += escaped[i];
    }
  }
  return out;
}

void write_atomic(const std::filesystem::path& path, const std::string& content) {
  static thread_local std::mt19937_64 gen{std::random_device{}()};
  const auto tmp = path.parent_path() / ("." + path.filename().string() + "." + std::to_string(gen() % 1000000000));
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
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot replace " + path.string() + ": " + std::strerror(e));
  }
  int dfd = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

std::optional<DatasetMeta> MetaStore::load(const std::string& ds) const {
  const auto text = read_all(file(ds));
  if (text.empty()) return std::nullopt;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) throw std::runtime_error("corrupt dataset record " + file(ds).string());
  DatasetMeta m;
  m.readonly = j.value("readonly", false);
  m.origin = j.value("origin", "");
  const std::string kind = j.value("clone", "");
  m.clone = kind == "overlay" ? CloneKind::Overlay : kind == "copy" ? CloneKind::Copy : CloneKind::None;
  if (j.contains("user") && j["user"].is_object()) {
    for (auto& [k, v] : j["user"].items())
      if (v.is_string()) m.user[k] = v.get<std::string>();
  }
  return m;
}

void MetaStore::save(const std::string& ds, const DatasetMeta& meta) const {
  nlohmann::json j{{"dataset", ds}, {"readonly", meta.readonly}};
  if (!meta.origin.empty()) {
    j["origin"] = meta.origin;
    j["clone"] = kind_name(meta.clone);
  }
  if (!meta.user.empty()) j["user"] = meta.user;
  std::filesystem::create_directories(datasets_dir());
  write_atomic(file(ds), j.dump(2) + "\n");
}

void MetaStore::remove(const std::string& ds) const {
  std::error_code ec;
  std::filesystem::remove(file(ds), ec);
}

std::vector<std::string> MetaStore::all() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(datasets_dir(), ec)) {
    const std::string n = e.path().filename().string();
    if (n.size() > 5 && n[0] != '.' && n.compare(n.size() - 5, 5, ".json") == 0) out.push_back(unescape(n.substr(0, n.size() - 5)));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<SnapMeta> MetaStore::load_snapshot(const std::string& ds, const std::string& snap) const {
  const auto text = read_all(snapshot_dir(ds, snap) / "meta.json");
  if (text.empty()) return std::nullopt;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  SnapMeta m;
  m.created_ns = j.value("created_ns", std::int64_t{0});
  m.referenced = j.value("referenced", std::uint64_t{0});
  return m;
}

void MetaStore::save_snapshot(const std::filesystem::path& snap_dir, const SnapMeta& meta) {
  nlohmann::json j{{"created_ns", meta.created_ns}, {"referenced", meta.referenced}};
  write_atomic(snap_dir / "meta.json", j.dump(2) + "\n");
}

}  // namespace iocell::plugins::dir
