#include "oci_exec_mapping.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace iocell::plugins::oci {
namespace {

std::vector<std::string> strings(const nlohmann::json& c, const char* key) {
  std::vector<std::string> out;
  if (!c.contains(key) || !c[key].is_array()) return out;
  for (const auto& v : c[key])
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

bool shell_name(const std::string& n) {
  if (n.empty() || std::isdigit(static_cast<unsigned char>(n[0]))) return false;
  return std::all_of(n.begin(), n.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

std::string keys_of(const nlohmann::json& obj) {
  std::string out;
  if (obj.is_object())
    for (const auto& [k, v] : obj.items()) out += (out.empty() ? "" : " ") + k;
  return out;
}

}  // namespace

std::string shell_quote(const std::string& word) {
  const bool bare = !word.empty() && std::all_of(word.begin(), word.end(), [](unsigned char c) {
    return std::isalnum(c) || std::string_view("_./:=@%+,-").find(static_cast<char>(c)) != std::string_view::npos;
  });
  if (bare) return word;
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

ExecMapping map_image_config(const nlohmann::json& config) {
  ExecMapping m;
  const nlohmann::json c = config.contains("config") && config["config"].is_object() ? config["config"] : nlohmann::json::object();
  std::vector<std::string> argv = strings(c, "Entrypoint");
  for (auto& a : strings(c, "Cmd")) argv.push_back(a);

  // Env and WorkingDir have no property of their own: they become part of
  // the command line that starts the image's process.
  std::string prefix;
  for (const auto& kv : strings(c, "Env")) {
    const auto eq = kv.find('=');
    const std::string name = kv.substr(0, eq);
    if (eq == std::string::npos || !shell_name(name)) {
      m.unmapped.push_back("Env " + kv + ": not NAME=VALUE with a shell variable name");
      continue;
    }
    prefix += name + "=" + shell_quote(kv.substr(eq + 1)) + " ";
  }
  const std::string workdir = c.value("WorkingDir", "");
  if (!argv.empty()) {
    std::string cmd = workdir.empty() ? "" : "cd " + shell_quote(workdir) + " && ";
    cmd += prefix;
    for (std::size_t i = 0; i < argv.size(); ++i) cmd += (i ? " " : "") + shell_quote(argv[i]);
    // In the background, its output discarded: exec_start must return, and
    // a process that kept its output pipe open would hold the start until
    // exec_timeout.
    m.props["exec_start"] = cmd + " </dev/null >/dev/null 2>&1 &";
  } else {
    if (!prefix.empty()) m.unmapped.push_back("Env: the image has no command to run with it");
    if (!workdir.empty()) m.unmapped.push_back("WorkingDir " + workdir + ": the image has no command to run in it");
  }

  const std::string user = c.value("User", "");
  if (!user.empty()) {
    const auto colon = user.find(':');
    m.props["exec_jail_user"] = user.substr(0, colon);
    if (colon != std::string::npos)
      m.unmapped.push_back("User group " + user.substr(colon + 1) + ": exec_jail_user names a user, whose own groups apply");
  }
  for (const char* key : {"ExposedPorts", "Volumes"})
    if (c.contains(key) && !keys_of(c[key]).empty()) m.unmapped.push_back(std::string(key) + " " + keys_of(c[key]) + ": no equivalent");
  for (const char* key : {"StopSignal", "Shell", "Healthcheck", "OnBuild"})
    if (c.contains(key) && !c[key].is_null()) m.unmapped.push_back(std::string(key) + ": no equivalent");
  return m;
}

}  // namespace iocell::plugins::oci
