// Start dependencies (the depends property): jails a jail needs running,
// started before it, waited for until their healthcheck succeeds, and
// stopped after it. jail(8)'s `depend` parameter has the same meaning.
#pragma once

#include <string>
#include <vector>

#include <iocell/core/inventory.hpp>

namespace iocell::core {

class Context;

/// The stored form of a depends value given by the admin: each jail it
/// names resolved to its full UUID, joined by commas ("none" stays). Throws
/// NotFound for a jail that does not exist, UsageError for the jail itself,
/// a template, or a value that would close a cycle (naming the cycle).
/// `self` is the UUID of the jail being set ("" for one being created).
std::string canonical_depends(Context& ctx, const std::string& self, const std::string& value);

/// Every jail `rec` needs, directly or through others, dependencies first;
/// `rec` itself is not in it. Throws Refused for a cycle (a hand-edited
/// config) or a dependency that no longer exists.
std::vector<JailRecord> dependencies_in_start_order(Context& ctx, const JailRecord& rec);

/// Runs the jail's healthcheck inside it until it succeeds, at most
/// healthcheck_timeout seconds; throws Refused naming the command and its
/// last exit status when it does not. A jail without one is ready at once.
void wait_until_healthy(Context& ctx, const JailRecord& rec);

/// `jails` reordered so that each comes after every jail of the list it
/// depends on (`reverse`: before them, for stopping); otherwise in the
/// given order.
std::vector<JailRecord> order_by_dependencies(std::vector<JailRecord> jails, bool reverse);

/// Boot waves for rcboot: every wave's jails depend only on jails of earlier
/// waves, and a wave holds one priority (lower first) so that jails of one
/// priority start together. A dependency takes the lowest priority of the
/// jails that need it: it comes up just before the first of them.
std::vector<std::vector<JailRecord>> boot_waves(std::vector<JailRecord> jails);

/// Running jails whose depends names `uuid`.
std::vector<JailRecord> running_dependents(Context& ctx, const std::string& uuid);

}  // namespace iocell::core
