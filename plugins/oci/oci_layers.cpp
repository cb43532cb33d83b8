#include "oci_layers.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include <iocell/support/sha256.hpp>

#include "oci_whiteouts.hpp"

namespace iocell::plugins::oci {
namespace {

// The layer's bytes from its start, hashed and counted as they are read;
// more than the layer's size is refused.
class LayerBytes : public sdk::ByteSource {
 public:
  explicit LayerBytes(const LayerBlob& layer) : m_layer(layer) {
    if (::lseek(layer.fd.get(), 0, SEEK_SET) != 0) throw std::runtime_error(std::string("cannot rewind: ") + std::strerror(errno));
  }
  std::size_t read(char* buf, std::size_t len) override {
    for (;;) {
      ssize_t n = ::read(m_layer.fd.get(), buf, len);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw std::runtime_error(std::string("cannot read: ") + std::strerror(errno));
      m_read += static_cast<std::uint64_t>(n);
      if (m_read > m_layer.size) throw std::runtime_error("the file grew while it was read");
      m_hash.update(buf, static_cast<std::size_t>(n));
      return static_cast<std::size_t>(n);
    }
  }
  // Reads what the archiver left (padding after the tar's end) and checks
  // the whole layer against its digest.
  void verify() {
    char buf[1 << 16];
    while (read(buf, sizeof buf) > 0) {
    }
    if (m_read != m_layer.size || m_hash.hex_digest() != m_layer.hex)
      throw std::runtime_error("digest mismatch (expected sha256:" + m_layer.hex + ")");
  }

 private:
  const LayerBlob& m_layer;
  support::Sha256 m_hash;
  std::uint64_t m_read = 0;
};

}  // namespace

sdk::ExtractStats apply_layer(sdk::Archiver& archiver, const sdk::SafeRoot& root, LayerBlob& layer,
                              const sdk::ExtractPolicy& policy) {
  std::vector<Whiteout> whiteouts;
  try {
    LayerBytes listing(layer);
    sdk::ExtractPolicy list_only = policy;
    list_only.skip = [&](const std::string& path) {
      if (auto w = parse_whiteout(path)) whiteouts.push_back(*w);
      return true;
    };
    archiver.extract(listing, root.path(), list_only);
    listing.verify();
    for (const auto& w : whiteouts) apply_whiteout(root, w);
    LayerBytes content(layer);
    sdk::ExtractPolicy files = policy;
    files.skip = [](const std::string& path) { return parse_whiteout(path).has_value(); };
    return archiver.extract(content, root.path(), files);
  } catch (const std::exception& e) {
    throw sdk::ArchiveError("layer " + layer.name + ": " + e.what());
  }
}

}  // namespace iocell::plugins::oci
