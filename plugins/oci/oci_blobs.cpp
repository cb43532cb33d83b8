#include "oci_blobs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <iocell/sdk/errors.hpp>
#include <iocell/support/sha256.hpp>

namespace iocell::plugins::oci {

std::string digest_hex(const std::string& digest, const std::string& what) {
  const std::string prefix = "sha256:";
  if (digest.compare(0, prefix.size(), prefix) != 0)
    throw std::runtime_error(what + ": digest '" + digest + "' is not sha256 (the only algorithm iocell checks)");
  std::string hex = digest.substr(prefix.size());
  bool ok = hex.size() == 64;
  for (char c : hex) ok = ok && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  if (!ok) throw std::runtime_error(what + ": malformed digest '" + digest + "'");
  return hex;
}

sdk::UniqueFd open_in(const sdk::SafeRoot& dir, const std::filesystem::path& rel, std::uint64_t& size) {
  auto parts = sdk::SafeRoot::components(rel);
  if (parts.empty() || rel.is_absolute()) throw std::runtime_error("bad path in the image: '" + rel.string() + "'");
  const std::string name = parts.back();
  parts.pop_back();
  std::filesystem::path parent;
  for (const auto& p : parts) parent /= p;
  sdk::UniqueFd d = dir.open_dir(parent);
  sdk::UniqueFd fd(::openat(d.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) throw sdk::InvalidRequest("the image has no " + rel.string() + " (in " + dir.path().string() + ")");
    throw std::runtime_error("cannot open " + (dir.path() / rel).string() + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    throw std::runtime_error("not a regular file in the image: " + rel.string());
  size = static_cast<std::uint64_t>(st.st_size);
  return fd;
}

std::string read_all(int fd, std::uint64_t max, const std::string& what) {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error("cannot read " + what + ": " + std::strerror(errno));
    if (n == 0) return out;
    if (out.size() + static_cast<std::size_t>(n) > max)
      throw std::runtime_error(what + " is larger than " + std::to_string(max) + " bytes");
    out.append(buf, static_cast<std::size_t>(n));
  }
}

std::string sha256_of(int fd) {
  if (::lseek(fd, 0, SEEK_SET) != 0) throw std::runtime_error(std::string("cannot rewind a blob: ") + std::strerror(errno));
  support::Sha256 h;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(std::string("cannot read a blob: ") + std::strerror(errno));
    if (n == 0) break;
    h.update(buf, static_cast<std::size_t>(n));
  }
  return h.hex_digest();
}

nlohmann::json read_json_blob(const sdk::SafeRoot& dir, const std::filesystem::path& rel, const std::string& hex,
                              std::uint64_t size, const std::string& what) {
  std::uint64_t actual = 0;
  sdk::UniqueFd fd = open_in(dir, rel, actual);
  if (size != UINT64_MAX && actual != size)
    throw std::runtime_error(what + " " + rel.string() + " has " + std::to_string(actual) + " bytes, its descriptor says " +
                             std::to_string(size));
  const std::string text = read_all(fd.get(), kMaxJsonBytes, what);
  if (support::Sha256::of(text) != hex)
    throw std::runtime_error(what + " " + rel.string() + ": digest mismatch (expected sha256:" + hex + ")");
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw std::runtime_error(what + " " + rel.string() + " is not a JSON object");
  return j;
}

nlohmann::json read_json_file(const sdk::SafeRoot& dir, const std::filesystem::path& rel, const std::string& what) {
  std::uint64_t size = 0;
  sdk::UniqueFd fd = open_in(dir, rel, size);
  auto j = nlohmann::json::parse(read_all(fd.get(), kMaxJsonBytes, what), nullptr, false);
  if (j.is_discarded()) throw std::runtime_error(what + " " + rel.string() + " is not JSON");
  return j;
}

}  // namespace iocell::plugins::oci
