// The host side of the boundary test: loads the plugin as the core does
// (lazy binding, RTLD_LOCAL) and catches what it throws by type, with
// whatever compiler and C++ library this was built with. With clang and
// libc++ a type_info is compared by address, so this passes only when the
// host exports the SDK types' type_info and the plugin binds to it.
#include <cstdio>
#include <stdexcept>

#include <boost/dll/shared_library.hpp>

#include <iocell/sdk/plugin.hpp>

namespace {

namespace sdk = iocell::sdk;
namespace dll = boost::dll;

class OneFetcher final : public sdk::Registrar {
 public:
  void add_storage(const char*, std::uint32_t, sdk::Factory<sdk::Storage>) override {}
  void add_runtime(const char*, std::uint32_t, sdk::Factory<sdk::Runtime>) override {}
  void add_network(const char*, std::uint32_t, sdk::Factory<sdk::Network>) override {}
  void add_jail_type(const char*, std::uint32_t, sdk::Factory<sdk::JailType>) override {}
  void add_fetcher(const char*, std::uint32_t, sdk::Factory<sdk::Fetcher> f) override { make = f; }
  void add_limits(const char*, std::uint32_t, sdk::Factory<sdk::Limits>) override {}
  void add_packages(const char*, std::uint32_t, sdk::Factory<sdk::Packages>) override {}
  void add_recorder(const char*, std::uint32_t, sdk::Factory<sdk::Recorder>) override {}
  void add_updater(const char*, std::uint32_t, sdk::Factory<sdk::Updater>) override {}
  void add_archiver(const char*, std::uint32_t, sdk::Factory<sdk::Archiver>) override {}
  void add_forwarder(const char*, std::uint32_t, sdk::Factory<sdk::PortForwarder>) override {}
  void add_checker(const char*, std::uint32_t, sdk::Factory<sdk::HostChecker>) override {}
  sdk::Factory<sdk::Fetcher> make = nullptr;
};

class ThrowingSink final : public sdk::FetchSink {
 public:
  void start(std::uint64_t, std::optional<std::uint64_t>) override {
    throw sdk::FetchError("boundary://sink", "host refuses", sdk::FetchFailure::Other);
  }
  void data(const char*, std::size_t) override {}
};

int fail(const char* what) {
  std::fprintf(stderr, "boundary: %s\n", what);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return fail("usage: iocell-boundary-host PLUGIN.so");
  dll::shared_library lib(argv[1], dll::load_mode::rtld_lazy | dll::load_mode::rtld_local);
  auto entry = lib.get<const sdk::PluginDescriptorV1*() noexcept>(IOCELL_PLUGIN_ENTRY);
  const sdk::PluginDescriptorV1* d = entry();
  if (d->abi_version != IOCELL_PLUGIN_ABI_VERSION) return fail("ABI version differs");
  OneFetcher reg;
  d->register_all(reg);
  if (reg.make == nullptr) return fail("the plugin registered no fetcher");
  const std::unique_ptr<sdk::Fetcher> fetcher = reg.make(sdk::HostContext{});
  ThrowingSink sink;

  // Plugin to host.
  try {
    fetcher->fetch("boundary://absent", 0, sink);
    return fail("no exception from the plugin");
  } catch (const sdk::FetchError& e) {
    if (e.reason() != sdk::FetchFailure::NotFound) return fail("the reason was lost");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "boundary: caught as std::exception only: %s\n", e.what());
    return 1;
  }
  try {
    fetcher->fetch("boundary://invalid", 0, sink);
    return fail("no exception from the plugin");
  } catch (const sdk::InvalidRequest&) {
  } catch (const std::exception& e) {
    std::fprintf(stderr, "boundary: InvalidRequest caught as std::exception only: %s\n", e.what());
    return 1;
  }
  // Host to plugin, and back.
  try {
    fetcher->fetch("boundary://sink", 0, sink);
    return fail("no exception from the plugin");
  } catch (const sdk::FetchError& e) {
    if (e.reason() != sdk::FetchFailure::Transient) {
      std::fprintf(stderr, "boundary: %s\n", e.what());
      return 1;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "boundary: %s\n", e.what());
    return 1;
  }
  std::printf("boundary: SDK exceptions keep their type both ways (%s)\n", IOCELL_SDK_TOOLCHAIN_ID);
  return 0;
}
