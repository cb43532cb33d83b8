// The libarchive plugin: sdk::Archiver with libarchive's secure extraction
// flags, decoding and file creation on two threads, and a pax tar.xz writer
// that walks the tree by directory descriptors.
#pragma once

#include <filesystem>
#include <memory>

#include <iocell/sdk/archive.hpp>
#include <iocell/sdk/plugin.hpp>

namespace iocell::plugins::libarchive {

sdk::ExtractStats extract_archive(const std::filesystem::path& archive, const std::filesystem::path& dest,
                                  const sdk::ExtractPolicy& policy);
sdk::ExtractStats extract_archive(sdk::ByteSource& source, const std::filesystem::path& dest,
                                  const sdk::ExtractPolicy& policy);
std::unique_ptr<sdk::StreamExtractor> make_stream_extractor(std::filesystem::path dest, sdk::ExtractPolicy policy);

sdk::TarStats write_tar_xz(const std::filesystem::path& dir, const std::filesystem::path& out,
                           const sdk::TarOptions& opts);

std::unique_ptr<sdk::Archiver> make_archiver(const sdk::HostContext& host);

void register_plugin(sdk::Registrar& registrar) noexcept;

}  // namespace iocell::plugins::libarchive
