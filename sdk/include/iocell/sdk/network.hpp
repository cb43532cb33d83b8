// Network providers: a jail on the host's stack (vnet=off) or with a stack
// of its own (vnet=on); the core picks one of each kind by own_stack().
#pragma once

#include <iocell/sdk/export.hpp>

#include <string>

#include <iocell/sdk/jail.hpp>

namespace iocell::sdk {

class IOCELL_SDK_EXPORT Network {
 public:
  virtual ~Network() = default;
  virtual std::string name() const = 0;
  /// Whether the provider gives the jail a network stack of its own (vnet=on)
  /// rather than addresses on the host's (vnet=off).
  virtual bool own_stack() const = 0;
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
