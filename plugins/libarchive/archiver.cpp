#include "libarchive_plugin.hpp"

namespace iocell::plugins::libarchive {

namespace {

class LibarchiveArchiver final : public sdk::Archiver {
 public:
  std::string name() const override { return "libarchive"; }
  sdk::ExtractStats extract(const std::filesystem::path& archive, const std::filesystem::path& dest,
                            const sdk::ExtractPolicy& policy) override {
    return extract_archive(archive, dest, policy);
  }
  sdk::ExtractStats extract(sdk::ByteSource& source, const std::filesystem::path& dest,
                            const sdk::ExtractPolicy& policy) override {
    return extract_archive(source, dest, policy);
  }
  std::unique_ptr<sdk::StreamExtractor> stream_extractor(const std::filesystem::path& dest,
                                                         const sdk::ExtractPolicy& policy) override {
    return make_stream_extractor(dest, policy);
  }
  sdk::TarStats write_tar_xz(const std::filesystem::path& dir, const std::filesystem::path& out,
                             const sdk::TarOptions& opts) override {
    return libarchive::write_tar_xz(dir, out, opts);
  }
};

}  // namespace

std::unique_ptr<sdk::Archiver> make_archiver(const sdk::HostContext&) { return std::make_unique<LibarchiveArchiver>(); }

void register_plugin(sdk::Registrar& registrar) noexcept { registrar.add_archiver("libarchive", sdk::kAnyOs, &make_archiver); }

}  // namespace iocell::plugins::libarchive
