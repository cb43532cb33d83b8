#include "unionfs_recorder.hpp"

#include <sys/stat.h>

#include <stdexcept>

#include <iocell/sdk/freebsd_base.hpp>

namespace iocell::plugins::unionfs {

namespace fs = std::filesystem;

bool UnionfsRecorder::active(const sdk::JailSpec& spec) {
  // mount -p prints fstab lines, FROM ON TYPE OPTIONS 0 0, with the paths
  // raw (a root with a blank in it is one field nonetheless).
  auto res = m_host.runner->run(sdk::Command({"mount", "-p", "-t", "unionfs"}));
  if (!res.ok()) throw std::runtime_error("mount -p -t unionfs failed: " + res.err);
  return !sdk::freebsd::mounted_among(res.out, {spec.root.lexically_normal().string()}).empty();
}

void UnionfsRecorder::start(const sdk::JailSpec& spec, const fs::path& upper) {
  if (active(spec)) throw std::runtime_error("a union is already mounted on " + spec.root.string() + " (recording is on)");
  if (!m_host.dry_run) {
    // The upper layer lives in the jail's home, outside the jail: created
    // here, never through the jail's tree.
    std::error_code ec;
    fs::create_directory(upper, ec);
    if (ec) throw std::runtime_error("cannot create " + upper.string() + ": " + ec.message());
    struct stat st {};
    if (::lstat(upper.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      throw std::runtime_error(upper.string() + " is not a directory; remove it before recording");
  }
  m_host.runner->check(sdk::Command({"mount", "-t", "unionfs", "-o", "noatime,copymode=transparent", upper.string(), spec.root.string()}));
}

void UnionfsRecorder::stop(const sdk::JailSpec& spec) {
  if (!active(spec)) throw std::runtime_error("no recording is active on " + spec.root.string());
  m_host.runner->check(sdk::Command({"umount", spec.root.string()}));
}

}  // namespace iocell::plugins::unionfs
