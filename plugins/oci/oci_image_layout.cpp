#include "oci_image_layout.hpp"

#include <sys/utsname.h>

#include <set>
#include <stdexcept>

#include "oci_blobs.hpp"

#include <iocell/sdk/errors.hpp>

namespace iocell::plugins::oci {
namespace {

const std::set<std::string> kIndexTypes = {"application/vnd.oci.image.index.v1+json",
                                           "application/vnd.docker.distribution.manifest.list.v2+json"};
const std::set<std::string> kManifestTypes = {"application/vnd.oci.image.manifest.v1+json",
                                              "application/vnd.docker.distribution.manifest.v2+json"};
// Plain, gzip and zstd tars; libarchive tells the compression from the bytes.
const std::set<std::string> kLayerTypes = {
    "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd",
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"};
constexpr const char* kRefName = "org.opencontainers.image.ref.name";

struct Descriptor {
  std::string media_type, hex;
  std::uint64_t size = 0;
  nlohmann::json raw;
};

Descriptor descriptor(const nlohmann::json& j, const std::string& what) {
  if (!j.is_object() || !j.contains("digest") || !j["digest"].is_string() || !j.contains("size") ||
      !j["size"].is_number_unsigned())
    throw std::runtime_error(what + ": not a descriptor with a digest and a size");
  Descriptor d;
  d.media_type = j.value("mediaType", "");
  d.hex = digest_hex(j["digest"].get<std::string>(), what);
  d.size = j["size"].get<std::uint64_t>();
  d.raw = j;
  return d;
}

std::filesystem::path blob_rel(const std::string& hex) { return std::filesystem::path("blobs") / "sha256" / hex; }

std::string os_name(sdk::HostOs os) { return os == sdk::HostOs::FreeBSD ? "freebsd" : "linux"; }

// The manifest an index names for this host, or by ref name at the top.
Descriptor pick(const nlohmann::json& index, const std::string& ref, sdk::HostOs os, bool top) {
  if (!index.contains("manifests") || !index["manifests"].is_array() || index["manifests"].empty())
    throw std::runtime_error("the image index lists no manifests");
  const auto& list = index["manifests"];
  if (top && !ref.empty()) {
    std::string names;
    for (const auto& m : list) {
      const std::string name = m.contains("annotations") ? m["annotations"].value(kRefName, "") : "";
      if (name == ref) return descriptor(m, "index.json");
      if (!name.empty()) names += (names.empty() ? "" : ", ") + name;
    }
    throw sdk::InvalidRequest("no image named '" + ref + "' in the layout: it has " + (names.empty() ? "no named images" : names));
  }
  if (list.size() == 1) return descriptor(list[0], "image index");
  // Several: the one for this host (a multi-platform image).
  const std::string want_os = os_name(os), want_arch = host_architecture();
  std::string seen;
  for (const auto& m : list) {
    if (!m.contains("platform") || !m["platform"].is_object()) continue;
    const std::string mos = m["platform"].value("os", ""), march = m["platform"].value("architecture", "");
    if (mos == want_os && march == want_arch) return descriptor(m, "image index");
    seen += (seen.empty() ? "" : ", ") + mos + "/" + march;
  }
  if (top && seen.empty()) {
    std::string names;
    for (const auto& m : list)
      if (m.contains("annotations")) names += (names.empty() ? "" : ", ") + m["annotations"].value(kRefName, "?");
    throw sdk::InvalidRequest("the layout holds several images; name one with :REF" + (names.empty() ? "" : " (" + names + ")"));
  }
  throw sdk::InvalidRequest("the image has no manifest for " + want_os + "/" + want_arch + " (it has " + seen + ")");
}

LayerBlob open_layer(const sdk::SafeRoot& dir, const std::filesystem::path& rel, const std::string& hex,
                     std::uint64_t declared) {
  LayerBlob b;
  b.name = rel.string();
  b.hex = hex;
  std::uint64_t actual = 0;
  b.fd = open_in(dir, rel, actual);
  if (declared != UINT64_MAX && actual != declared)
    throw std::runtime_error("layer " + b.name + " has " + std::to_string(actual) + " bytes, the manifest says " +
                             std::to_string(declared));
  b.size = actual;
  return b;
}

}  // namespace

std::string host_architecture() {
  utsname u{};
  ::uname(&u);
  const std::string m = u.machine;
  if (m == "x86_64" || m == "amd64") return "amd64";
  if (m == "aarch64" || m == "arm64") return "arm64";
  if (m == "i386" || m == "i686") return "386";
  return m;
}

ImagePlan read_oci_layout(const std::filesystem::path& path, const std::string& ref, sdk::HostOs os) {
  sdk::SafeRoot dir(path);
  const auto layout = read_json_file(dir, "oci-layout", "oci-layout");
  if (!layout.is_object() || layout.value("imageLayoutVersion", "") != "1.0.0")
    throw std::runtime_error(path.string() + " is no OCI image layout of version 1.0.0 (oci-layout)");
  Descriptor d = pick(read_json_file(dir, "index.json", "index.json"), ref, os, true);
  nlohmann::json manifest;
  // An index may name an index (one per platform): followed a few levels.
  for (int depth = 0;; ++depth) {
    if (depth > 3) throw std::runtime_error("image indexes nest deeper than iocell follows");
    auto doc = read_json_blob(dir, blob_rel(d.hex), d.hex, d.size, "manifest");
    const std::string type = !d.media_type.empty() ? d.media_type : doc.value("mediaType", "");
    if (kIndexTypes.count(type) || (type.empty() && doc.contains("manifests"))) {
      d = pick(doc, "", os, false);
      continue;
    }
    if (!kManifestTypes.count(type) && !(type.empty() && doc.contains("layers")))
      throw std::runtime_error("unsupported manifest media type '" + type + "'");
    manifest = std::move(doc);
    break;
  }
  ImagePlan plan;
  const Descriptor cfg = descriptor(manifest.value("config", nlohmann::json()), "the manifest's config");
  plan.config = read_json_blob(dir, blob_rel(cfg.hex), cfg.hex, cfg.size, "image config");
  if (!manifest.contains("layers") || !manifest["layers"].is_array())
    throw std::runtime_error("the manifest lists no layers");
  if (manifest["layers"].size() > kMaxLayers)
    throw std::runtime_error("the image has " + std::to_string(manifest["layers"].size()) + " layers; at most " +
                             std::to_string(kMaxLayers) + " are accepted");
  for (const auto& l : manifest["layers"]) {
    const Descriptor ld = descriptor(l, "a layer of the manifest");
    if (!kLayerTypes.count(ld.media_type))
      throw std::runtime_error("layer sha256:" + ld.hex + " has media type '" + ld.media_type +
                               "', which iocell cannot apply (tar, tar+gzip or tar+zstd layers only)");
    plan.layers.push_back(open_layer(dir, blob_rel(ld.hex), ld.hex, ld.size));
  }
  return plan;
}

ImagePlan read_docker_archive(const std::filesystem::path& path, const std::string& ref) {
  sdk::SafeRoot dir(path);
  const auto manifest = read_json_file(dir, "manifest.json", "manifest.json");
  if (!manifest.is_array() || manifest.empty()) throw std::runtime_error("the docker archive's manifest.json lists no image");
  const nlohmann::json* entry = nullptr;
  std::string tags;
  for (const auto& m : manifest) {
    if (!m.is_object()) continue;
    if (ref.empty() && manifest.size() == 1) entry = &m;
    if (m.contains("RepoTags") && m["RepoTags"].is_array())
      for (const auto& t : m["RepoTags"]) {
        if (!t.is_string()) continue;
        if (t.get<std::string>() == ref) entry = &m;
        tags += (tags.empty() ? "" : ", ") + t.get<std::string>();
      }
  }
  if (!entry)
    throw sdk::InvalidRequest(ref.empty() ? "the docker archive holds several images; name one with :TAG (" + tags + ")"
                                          : "no image tagged '" + ref + "' in the docker archive (it has " + (tags.empty() ? "none" : tags) + ")");
  if (!entry->contains("Config") || !(*entry)["Config"].is_string() || !entry->contains("Layers") || !(*entry)["Layers"].is_array())
    throw std::runtime_error("manifest.json: an image without Config or Layers");
  // The config is named by its digest ("<hex>.json", or "blobs/sha256/<hex>"
  // in newer docker); the layers by the config's diff_ids, the digests of
  // the uncompressed tars docker save writes.
  const std::filesystem::path cfg_rel = (*entry)["Config"].get<std::string>();
  std::string cfg_hex = cfg_rel.filename().string();
  if (cfg_hex.size() > 5 && cfg_hex.substr(cfg_hex.size() - 5) == ".json") cfg_hex.resize(cfg_hex.size() - 5);
  cfg_hex = digest_hex("sha256:" + cfg_hex, "the config " + cfg_rel.string() + " (its name must be its sha256)");
  ImagePlan plan;
  plan.config = read_json_blob(dir, cfg_rel, cfg_hex, UINT64_MAX, "image config");
  const auto& layers = (*entry)["Layers"];
  const auto diff_ids = plan.config.contains("rootfs") ? plan.config["rootfs"].value("diff_ids", nlohmann::json::array())
                                                       : nlohmann::json::array();
  if (layers.size() > kMaxLayers) throw std::runtime_error("the image has more than " + std::to_string(kMaxLayers) + " layers");
  if (!diff_ids.is_array() || diff_ids.size() != layers.size())
    throw std::runtime_error("the image config names " + std::to_string(diff_ids.is_array() ? diff_ids.size() : 0) +
                             " layer digests (rootfs.diff_ids) for " + std::to_string(layers.size()) + " layers");
  for (std::size_t i = 0; i < layers.size(); ++i) {
    if (!layers[i].is_string() || !diff_ids[i].is_string()) throw std::runtime_error("manifest.json: a layer is not a path");
    const std::string hex = digest_hex(diff_ids[i].get<std::string>(), "rootfs.diff_ids");
    plan.layers.push_back(open_layer(dir, layers[i].get<std::string>(), hex, UINT64_MAX));
  }
  return plan;
}

}  // namespace iocell::plugins::oci
