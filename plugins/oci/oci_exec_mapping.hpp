// An image config's process (Entrypoint, Cmd, Env, WorkingDir, User) as a
// jail's exec properties. A jail's exec_start is a boot command that must
// return, while an image's command is the container's one long-lived
// process: exec_start starts it in the background. What has no equivalent
// is listed, never dropped unsaid.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace iocell::plugins::oci {

struct ExecMapping {
  std::map<std::string, std::string> props;  ///< exec_start, exec_jail_user
  std::vector<std::string> unmapped;         ///< "ExposedPorts 80/tcp: no equivalent; ..."
};

/// `config` is the whole image config document.
ExecMapping map_image_config(const nlohmann::json& config);

/// The word as sh(1) reads it back: bare when it is safe, else single-quoted.
std::string shell_quote(const std::string& word);

}  // namespace iocell::plugins::oci
