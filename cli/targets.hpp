// Helpers for commands that act on one or many jails.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <iocell/core/inventory.hpp>

#include "command.hpp"

namespace iocell::cli {

/// Runs `fn` for each jail named (ALL expands when `allow_all`). Errors of
/// one jail are reported and the others still run. Returns the exit code:
/// 0, or the single failure's code, or kExitPartial when some succeeded.
int for_each_jail(Invocation& inv, const std::vector<std::string>& targets, bool allow_all,
                  const std::function<void(const core::JailRecord&)>& fn);

/// How for_each_jail orders the jails it was given.
enum class JailOrder { AsGiven, DependenciesFirst, DependentsFirst };
int for_each_jail(Invocation& inv, const std::vector<std::string>& targets, bool allow_all, JailOrder order,
                  const std::function<void(const core::JailRecord&)>& fn);

/// "TARGET@snap" -> {target, snap}. The whole word is tried as a jail name
/// first, because default tags contain '@' (2026-11-29@06:30:00).
/// inventory().resolve(word), except that a word naming a container of
/// iocell-runtime is refused as owned by its OCI engine, not "not found".
core::JailRecord resolve_jail(core::Context& ctx, const std::string& word);

std::pair<core::JailRecord, std::string> resolve_snapshot_target(core::Context& ctx, const std::string& word);

std::string describe(const core::JailRecord& rec);

}  // namespace iocell::cli
