#include <iocell/core/config_store.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include <iocell/sdk/temp_names.hpp>
#include <iocell/support/io.hpp>

namespace iocell::core {

namespace {
std::runtime_error sys_error(const std::string& what, const std::filesystem::path& p) {
  return support::sys_error(what + " " + p.string());
}
}  // namespace

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw sys_error("cannot read", file);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

PendingFile::PendingFile(std::filesystem::path file, const std::string& content, unsigned mode) : m_file(std::move(file)) {
  const auto dir = m_file.parent_path().empty() ? std::filesystem::path(".") : m_file.parent_path();
  m_tmp = dir / sdk::temp_names::file_tmp(m_file.filename().string());
  m_fd = ::open(m_tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (m_fd < 0) throw sys_error("cannot create", m_tmp);
  if (!support::write_all(m_fd, content)) {
    const auto err = sys_error("cannot write", m_tmp);
    ::close(m_fd);
    ::unlink(m_tmp.c_str());
    m_fd = -1;
    throw err;
  }
}

PendingFile::~PendingFile() {
  if (m_fd < 0) return;
  ::close(m_fd);
  ::unlink(m_tmp.c_str());
}

void PendingFile::begin_flush() {
#ifdef __linux__
  // Starts the data's write-out and returns: the disk works on it while the
  // caller goes on. No journal or log commit; publish() flushes for real.
  if (m_fd >= 0) ::sync_file_range(m_fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
}

void PendingFile::publish(Sync sync) {
  if (m_fd < 0) throw std::logic_error("PendingFile published twice: " + m_file.string());
  const int fd = m_fd;
  m_fd = -1;
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const auto err = sys_error("cannot sync", m_tmp);
    ::unlink(m_tmp.c_str());
    throw err;
  }
  if (::rename(m_tmp.c_str(), m_file.c_str()) != 0) {
    const auto err = sys_error("cannot replace", m_file);
    ::unlink(m_tmp.c_str());
    throw err;
  }
  if (sync == Sync::ContentOnly) return;
  const auto dir = m_file.parent_path().empty() ? std::filesystem::path(".") : m_file.parent_path();
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

void write_file_atomic(const std::filesystem::path& file, const std::string& content, unsigned mode, Sync sync) {
  PendingFile(file, content, mode).publish(sync);
}

// The whole file in one read, parsed from memory: every command reads every
// jail's config.json (the inventory), and nlohmann's istream adapter pulls
// characters one at a time through the streambuf.
std::optional<std::string> read_file_if_exists(const char* file) {
  auto text = support::slurp(file);
  if (!text && errno != ENOENT) throw sys_error("cannot read", file);
  return text;
}

std::optional<std::string> read_file_if_exists(const std::filesystem::path& file) { return read_file_if_exists(file.c_str()); }

PropertyValues read_config(const std::filesystem::path& file) {
  auto text = read_file_if_exists(file.c_str());
  if (!text) return {};
  return parse_config(*text, file);
}

PropertyValues parse_config(const std::string& text, const std::string& file) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error("corrupt configuration " + file + ": " + e.what());
  }
  PropertyValues out;
  const auto& props = j.contains("properties") ? j["properties"] : j;
  if (!props.is_object()) throw std::runtime_error("corrupt configuration " + file + ": no properties object");
  for (const auto& [k, v] : props.items()) {
    if (v.is_string()) out.emplace_hint(out.end(), k, v.get_ref<const std::string&>());
    else if (!v.is_null()) out.emplace_hint(out.end(), k, v.dump());
  }
  return out;
}

std::string render_config(const PropertyValues& values) {
  nlohmann::json j;
  j["config_version"] = 1;
  j["properties"] = nlohmann::json::object();
  for (const auto& [k, v] : values) j["properties"][k] = v;
  return j.dump(2) + "\n";
}

void write_config(const std::filesystem::path& file, const PropertyValues& values, Sync sync) {
  write_file_atomic(file, render_config(values), 0600, sync);
}

}  // namespace iocell::core
