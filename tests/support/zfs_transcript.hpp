// Harness of the zfs storage transcript tests: the plugin's ZfsStorage on a
// ScriptedRunner loaded from tests/transcripts/zfs/<scenario>.txt, with a
// fake kernel mount table instead of statfs(2).
#pragma once

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include <iocell/sdk/testing/scripted_runner.hpp>

#include "zfs_storage.hpp"

namespace iocell::test::zfs {

class FakeProbe : public plugins::zfs::HostProbe {
 public:
  std::map<std::string, std::string> mounts;  ///< mount point -> dataset
  std::set<std::string> non_empty;            ///< directories with entries

  std::string zfs_mounted_at(const std::filesystem::path& path) const override {
    auto it = mounts.find(path.string());
    return it == mounts.end() ? "" : it->second;
  }
  bool has_entries(const std::filesystem::path& path) const override { return non_empty.count(path.string()) != 0; }
};

/// A ScriptedRunner that also remembers which commands ran as one pipeline.
class PipeRecordingRunner : public sdk::testing::ScriptedRunner {
 public:
  using ScriptedRunner::ScriptedRunner;
  std::vector<sdk::CommandResult> run_pipeline(const std::vector<sdk::Command>& stages) override {
    std::string line;
    for (const auto& s : stages) line += (line.empty() ? "" : " | ") + sdk::format_argv(s.argv);
    pipelines.push_back(line);
    return ScriptedRunner::run_pipeline(stages);
  }
  std::vector<std::string> pipelines;
};

inline const char* const kStandardChildren[] = {"jails", "templates", "releases", "download", "base", "images", "packages", "log"};

class Transcript {
 public:
  explicit Transcript(const std::string& scenario, const std::string& root = "/iocell")
      : runner(sdk::testing::load_transcript(std::string(IOCELL_TRANSCRIPT_DIR) + "/zfs/" + scenario + ".txt")) {
    auto owned = std::make_unique<FakeProbe>();
    probe = owned.get();
    host.os = sdk::HostOs::FreeBSD;
    host.root = root;
    host.runner = &runner;
    host.log = std::make_shared<spdlog::logger>("zfs-" + scenario, std::make_shared<spdlog::sinks::ostream_sink_mt>(log));
    storage = std::make_unique<plugins::zfs::ZfsStorage>(host, std::move(owned));
  }

  /// The kernel shows <pool>/iocell and every standard child mounted.
  void prepared(const std::string& pool = "tank") {
    std::string root = host.root.lexically_normal().string();
    if (root.size() > 1 && root.back() == '/') root.pop_back();
    probe->mounts[root] = pool + "/iocell";
    for (const char* c : kStandardChildren) probe->mounts[root + "/" + c] = pool + "/iocell/" + c;
  }

  /// Every command of the transcript ran, and nothing else.
  void finish() const {
    EXPECT_TRUE(runner.done()) << "commands the transcript expects but that did not run:\n" << runner.remaining();
    EXPECT_TRUE(runner.failures().empty()) << runner.failures().front();
  }

  std::string logged() const { return log.str(); }

  PipeRecordingRunner runner;
  FakeProbe* probe = nullptr;
  sdk::HostContext host;
  std::unique_ptr<plugins::zfs::ZfsStorage> storage;

 private:
  std::ostringstream log;
};

/// Runs `f`, expecting an exception whose message contains every one of `parts`.
template <class F>
void expect_error(F&& f, std::initializer_list<std::string> parts) {
  try {
    f();
    ADD_FAILURE() << "no exception";
  } catch (const std::exception& e) {
    const std::string what = e.what();
    for (const auto& p : parts) EXPECT_NE(what.find(p), std::string::npos) << "'" << p << "' not in: " << what;
  }
}

}  // namespace iocell::test::zfs
