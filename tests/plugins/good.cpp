// A minimal valid plugin: registers one fetcher for the "test" scheme.
#include <iocell/sdk/plugin.hpp>

namespace {

class TestFetcher : public iocell::sdk::Fetcher {
 public:
  std::string name() const override { return "test"; }
  std::vector<std::string> schemes() const override { return {"test"}; }
  void fetch(const std::string& url, std::uint64_t offset, iocell::sdk::FetchSink& sink) override {
    const std::string body = "payload of " + url;
    sink.start(offset, body.size());
    if (offset < body.size()) sink.data(body.data() + offset, body.size() - offset);
  }
};

std::unique_ptr<iocell::sdk::Fetcher> make(const iocell::sdk::HostContext&) { return std::make_unique<TestFetcher>(); }

void register_all(iocell::sdk::Registrar& r) noexcept { r.add_fetcher("test", iocell::sdk::kAnyOs, &make); }

}  // namespace

IOCELL_PLUGIN("test-good", "1.2.3", iocell::sdk::kAnyOs, register_all)
