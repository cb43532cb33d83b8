// A bundle's config.json (OCI runtime spec 1.x) read into sdk::oci::Container.
// Every field is either mapped, accepted and reported (warnings), or refused
// with an error naming it: nothing is silently dropped (docs/oci-runtime.md).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <iocell/sdk/oci.hpp>

namespace iocell::core::oci {

struct ParsedSpec {
  sdk::oci::Container container;
  std::vector<std::string> warnings;  ///< fields accepted without their effect
  /// linux.resources as iocell limit properties ("maxproc" -> "2048:deny"),
  /// for the host's limits plugin.
  std::vector<std::pair<std::string, std::string>> limits;
  std::map<std::string, std::string> annotations;
};

/// Throws core::UsageError naming the field ("linux.uidMappings: ...").
ParsedSpec parse_config(const nlohmann::json& config, const std::string& id, const std::filesystem::path& bundle);
/// Reads bundle/config.json (at most 4 MiB) and parses it.
ParsedSpec load_bundle(const std::filesystem::path& bundle, const std::string& id);
/// A process object ("process" of config.json, or exec --process FILE).
sdk::oci::Process parse_process(const nlohmann::json& process, const std::string& where,
                                std::vector<std::string>& warnings);

/// The namespace types and mount types (besides bind) a container may ask for.
const std::vector<std::string>& namespace_types();
const std::vector<std::string>& mount_types();

/// The capability number of "CAP_NET_ADMIN"; throws naming `where`.
int capability_number(const std::string& name, const std::string& where);

}  // namespace iocell::core::oci
