#include <iocell/core/oci/state.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include <iocell/core/errors.hpp>

namespace iocell::core::oci {

namespace fs = std::filesystem;
using nlohmann::json;

void check_id(const std::string& id) {
  // A leading dot is refused too: the limits plugin keeps its records in .run.
  const bool ok = !id.empty() && id.size() <= 1024 && id.front() != '.' &&
                  id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-") == std::string::npos;
  if (!ok) throw UsageError("invalid container id '" + id + "': allowed are letters, digits, '_', '.', '+' and '-', not first '.'");
}

fs::path default_state_root() {
  if (const char* env = std::getenv("IOCELL_OCI_ROOT"); env && *env) return env;
  return "/run/iocell-runtime";
}

void refuse_if_container(const std::string& word) {
  if (word.size() < 4) return;
  std::error_code ec;
  if (!fs::is_directory(default_state_root(), ec)) return;
  for (const auto& st : StateRoot(default_state_root()).all()) {
    if (st.id.rfind(word, 0) != 0) continue;
    const auto manager = st.annotations.find("io.container.manager");
    const std::string owner = manager == st.annotations.end() ? "its OCI engine" : manager->second;
    throw Refused("'" + word + "' is the OCI container " + st.id + ", owned by " + owner +
                  " through iocell-runtime: manage it with that engine (podman stop, podman rm)");
  }
}

void write_file_atomically(const fs::path& file, const std::string& text) {
  const fs::path tmp = file.parent_path() / ("." + file.filename().string() + ".tmp");
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) throw std::runtime_error("cannot write " + tmp.string());
  }
  fs::rename(tmp, file);
}

fs::path StateRoot::claim(const std::string& id) {
  check_id(id);
  fs::create_directories(m_dir);
  ::chmod(m_dir.c_str(), 0700);
  const fs::path d = container_dir(id);
  if (::mkdir(d.c_str(), 0700) != 0) {
    if (errno == EEXIST) throw Refused("container " + id + " already exists");
    throw std::runtime_error("cannot make " + d.string() + ": " + std::strerror(errno));
  }
  return d;
}

void StateRoot::save(const ContainerState& st) const {
  json j{{"id", st.id},
         {"pid", st.handle.pid},
         {"start_time", st.handle.start_time},
         {"bundle", st.bundle.string()},
         {"rootfs", st.rootfs.string()},
         {"created", st.created},
         {"cgroupsPath", st.cgroups_path},
         {"attach", [&] {
            std::vector<std::string> v;
            for (const auto& f : st.attach_files) v.push_back(f.string());
            return v;
          }()},
         {"annotations", st.annotations}};
  write_file_atomically(container_dir(st.id) / "state.json", j.dump());
}

std::optional<ContainerState> StateRoot::find(const std::string& id) const {
  check_id(id);
  std::ifstream in(container_dir(id) / "state.json");
  if (!in) return std::nullopt;
  json j;
  try {
    j = json::parse(in);
  } catch (const json::exception&) {
    return std::nullopt;
  }
  ContainerState st;
  st.id = j.value("id", id);
  st.handle.pid = j.value("pid", 0);
  st.handle.start_time = j.value("start_time", std::uint64_t{0});
  st.handle.state_dir = container_dir(id);
  st.bundle = j.value("bundle", "");
  st.rootfs = j.value("rootfs", "");
  st.created = j.value("created", "");
  st.cgroups_path = j.value("cgroupsPath", "");
  if (j.contains("attach") && j.at("attach").is_array())
    for (const auto& f : j.at("attach")) st.attach_files.emplace_back(f.get<std::string>());
  if (j.contains("annotations") && j.at("annotations").is_object())
    st.annotations = j.at("annotations").get<std::map<std::string, std::string>>();
  return st;
}

ContainerState StateRoot::load(const std::string& id) const {
  auto st = find(id);
  if (!st) throw NotFound("container " + id + " does not exist");
  return *st;
}

std::vector<ContainerState> StateRoot::all() const {
  std::vector<ContainerState> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(m_dir, ec)) {
    const std::string name = e.path().filename().string();
    try {
      if (auto st = find(name)) out.push_back(*st);
    } catch (const UsageError&) {
      // Not a container directory of ours.
    }
  }
  return out;
}

void StateRoot::remove(const std::string& id) const {
  check_id(id);
  std::error_code ec;
  fs::remove_all(container_dir(id), ec);
}

}  // namespace iocell::core::oci
