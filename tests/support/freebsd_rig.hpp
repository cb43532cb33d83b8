// A FreeBSD host for transcript tests of the jail, freebsd-net and rctl
// plugins: a scripted runner, a jail spec with the built-in property
// defaults, and a real temporary jail root for what plugins write through
// SafeRoot. Transcripts see ${UUID}, ${NAME} (ioc-UUID), ${U8} (the UUID's
// first 8 digits), ${HOME}, ${ROOT} and ${LOG} (the console log).
#pragma once

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <iocell/core/properties.hpp>
#include <iocell/sdk/host.hpp>
#include <iocell/sdk/jail.hpp>
#include <iocell/sdk/testing/scripted_runner.hpp>

#include "support/temp_dir.hpp"

namespace iocell::test {

class FreebsdRig {
 public:
  explicit FreebsdRig(const std::string& uuid = "8f3a2b1c-4d5e-11ef-9a7b-0025905a1b2c") : m_dir("iocell-fbsd") {
    host.os = sdk::HostOs::FreeBSD;
    host.root = m_dir.path() / "iocell";
    host.runner = &runner;
    host.log = std::make_shared<spdlog::logger>("fbsd-test", std::make_shared<spdlog::sinks::null_sink_mt>());
    spec.uuid = uuid;
    spec.name = "ioc-" + uuid;
    spec.dataset = "jails/" + uuid;
    spec.home = host.root / "jails" / uuid;
    spec.root = spec.home / "root";
    spec.console_log = host.root / "log" / (uuid + "-console.log");
    spec.props = sdk::PropertyMap(core::builtin_defaults(sdk::HostOs::FreeBSD));
    spec.props.set("uuid", uuid);
    spec.props.set("host_hostname", "www");
    std::filesystem::create_directories(spec.root / "etc");
    std::filesystem::create_directories(host.root / "log");
  }

  /// Loads tests/transcripts/<rel> as the runner's script.
  void load(const std::string& rel) {
    std::map<std::string, std::string> vars = {{"UUID", spec.uuid},
                                               {"NAME", spec.name},
                                               {"U8", spec.uuid.substr(0, 8)},
                                               {"HOME", spec.home.string()},
                                               {"ROOT", spec.root.string()},
                                               {"LOG", spec.console_log.string()}};
    runner = sdk::testing::ScriptedRunner(sdk::testing::load_transcript(std::string(IOCELL_TRANSCRIPT_DIR) + "/" + rel, vars));
  }

  void write_fstab(const std::string& content) { std::ofstream(spec.home / "fstab") << content; }

  std::string read(const std::filesystem::path& file) const {
    std::ifstream in(file);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  /// Every scripted command ran, and nothing else did.
  void expect_done() const {
    EXPECT_TRUE(runner.done()) << "commands the transcript expected but that never ran:\n" << runner.remaining();
    EXPECT_TRUE(runner.failures().empty()) << runner.failures().front();
  }

  sdk::testing::ScriptedRunner runner;
  sdk::HostContext host;
  sdk::JailSpec spec;

 private:
  TempDir m_dir;
};

}  // namespace iocell::test
