// Small facts about the host and the jail root that several operations need.
#pragma once

#include <filesystem>
#include <string>

#include <iocell/sdk/jail.hpp>

namespace iocell::core {

class Context;

/// /etc/hostid on FreeBSD, /etc/machine-id on Linux; "" when unknown.
std::string host_id(Context& ctx);
/// kern.features.vimage (FreeBSD): whether VNET jails are possible.
bool host_has_vnet(Context& ctx);
/// Sets hostname="H" in <root>/etc/rc.conf when the jail has an /etc (a
/// FreeBSD userland), never following a symlink the jail planted.
void write_rc_conf_hostname(const std::filesystem::path& jail_root, const std::string& hostname);

/// Writes the jail's /etc/resolv.conf from the resolver property (';'
/// separates lines), or copies the host's when it is none. Jails without
/// an /etc get nothing.
void write_resolver(Context& ctx, const sdk::JailSpec& spec);

}  // namespace iocell::core
