// Network providers: shared-ip (vnet=off) and vnet-bridge (vnet=on).
#pragma once

#include <string>

#include <iocell/sdk/jail.hpp>

namespace iocell::sdk {

class Network {
 public:
  virtual ~Network() = default;
  virtual std::string name() const = 0;
  /// Before the kernel jail exists: add host aliases, contribute runtime
  /// params (ip4.addr=..., vnet), derive and store MACs in spec.props.
  virtual void prepare(JailSpec& spec) = 0;
  /// After the kernel jail exists: create interfaces, move them in,
  /// configure addresses and routes inside.
  virtual void attach(const JailSpec& spec, const RunState& state) = 0;
  /// Before the kernel jail is removed.
  virtual void detach(const JailSpec& spec, const RunState& state) = 0;
  /// After the kernel jail is gone (and when a start failed half-way): remove
  /// host aliases and host-side interfaces. Must tolerate what is already gone.
  virtual void cleanup(const JailSpec& spec) = 0;
};

}  // namespace iocell::sdk
