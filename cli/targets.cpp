#include "targets.hpp"

#include <iostream>

#include <iocell/core/errors.hpp>
#include <iocell/core/oci/state.hpp>
#include <iocell/core/ops/depends.hpp>

#include "exit_codes.hpp"

namespace iocell::cli {

std::string describe(const core::JailRecord& rec) { return rec.uuid + " (" + rec.tag() + ")"; }

int code_for(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const core::UsageError&) {
    return kExitUsage;
  } catch (const core::NotFound&) {
    return kExitNotFound;
  } catch (...) {
    return kExitFailure;
  }
}

int for_each_jail(Invocation& inv, const std::vector<std::string>& targets, bool allow_all,
                  const std::function<void(const core::JailRecord&)>& fn) {
  return for_each_jail(inv, targets, allow_all, JailOrder::AsGiven, fn);
}

int for_each_jail(Invocation& inv, const std::vector<std::string>& targets, bool allow_all, JailOrder order,
                  const std::function<void(const core::JailRecord&)>& fn) {
  if (targets.empty()) throw core::UsageError(inv.command + ": no jail given (a UUID, a UUID prefix or a tag" + (allow_all ? ", or ALL)" : ")"));
  std::vector<core::JailRecord> jails;
  for (const auto& t : targets) {
    if (t == "ALL" && !allow_all) throw core::UsageError(inv.command + " does not take ALL");
    // Resolve every name before acting on any: a typo changes nothing.
    std::vector<core::JailRecord> found;
    try {
      found = inv.ctx.inventory().resolve_many(t);
    } catch (const core::NotFound&) {
      core::oci::refuse_if_container(t);
      throw;
    }
    for (auto& j : found) jails.push_back(std::move(j));
  }
  if (order != JailOrder::AsGiven) jails = core::order_by_dependencies(std::move(jails), order == JailOrder::DependentsFirst);
  int ok = 0, last_code = 0, failed = 0;
  for (const auto& j : jails) {
    try {
      fn(j);
      ++ok;
    } catch (const std::exception& e) {
      ++failed;
      last_code = code_for(std::current_exception());
      inv.ctx.err() << "iocell: " << inv.command << " " << describe(j) << ": " << e.what() << "\n";
    }
  }
  if (failed == 0) return kExitSuccess;
  return ok > 0 ? kExitPartial : last_code;
}

core::JailRecord resolve_jail(core::Context& ctx, const std::string& word) {
  try {
    return ctx.inventory().resolve(word);
  } catch (const core::NotFound&) {
    core::oci::refuse_if_container(word);
    throw;
  }
}

std::pair<core::JailRecord, std::string> resolve_snapshot_target(core::Context& ctx, const std::string& word) {
  try {
    return {ctx.inventory().resolve(word), ""};
  } catch (const core::NotFound&) {
    core::oci::refuse_if_container(word.substr(0, word.rfind('@')));
    auto at = word.rfind('@');
    if (at == std::string::npos || at == 0) throw;
    return {ctx.inventory().resolve(word.substr(0, at)), word.substr(at + 1)};
  }
}

}  // namespace iocell::cli
