// iocell-runtime [GLOBAL OPTIONS] COMMAND [OPTIONS] ID ...
// Errors go to stderr and, with --log, to that file as runc writes them
// ({"level":"error","msg":...,"time":...}), where conmon and podman read them.
#include "oci_runtime.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include <iocell/core/errors.hpp>
#include <iocell/core/oci/engine.hpp>
#include <iocell/sdk/config.hpp>

#include "exit_codes.hpp"

namespace iocell::cli {

namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;
namespace co = core::oci;
using nlohmann::json;

const char* kUsage =
    "usage: iocell-runtime [--root DIR] [--log FILE] [--log-format text|json] COMMAND [OPTIONS] ID\n"
    "commands: create, start, state, kill, delete, exec, pause, resume, list, features\n"
    "  create --bundle DIR [--pid-file FILE] [--console-socket SOCK] ID\n"
    "  start ID | state ID | pause ID | resume ID | kill [--all] ID [SIGNAL] | delete [--force] ID\n"
    "  exec [--process FILE] [--detach] [--pid-file FILE] [--console-socket SOCK] [--tty] [--cwd DIR]\n"
    "       [--env NAME=VALUE]... [--user UID[:GID]] ID [COMMAND ARGS...]\n"
    "See iocell-runtime(8) in iocell(8), and docs/oci-runtime.md.\n";

struct Globals {
  fs::path root = co::default_state_root();
  fs::path log;
  std::string log_format = "text";
};

std::string now_rfc3339() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// One line per message in the --log file, in the format runc writes.
void log_line(const Globals& g, const char* level, const std::string& msg) {
  if (g.log.empty()) return;
  std::ofstream out(g.log, std::ios::app);
  if (g.log_format == "json") out << json{{"level", level}, {"msg", msg}, {"time", now_rfc3339()}}.dump() << "\n";
  else out << "time=\"" << now_rfc3339() << "\" level=" << level << " msg=" << json(msg).dump() << "\n";
}

// Options that take a value, for splitting a command line where the first
// word that is no option (or option value) begins.
std::size_t first_word(const std::vector<std::string>& args, std::size_t from, const std::set<std::string>& with_value) {
  for (std::size_t i = from; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") return i + 1;
    if (a.empty() || a[0] != '-' || a == "-") return i;
    if (a.find('=') == std::string::npos && with_value.count(a)) ++i;
  }
  return args.size();
}

po::variables_map parse(const std::string& command, const std::vector<std::string>& args, const po::options_description& opts,
                        const po::positional_options_description& pos) {
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(opts).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw core::UsageError(command + ": " + e.what() + "\n" + kUsage);
  }
  return vm;
}

std::string need_id(const po::variables_map& vm, const std::string& command) {
  if (!vm.count("id")) throw core::UsageError(command + " needs a container ID\n" + kUsage);
  return vm["id"].as<std::string>();
}

json features() {
  return json{{"ociVersionMin", "1.0.0"},
              {"ociVersionMax", "1.1.0"},
              {"hooks", json::array()},
              {"mountOptions", {"ro", "rw", "nosuid", "suid", "nodev", "dev", "noexec", "exec", "noatime", "atime",
                                "relatime", "strictatime", "nodiratime", "diratime", "bind", "rbind", "private",
                                "rprivate", "slave", "rslave", "unbindable", "runbindable", "defaults", "async"}},
              {"linux",
               {{"namespaces", co::namespace_types()},
                {"cgroup", {{"v1", true}, {"v2", true}, {"systemd", false}, {"systemdUser", false}}},
                {"seccomp", {{"enabled", false}}},
                {"apparmor", {{"enabled", false}}},
                {"selinux", {{"enabled", false}}}}},
              {"annotations", {{"org.iocell.runtime.version", IOCELL_VERSION}}}};
}

// runc's exec flags turned into a process: --process FILE whole, else the
// container's own process with the command and the flags applied.
sdk::oci::Process exec_process(co::Engine& engine, const std::string& id, const po::variables_map& vm,
                               const std::vector<std::string>& command, std::vector<std::string>& warnings) {
  if (vm.count("process")) {
    if (!command.empty()) throw core::UsageError("exec: give either --process or a command, not both");
    std::ifstream in(vm["process"].as<std::string>());
    if (!in) throw core::NotFound("cannot read --process " + vm["process"].as<std::string>());
    json j;
    try {
      j = json::parse(in);
    } catch (const json::exception& e) {
      throw core::UsageError("--process " + vm["process"].as<std::string>() + ": not valid JSON: " + e.what());
    }
    return co::parse_process(j, "process", warnings);
  }
  if (command.empty()) throw core::UsageError("exec needs --process FILE or a command\n" + std::string(kUsage));
  sdk::oci::Process p = engine.process_of(id);
  p.args = command;
  p.terminal = vm.count("tty") && vm["tty"].as<bool>();
  if (vm.count("cwd")) p.cwd = vm["cwd"].as<std::string>();
  if (vm.count("env"))
    for (const auto& e : vm["env"].as<std::vector<std::string>>()) {
      if (e.find('=') == std::string::npos) throw core::UsageError("exec --env '" + e + "': expected NAME=VALUE");
      p.env.push_back(e);
    }
  if (vm.count("user")) {
    const std::string u = vm["user"].as<std::string>();
    const auto colon = u.find(':');
    try {
      std::size_t used = 0;
      p.uid = static_cast<std::uint32_t>(std::stoul(u.substr(0, colon), &used));
      if (used != u.substr(0, colon).size()) throw std::invalid_argument(u);
      p.gid = colon == std::string::npos ? p.uid : static_cast<std::uint32_t>(std::stoul(u.substr(colon + 1)));
    } catch (const std::exception&) {
      throw core::UsageError("exec --user '" + u + "': expected UID or UID:GID (numbers)");
    }
  }
  return p;
}

int run(const Globals& g, const std::string& command, const std::vector<std::string>& args) {
  po::positional_options_description one_id;
  one_id.add("id", 1);
  if (command == "features") {
    std::cout << features().dump(2) << "\n";
    return kExitSuccess;
  }
  co::Engine engine(g.root);
  if (command == "create" || command == "run") {
    if (command == "run") throw core::UsageError("run is not supported: use create and start\n" + std::string(kUsage));
    po::options_description o;
    o.add_options()("bundle,b", po::value<std::string>()->default_value("."), "bundle directory")(
        "pid-file", po::value<std::string>(), "")("console-socket", po::value<std::string>(), "")(
        "no-pivot", po::bool_switch(), "")("no-new-keyring", po::bool_switch(), "")(
        "preserve-fds", po::value<unsigned>()->default_value(0), "")("id", po::value<std::string>(), "");
    auto vm = parse(command, args, o, one_id);
    if (vm["preserve-fds"].as<unsigned>() != 0) throw core::UsageError("create --preserve-fds is not supported");
    const std::string id = need_id(vm, command);
    auto warnings = engine.create(id, vm["bundle"].as<std::string>(),
                                  vm.count("console-socket") ? vm["console-socket"].as<std::string>() : std::string(),
                                  vm.count("pid-file") ? vm["pid-file"].as<std::string>() : std::string());
    for (const auto& w : warnings) log_line(g, "warning", w);
    return kExitSuccess;
  }
  if (command == "start" || command == "state" || command == "pause" || command == "resume") {
    po::options_description o;
    o.add_options()("id", po::value<std::string>(), "");
    auto vm = parse(command, args, o, one_id);
    const std::string id = need_id(vm, command);
    if (command == "start") engine.start(id);
    else if (command == "pause") engine.pause(id);
    else if (command == "resume") engine.resume(id);
    else std::cout << engine.state(id).dump(2) << "\n";
    return kExitSuccess;
  }
  if (command == "kill") {
    po::options_description o;
    o.add_options()("all,a", po::bool_switch(), "")("id", po::value<std::string>(), "")("signal", po::value<std::string>(), "");
    po::positional_options_description pos;
    pos.add("id", 1).add("signal", 1);
    auto vm = parse(command, args, o, pos);
    const std::string id = need_id(vm, command);
    const std::string name = vm.count("signal") ? vm["signal"].as<std::string>() : "TERM";
    auto sig = co::signal_number(name);
    if (!sig) throw core::UsageError("kill: unknown signal '" + name + "' (a name such as TERM or KILL, or a number)");
    engine.kill(id, *sig, vm["all"].as<bool>());
    return kExitSuccess;
  }
  if (command == "delete") {
    po::options_description o;
    o.add_options()("force,f", po::bool_switch(), "")("id", po::value<std::string>(), "");
    auto vm = parse(command, args, o, one_id);
    engine.remove(need_id(vm, command), vm["force"].as<bool>());
    return kExitSuccess;
  }
  if (command == "exec") {
    po::options_description o;
    o.add_options()("process,p", po::value<std::string>(), "")("detach,d", po::bool_switch(), "")(
        "pid-file", po::value<std::string>(), "")("console-socket", po::value<std::string>(), "")(
        "tty,t", po::bool_switch(), "")("cwd", po::value<std::string>(), "")(
        "env,e", po::value<std::vector<std::string>>(), "")("user,u", po::value<std::string>(), "")(
        "preserve-fds", po::value<unsigned>()->default_value(0), "")("process-label", po::value<std::string>(), "")(
        "apparmor", po::value<std::string>(), "")("no-new-privs", po::bool_switch(), "")(
        "cap,c", po::value<std::vector<std::string>>(), "")("id", po::value<std::string>(), "");
    // Everything after the ID is the command, options included.
    const std::set<std::string> valued{"--process", "-p", "--pid-file", "--console-socket", "--cwd", "--env", "-e",
                                       "--user", "-u", "--preserve-fds", "--process-label", "--apparmor", "--cap", "-c"};
    const std::size_t at = first_word(args, 0, valued);
    std::vector<std::string> head(args.begin(), args.begin() + static_cast<long>(std::min(at + 1, args.size())));
    std::vector<std::string> command_words(args.begin() + static_cast<long>(std::min(at + 1, args.size())), args.end());
    auto vm = parse(command, head, o, one_id);
    const std::string id = need_id(vm, command);
    if (vm["preserve-fds"].as<unsigned>() != 0) throw core::UsageError("exec --preserve-fds is not supported");
    if (vm.count("process-label") || vm.count("apparmor"))
      throw core::UsageError("exec: --process-label and --apparmor are not supported (no SELinux or AppArmor here)");
    std::vector<std::string> warnings;
    sdk::oci::Process p = exec_process(engine, id, vm, command_words, warnings);
    if (vm["no-new-privs"].as<bool>()) p.no_new_privileges = true;
    if (vm.count("cap"))
      for (const auto& c : vm["cap"].as<std::vector<std::string>>()) {
        const std::uint64_t bit = 1ULL << co::capability_number(c, "exec --cap");
        p.caps_bounding |= bit;
        p.caps_effective |= bit;
        p.caps_permitted |= bit;
      }
    for (const auto& w : warnings) log_line(g, "warning", w);
    auto r = engine.exec(id, p, vm.count("console-socket") ? vm["console-socket"].as<std::string>() : std::string(),
                         vm["detach"].as<bool>(), vm.count("pid-file") ? vm["pid-file"].as<std::string>() : std::string());
    return vm["detach"].as<bool>() ? kExitSuccess : r.status;
  }
  if (command == "list") {
    po::options_description o;
    o.add_options()("format,f", po::value<std::string>()->default_value("table"), "")("quiet,q", po::bool_switch(), "");
    auto vm = parse(command, args, o, po::positional_options_description{});
    json all = json::array();
    for (const auto& [st, status] : engine.containers()) {
      if (vm["quiet"].as<bool>()) {
        std::cout << st.id << "\n";
        continue;
      }
      all.push_back(json{{"id", st.id}, {"pid", status == sdk::oci::Status::Stopped ? 0 : st.handle.pid},
                         {"status", co::to_string(status)}, {"bundle", st.bundle.string()}, {"created", st.created}});
    }
    if (vm["quiet"].as<bool>()) return kExitSuccess;
    if (vm["format"].as<std::string>() == "json") {
      std::cout << all.dump() << "\n";
    } else {
      std::cout << "ID\tPID\tSTATUS\tBUNDLE\tCREATED\n";
      for (const auto& c : all)
        std::cout << c["id"].get<std::string>() << "\t" << c["pid"] << "\t" << c["status"].get<std::string>() << "\t"
                  << c["bundle"].get<std::string>() << "\t" << c["created"].get<std::string>() << "\n";
    }
    return kExitSuccess;
  }
  throw core::UsageError("unknown command '" + command + "'\n" + kUsage);
}

}  // namespace

int oci_runtime_main(int argc, char** argv) {
  Globals g;
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    const std::set<std::string> valued{"--root", "--log", "--log-format", "--criu", "--rootless"};
    const std::size_t at = first_word(args, 0, valued);
    std::vector<std::string> head(args.begin(), args.begin() + static_cast<long>(at));
    po::options_description o;
    o.add_options()("root", po::value<std::string>(), "")("log", po::value<std::string>(), "")(
        "log-format", po::value<std::string>(), "")("systemd-cgroup", po::bool_switch(), "")(
        "debug", po::bool_switch(), "")("rootless", po::value<std::string>(), "")("criu", po::value<std::string>(), "")(
        "version,v", po::bool_switch(), "")("help,h", po::bool_switch(), "");
    auto vm = parse("iocell-runtime", head, o, po::positional_options_description{});
    if (vm.count("root")) g.root = vm["root"].as<std::string>();
    if (vm.count("log")) g.log = vm["log"].as<std::string>();
    if (vm.count("log-format")) g.log_format = vm["log-format"].as<std::string>();
    if (g.log_format != "text" && g.log_format != "json")
      throw core::UsageError("--log-format '" + g.log_format + "': allowed are text and json");
    if (vm["version"].as<bool>()) {
      std::cout << "iocell-runtime version " << IOCELL_VERSION << "\nspec: 1.0.2\n";
      return kExitSuccess;
    }
    if (vm["help"].as<bool>()) {
      std::cout << kUsage;
      return kExitSuccess;
    }
    if (vm["systemd-cgroup"].as<bool>())
      throw core::UsageError("--systemd-cgroup is not supported: use podman --cgroup-manager cgroupfs");
    if (vm.count("rootless") && vm["rootless"].as<std::string>() == "true")
      throw core::UsageError("--rootless true is not supported: iocell-runtime runs containers as root");
    if (at >= args.size()) throw core::UsageError(kUsage);
    const std::string command = args[at];
    return run(g, command, std::vector<std::string>(args.begin() + static_cast<long>(at) + 1, args.end()));
  } catch (const core::UsageError& e) {
    log_line(g, "error", e.what());
    std::cerr << "iocell-runtime: " << e.what() << (std::string(e.what()).back() == '\n' ? "" : "\n");
    return kExitUsage;
  } catch (const core::NotFound& e) {
    log_line(g, "error", e.what());
    std::cerr << "iocell-runtime: " << e.what() << "\n";
    return kExitNotFound;
  } catch (const std::exception& e) {
    log_line(g, "error", e.what());
    std::cerr << "iocell-runtime: " << e.what() << "\n";
    return kExitFailure;
  }
}

}  // namespace iocell::cli
