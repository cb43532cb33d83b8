// The value of the `image` property: where an OCI image is read from.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace iocell::plugins::oci {

enum class SourceKind { OciArchive, DockerArchive, OciLayout };

struct ImageRef {
  SourceKind kind = SourceKind::OciLayout;
  std::filesystem::path path;  ///< absolute
  /// Which image of several: an OCI ref name ("latest", from index.json's
  /// org.opencontainers.image.ref.name) or a docker RepoTag
  /// ("busybox:latest"). Empty: the only one there is.
  std::string ref;
};

/// What `image` accepts, for messages and the docs.
inline constexpr const char* kImageAllowed =
    "oci-archive:PATH[:REF], docker-archive:PATH[:REF] or oci:DIR[:REF], PATH absolute, REF an image name in it";

/// Parses the value, or returns nullopt with `why` set. The path ends at the
/// first ':' after its last '/': "oci:/srv/img:v1" is /srv/img, ref "v1".
std::optional<ImageRef> parse_image_ref(const std::string& value, std::string& why);

}  // namespace iocell::plugins::oci
