#include "oci_type.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <optional>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include <iocell/sdk/archive.hpp>
#include <iocell/sdk/errors.hpp>
#include <iocell/sdk/safe_root.hpp>

#include "oci_exec_mapping.hpp"
#include "oci_image_layout.hpp"
#include "oci_image_ref.hpp"
#include "oci_layers.hpp"
#include "oci_whiteouts.hpp"

namespace iocell::plugins::oci {
namespace {

constexpr const char* kUnpacked = ".oci-image";  // an archive's content, beside the root while it is built

// What the filesystem at `dir` has free: what an image may expand to there.
std::uint64_t free_bytes(const std::filesystem::path& dir) {
  struct statvfs vfs {};
  if (::statvfs(dir.c_str(), &vfs) != 0) return 0;
  return static_cast<std::uint64_t>(vfs.f_bavail) * vfs.f_frsize;
}

sdk::ExtractPolicy bounded(const sdk::HostContext& host, const std::filesystem::path& dest) {
  sdk::ExtractPolicy p;
  p.allow_devices = false;
  // schg on a Linux host becomes the immutable attribute (see ExtractPolicy).
  p.file_flags = host.os == sdk::HostOs::FreeBSD;
  p.acls_xattrs = true;
  p.max_bytes = free_bytes(dest);
  p.max_bytes_reason = "the free space at " + dest.string();
  return p;
}

// The archive's content unpacked under `home`, removed again on the way out.
class Unpacked {
 public:
  explicit Unpacked(const std::filesystem::path& home) : m_home(home) {
    ::mkdir((home / kUnpacked).c_str(), 0700);
  }
  ~Unpacked() {
    sdk::UniqueFd dir(::open(m_home.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    try {
      if (dir) remove_tree_at(dir.get(), kUnpacked);
    } catch (const std::exception&) {
      // The jail's dataset goes with it if create fails; otherwise `iocell
      // clean` cannot tell it apart from the jail's files: it stays.
    }
  }
  std::filesystem::path path() const { return m_home / kUnpacked; }

 private:
  std::filesystem::path m_home;
};

}  // namespace

std::string check_image_value(const std::string& value) {
  std::string why;
  auto ref = parse_image_ref(value, why);
  if (!ref) return why;
  struct stat st {};
  if (::stat(ref->path.c_str(), &st) != 0) return "no such file or directory: " + ref->path.string();
  if (ref->kind == SourceKind::OciLayout) {
    if (!S_ISDIR(st.st_mode)) return ref->path.string() + " is no directory (an OCI layout is one; oci-archive: names a tarball)";
  } else if (!S_ISREG(st.st_mode)) {
    return ref->path.string() + " is no regular file (an archive is one; oci: names a layout directory)";
  }
  return "";
}

std::vector<sdk::TypeProperty> OciJail::properties() const {
  return {{"image", kImageAllowed, "the OCI image the jail was built from (oci jails)", &check_image_value}};
}

void OciJail::provision(sdk::Storage& storage, const sdk::ProvisionRequest& req) {
  const std::string value = req.props.get("image");
  if (!req.props.is_set("image"))
    throw sdk::InvalidRequest(std::string("a jail of type oci is built from an image: give image=") + kImageAllowed);
  if (std::string why = check_image_value(value); !why.empty())
    throw sdk::InvalidRequest("invalid value '" + value + "' for property image (" + why + "): allowed: " + kImageAllowed);
  std::string why;
  const ImageRef ref = *parse_image_ref(value, why);

  const std::string root_ds = req.dataset + "/root";
  storage.create(root_ds, {});
  if (m_host.dry_run) {
    m_host.would("build " + storage.mountpoint(root_ds).string() + " from the layers of " + value);
    return;
  }
  if (!m_host.archiver) throw std::runtime_error("this host offers no archiver to unpack images with");
  sdk::Archiver& archiver = m_host.archiver();
  const auto root = storage.mountpoint(root_ds);
  const auto home = storage.mountpoint(req.dataset);

  std::optional<Unpacked> unpacked;
  std::filesystem::path dir = ref.path;
  if (ref.kind != SourceKind::OciLayout) {
    unpacked.emplace(home);
    dir = unpacked->path();
    archiver.extract(ref.path, dir, bounded(m_host, home));
  }
  ImagePlan plan = ref.kind == SourceKind::DockerArchive ? read_docker_archive(dir, ref.ref) : read_oci_layout(dir, ref.ref, m_host.os);

  const std::string want_os = m_host.os == sdk::HostOs::FreeBSD ? "freebsd" : "linux";
  const std::string os = plan.config.value("os", ""), arch = plan.config.value("architecture", "");
  if ((!os.empty() && os != want_os) || (!arch.empty() && arch != host_architecture()))
    m_host.log->warn("image {} is built for {}/{}, this host is {}/{}", value, os, arch, want_os, host_architecture());

  const sdk::SafeRoot safe(root);
  const sdk::ExtractPolicy policy = bounded(m_host, root);
  for (std::size_t i = 0; i < plan.layers.size(); ++i) {
    if (m_host.progress) m_host.progress->info("layer " + std::to_string(i + 1) + "/" + std::to_string(plan.layers.size()) + " " + plan.layers[i].name);
    apply_layer(archiver, safe, plan.layers[i], policy);
  }

  const ExecMapping mapping = map_image_config(plan.config);
  for (const auto& [k, v] : mapping.props) {
    if (req.derived) {
      req.derived->set(k, v);
    } else {
      m_host.log->warn("image {}: {} is not applied (this iocell stores no derived properties); iocell set {}=\"{}\" does it", value, k, k, v);
    }
  }
  for (const auto& u : mapping.unmapped) m_host.log->warn("image {}: {}", value, u);
}

}  // namespace iocell::plugins::oci
