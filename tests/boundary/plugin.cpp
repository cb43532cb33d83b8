// The plugin side of the boundary test: throws SDK exceptions at the host
// and catches the host's by type.
#include <iocell/sdk/plugin.hpp>

namespace {

namespace sdk = iocell::sdk;

class BoundaryFetcher : public sdk::Fetcher {
 public:
  std::string name() const override { return "boundary"; }
  std::vector<std::string> schemes() const override { return {"boundary"}; }
  void fetch(const std::string& url, std::uint64_t offset, sdk::FetchSink& sink) override {
    if (url == "boundary://absent") throw sdk::FetchError(url, "no such file", sdk::FetchFailure::NotFound);
    if (url == "boundary://invalid") throw sdk::InvalidRequest("invalid url " + url);
    // The host's sink throws; the plugin must recognise the host's type.
    try {
      sink.start(offset, std::nullopt);
    } catch (const sdk::FetchError& e) {
      throw sdk::FetchError(url, std::string("plugin caught the host's FetchError: ") + e.what(), sdk::FetchFailure::Transient);
    } catch (...) {
      throw std::runtime_error("plugin did not recognise the host's FetchError");
    }
  }
};

std::unique_ptr<sdk::Fetcher> make(const sdk::HostContext&) { return std::make_unique<BoundaryFetcher>(); }

void register_all(sdk::Registrar& r) noexcept { r.add_fetcher("boundary", sdk::kAnyOs, &make); }

}  // namespace

IOCELL_PLUGIN("test-boundary", "1.0", iocell::sdk::kAnyOs, register_all)
