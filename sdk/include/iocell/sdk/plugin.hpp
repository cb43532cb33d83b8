// The plugin entry point. A plugin is a shared object that exports one C
// symbol, iocell_plugin_v1, returning a descriptor; the core checks the ABI
// version and the toolchain before it calls anything else in the library.
#pragma once

#include <cstdint>
#include <memory>

#include <boost/config.hpp>

#include <iocell/sdk/archive.hpp>
#include <iocell/sdk/config.hpp>
#include <iocell/sdk/errors.hpp>
#include <iocell/sdk/fetcher.hpp>
#include <iocell/sdk/host.hpp>
#include <iocell/sdk/jail_type.hpp>
#include <iocell/sdk/limits.hpp>
#include <iocell/sdk/network.hpp>
#include <iocell/sdk/packages.hpp>
#include <iocell/sdk/recorder.hpp>
#include <iocell/sdk/runtime.hpp>
#include <iocell/sdk/storage.hpp>
#include <iocell/sdk/updater.hpp>

/// Incremented whenever the descriptor, the Registrar or any interface in
/// sdk/ changes in a way that breaks binary compatibility.
#define IOCELL_PLUGIN_ABI_VERSION 12u
#define IOCELL_PLUGIN_ENTRY "iocell_plugin_v1"

namespace iocell::sdk {

// Declared only: a plugin that provides one includes its header
// (sdk/forwarder.hpp, sdk/doctor.hpp), and the others are not rebuilt when
// those change.
class PortForwarder;
class HostChecker;

/// Which host operating systems a component serves (bit mask).
enum OsMask : std::uint32_t { kFreeBSD = 1u, kLinux = 2u, kAnyOs = 3u };

template <class T>
using Factory = std::unique_ptr<T> (*)(const HostContext&);

/// Implemented by the core; a plugin registers its components through it.
/// Names are what users and properties refer to ("zfs", "vnet-bridge",
/// "basejail", "https"). Plugins never keep the reference.
class IOCELL_SDK_EXPORT Registrar {
 public:
  virtual void add_storage(const char* name, std::uint32_t os, Factory<Storage> make) = 0;
  virtual void add_runtime(const char* name, std::uint32_t os, Factory<Runtime> make) = 0;
  virtual void add_network(const char* name, std::uint32_t os, Factory<Network> make) = 0;
  virtual void add_jail_type(const char* name, std::uint32_t os, Factory<JailType> make) = 0;
  /// `name` is the URL scheme the fetcher serves.
  virtual void add_fetcher(const char* name, std::uint32_t os, Factory<Fetcher> make) = 0;
  virtual void add_limits(const char* name, std::uint32_t os, Factory<Limits> make) = 0;
  virtual void add_packages(const char* name, std::uint32_t os, Factory<Packages> make) = 0;
  virtual void add_recorder(const char* name, std::uint32_t os, Factory<Recorder> make) = 0;
  virtual void add_updater(const char* name, std::uint32_t os, Factory<Updater> make) = 0;
  virtual void add_archiver(const char* name, std::uint32_t os, Factory<Archiver> make) = 0;
  /// The host's port forwarder (the rdr property): "pf", "nftables".
  virtual void add_forwarder(const char* name, std::uint32_t os, Factory<PortForwarder> make) = 0;
  /// Host checks for `iocell doctor`; any number per plugin, all are run.
  virtual void add_checker(const char* name, std::uint32_t os, Factory<HostChecker> make) = 0;

 protected:
  ~Registrar() = default;
};

/// Standard layout, append-only: new fields go at the end and `size` tells
/// the core which ones a plugin knows.
struct PluginDescriptorV1 {
  std::uint32_t abi_version;  ///< IOCELL_PLUGIN_ABI_VERSION the plugin was built with
  std::uint32_t size;         ///< sizeof(PluginDescriptorV1) of the plugin
  const char* name;
  const char* version;
  const char* toolchain;      ///< IOCELL_SDK_TOOLCHAIN_ID: compiler, C++ library, standard
  std::uint32_t os;           ///< OsMask of the systems the plugin serves
  /// Registers the plugin's components. Must not let an exception escape.
  void (*register_all)(Registrar&) noexcept;
};

}  // namespace iocell::sdk

/// One line per plugin: IOCELL_PLUGIN("zfs", "1.0", iocell::sdk::kFreeBSD, register_fn);
/// register_fn must be `void register_fn(iocell::sdk::Registrar&) noexcept`.
#define IOCELL_PLUGIN(NAME, VERSION, OS, REGISTER_FN)                                       \
  extern "C" BOOST_SYMBOL_EXPORT const ::iocell::sdk::PluginDescriptorV1* iocell_plugin_v1() \
      noexcept {                                                                            \
    static const ::iocell::sdk::PluginDescriptorV1 descriptor{                              \
        IOCELL_PLUGIN_ABI_VERSION, sizeof(::iocell::sdk::PluginDescriptorV1), NAME, VERSION,  \
        IOCELL_SDK_TOOLCHAIN_ID, OS, &REGISTER_FN};                                         \
    return &descriptor;                                                                     \
  }
