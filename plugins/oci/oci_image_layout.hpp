// Finding an image's config and layers: in an OCI image layout (index.json,
// blobs/sha256/...) or in what `docker save` writes (manifest.json). Every
// document and layer is checked against the digest that names it before
// anything is taken from it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <iocell/sdk/host.hpp>
#include <iocell/sdk/safe_root.hpp>

namespace iocell::plugins::oci {

/// The most layers an image may have (docker's own limit is 127).
inline constexpr std::size_t kMaxLayers = 128;

struct LayerBlob {
  std::string name;  ///< for messages: "blobs/sha256/ab12..."
  sdk::UniqueFd fd;
  std::string hex;   ///< the sha256 the layer's bytes must have
  std::uint64_t size = 0;
};

struct ImagePlan {
  nlohmann::json config;  ///< the image config (its "config" member holds Env, Cmd, ...)
  std::vector<LayerBlob> layers;  ///< bottom first
};

/// `ref`: the org.opencontainers.image.ref.name to pick, "" for the only
/// image. An image index is followed to the manifest for this host's OS
/// and architecture.
ImagePlan read_oci_layout(const std::filesystem::path& dir, const std::string& ref, sdk::HostOs os);

/// `ref`: one of the RepoTags, "" for the only image.
ImagePlan read_docker_archive(const std::filesystem::path& dir, const std::string& ref);

/// "amd64", "arm64", ... (the OCI platform name of this machine).
std::string host_architecture();

}  // namespace iocell::plugins::oci
