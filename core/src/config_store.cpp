#include <iocell/core/config_store.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iocell/sdk/random.hpp>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace iocell::core {

namespace {
std::runtime_error sys_error(const std::string& what, const std::filesystem::path& p) {
  return std::runtime_error(what + " " + p.string() + ": " + std::strerror(errno));
}
}  // namespace

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw sys_error("cannot read", file);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file_atomic(const std::filesystem::path& file, const std::string& content, unsigned mode, Sync sync) {
  const auto dir = file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
  const auto tmp = dir / ("." + file.filename().string() + ".tmp-" + sdk::random_hex());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) throw sys_error("cannot create", tmp);
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      ::unlink(tmp.c_str());
      throw sys_error("cannot write", tmp);
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    throw sys_error("cannot sync", tmp);
  }
  if (::rename(tmp.c_str(), file.c_str()) != 0) {
    ::unlink(tmp.c_str());
    throw sys_error("cannot replace", file);
  }
  if (sync == Sync::ContentOnly) return;
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

namespace {
// The whole file in one read, parsed from memory: every command reads every
// jail's config.json (the inventory), and nlohmann's istream adapter pulls
// characters one at a time through the streambuf, at about half the speed.
bool slurp(const std::filesystem::path& file, std::string& out) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return false;
    throw sys_error("cannot read", file);
  }
  char buf[16384];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      errno = err;
      throw sys_error("cannot read", file);
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return true;
}
}  // namespace

std::optional<std::string> read_file_if_exists(const std::filesystem::path& file) {
  std::string text;
  if (!slurp(file, text)) return std::nullopt;
  return text;
}

PropertyValues read_config(const std::filesystem::path& file) {
  std::string text;
  if (!slurp(file, text)) return {};
  return parse_config(text, file);
}

PropertyValues parse_config(const std::string& text, const std::filesystem::path& file) {
  if (auto plain = parse_plain_config(text)) return std::move(*plain);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error("corrupt configuration " + file.string() + ": " + e.what());
  }
  PropertyValues out;
  const auto& props = j.contains("properties") ? j["properties"] : j;
  if (!props.is_object()) throw std::runtime_error("corrupt configuration " + file.string() + ": no properties object");
  for (const auto& [k, v] : props.items()) {
    if (v.is_string()) out.emplace_hint(out.end(), k, v.get_ref<const std::string&>());
    else if (!v.is_null()) out.emplace_hint(out.end(), k, v.dump());
  }
  return out;
}

void write_config(const std::filesystem::path& file, const PropertyValues& values, Sync sync) {
  nlohmann::json j;
  j["config_version"] = 1;
  j["properties"] = nlohmann::json::object();
  for (const auto& [k, v] : values) j["properties"][k] = v;
  write_file_atomic(file, j.dump(2) + "\n", 0600, sync);
}

}  // namespace iocell::core
