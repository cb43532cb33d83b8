// A fetcher for a site's own URL scheme: mirror://NAME/path/file is the file
// $IOCELL_MIRROR_ROOT/NAME/path/file (default root /var/cache/iocell-mirror),
// a directory a site keeps in sync with its favourite mirror. With it,
//   iocell fetch release=14.3-RELEASE ftphost=mirror://site
// installs releases from that directory, checked against their MANIFEST
// like any other download.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <iocell/sdk/plugin.hpp>

namespace example_mirror {

namespace sdk = iocell::sdk;

class MirrorFetcher final : public sdk::Fetcher {
 public:
  std::string name() const override { return "mirror"; }
  std::vector<std::string> schemes() const override { return {"mirror"}; }

  void fetch(const std::string& url, std::uint64_t offset, sdk::FetchSink& sink) override {
    const std::string file = local_path(url);
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw sdk::FetchError(url, file + ": " + std::strerror(errno));
    std::unique_ptr<int, void (*)(int*)> guard(&fd, [](int* p) { ::close(*p); });
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) throw sdk::FetchError(url, file + " is not a regular file");
    const auto size = static_cast<std::uint64_t>(st.st_size);
    // The file shrank under a resume: the SDK contract is to start over.
    if (offset > size) offset = 0;
    if (::lseek(fd, static_cast<off_t>(offset), SEEK_SET) < 0) throw sdk::FetchError(url, std::strerror(errno));
    sink.start(offset, size);
    std::vector<char> buf(1 << 20);
    for (;;) {
      ssize_t n = ::read(fd, buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw sdk::FetchError(url, std::strerror(errno));
      if (n == 0) break;
      sink.data(buf.data(), static_cast<std::size_t>(n));
    }
  }

 private:
  static std::string local_path(const std::string& url) {
    const std::string prefix = "mirror://";
    if (url.compare(0, prefix.size(), prefix) != 0) throw sdk::FetchError(url, "not a mirror:// URL");
    std::string rest = url.substr(prefix.size());
    // The URL must not climb out of the mirror root.
    if (rest.empty() || rest.find("..") != std::string::npos || rest.find('%') != std::string::npos)
      throw sdk::FetchError(url, "a mirror URL is mirror://NAME/path with no '..' or escapes");
    const char* root = std::getenv("IOCELL_MIRROR_ROOT");
    return std::string(root && *root ? root : "/var/cache/iocell-mirror") + "/" + rest;
  }
};

std::unique_ptr<sdk::Fetcher> make_mirror(const sdk::HostContext&) { return std::make_unique<MirrorFetcher>(); }

void register_plugin(sdk::Registrar& registrar) noexcept {
  // The component name is the URL scheme the fetcher serves.
  registrar.add_fetcher("mirror", sdk::kAnyOs, &make_mirror);
}

}  // namespace example_mirror

IOCELL_PLUGIN("mirror-fetcher", "1.0", iocell::sdk::kAnyOs, example_mirror::register_plugin);
