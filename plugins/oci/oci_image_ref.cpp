#include "oci_image_ref.hpp"

#include <array>
#include <utility>

namespace iocell::plugins::oci {

std::optional<ImageRef> parse_image_ref(const std::string& value, std::string& why) {
  static const std::array<std::pair<const char*, SourceKind>, 3> kinds = {
      {{"oci-archive:", SourceKind::OciArchive}, {"docker-archive:", SourceKind::DockerArchive}, {"oci:", SourceKind::OciLayout}}};
  ImageRef ref;
  std::string rest;
  bool known = false;
  for (const auto& [prefix, kind] : kinds) {
    const std::string p = prefix;
    if (value.compare(0, p.size(), p) == 0) {
      ref.kind = kind;
      rest = value.substr(p.size());
      known = true;
      break;
    }
  }
  if (!known) {
    why = "unknown image source";
    return std::nullopt;
  }
  if (rest.empty() || rest[0] != '/') {
    why = "the path must be absolute";
    return std::nullopt;
  }
  const auto slash = rest.rfind('/');
  const auto colon = rest.find(':', slash);
  ref.path = rest.substr(0, colon);
  if (colon != std::string::npos) {
    ref.ref = rest.substr(colon + 1);
    if (ref.ref.empty()) {
      why = "empty image name after ':'";
      return std::nullopt;
    }
  }
  for (const auto& part : ref.path) {
    if (part == "..") {
      why = "the path must not contain '..'";
      return std::nullopt;
    }
  }
  if (ref.path == "/") {
    why = "no file or directory named";
    return std::nullopt;
  }
  return ref;
}

}  // namespace iocell::plugins::oci
