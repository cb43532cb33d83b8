// Writes OCI images for tests (header-only): an image layout directory
// (oci-layout, index.json, blobs/sha256/...), the same as an oci-archive
// tarball, and a docker-archive as `docker save` writes it. Layers are
// tars of entries or of a directory (tests/support/fetch_release_builder.hpp).
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "iocell/support/sha256.hpp"
#include "support/fetch_release_builder.hpp"

namespace iocell::test::oci {

namespace fs = std::filesystem;
using testing::Compression;
using testing::TarEntry;

struct Layer {
  fs::path file;  ///< the layer's bytes as written
  std::string media_type;
};

inline const char* layer_media_type(Compression c) {
  switch (c) {
    case Compression::Gzip: return "application/vnd.oci.image.layer.v1.tar+gzip";
    case Compression::Zstd: return "application/vnd.oci.image.layer.v1.tar+zstd";
    default: return "application/vnd.oci.image.layer.v1.tar";
  }
}

inline Layer layer_of(const fs::path& out, const std::vector<TarEntry>& entries, Compression c = Compression::None) {
  testing::write_archive(out, entries, c);
  return {out, layer_media_type(c)};
}

inline Layer layer_of_dir(const fs::path& out, const fs::path& dir, Compression c = Compression::None) {
  testing::write_archive_from_dir(out, dir, c);
  return {out, layer_media_type(c)};
}

inline std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// Stores `data` as blobs/sha256/<hex> of `dir`; returns its descriptor.
inline nlohmann::json put_blob(const fs::path& dir, const std::string& data, const std::string& media_type) {
  const std::string hex = support::Sha256::of(data);
  fs::create_directories(dir / "blobs/sha256");
  std::ofstream(dir / "blobs/sha256" / hex, std::ios::binary) << data;
  return {{"mediaType", media_type}, {"digest", "sha256:" + hex}, {"size", data.size()}};
}

/// The image config: `process` is its "config" member (Cmd, Env, ...).
inline nlohmann::json image_config(const nlohmann::json& process) {
  return {{"architecture", "amd64"}, {"os", "linux"}, {"config", process},
          {"rootfs", {{"type", "layers"}, {"diff_ids", nlohmann::json::array()}}}};
}

/// An image layout at `dir` holding one image named `ref`.
inline void write_layout(const fs::path& dir, const std::vector<Layer>& layers, const nlohmann::json& config,
                         const std::string& ref = "latest") {
  fs::create_directories(dir);
  nlohmann::json descs = nlohmann::json::array();
  for (const auto& l : layers) descs.push_back(put_blob(dir, read_bytes(l.file), l.media_type));
  const auto cfg = put_blob(dir, config.dump(), "application/vnd.oci.image.config.v1+json");
  const nlohmann::json manifest = {{"schemaVersion", 2}, {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                                   {"config", cfg}, {"layers", descs}};
  auto mdesc = put_blob(dir, manifest.dump(), "application/vnd.oci.image.manifest.v1+json");
  mdesc["annotations"] = {{"org.opencontainers.image.ref.name", ref}};
  std::ofstream(dir / "oci-layout") << R"({"imageLayoutVersion":"1.0.0"})";
  std::ofstream(dir / "index.json") << nlohmann::json{{"schemaVersion", 2}, {"manifests", {mdesc}}}.dump();
}

/// A tar (uncompressed) of everything in `dir`, as podman's oci-archive.
inline void write_tar_of(const fs::path& dir, const fs::path& out) {
  testing::write_archive_from_dir(out, dir, Compression::None);
}

/// A docker-archive at `out`: manifest.json, <hex>.json config, <hex>/layer.tar
/// layers (uncompressed, named by their diff_id as docker save does).
inline void write_docker_archive(const fs::path& out, const fs::path& work, const std::vector<Layer>& layers,
                                 nlohmann::json config, const std::string& tag) {
  fs::create_directories(work);
  nlohmann::json paths = nlohmann::json::array();
  config["rootfs"]["diff_ids"] = nlohmann::json::array();
  for (const auto& l : layers) {
    const std::string data = read_bytes(l.file);
    const std::string hex = support::Sha256::of(data);
    fs::create_directories(work / hex);
    std::ofstream(work / hex / "layer.tar", std::ios::binary) << data;
    paths.push_back(hex + "/layer.tar");
    config["rootfs"]["diff_ids"].push_back("sha256:" + hex);
  }
  const std::string cfg = config.dump();
  const std::string cfg_name = support::Sha256::of(cfg) + ".json";
  std::ofstream(work / cfg_name) << cfg;
  std::ofstream(work / "manifest.json") << nlohmann::json::array({{{"Config", cfg_name}, {"RepoTags", {tag}}, {"Layers", paths}}}).dump();
  write_tar_of(work, out);
}

}  // namespace iocell::test::oci
