#include <algorithm>

#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/jail_types.hpp>

namespace iocell::core {
namespace {

std::string listed(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none (no jail type plugin is loaded; see iocell plugins)" : out;
}

}  // namespace

std::vector<std::string> jail_type_names(Context& ctx) {
  auto names = ctx.plugins().names(ComponentKind::JailType, ctx.os());
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

sdk::JailType& create_type(Context& ctx, const std::string& named, char flag) {
  const auto names = jail_type_names(ctx);
  if (!named.empty()) {
    if (flag != '\0')
      throw UsageError("create: type=" + named + " and -" + std::string(1, flag) + " both name a type; give one");
    if (std::find(names.begin(), names.end(), named) == names.end())
      throw UsageError("unknown jail type '" + named + "': allowed: " + listed(names));
    return ctx.jail_type(named);
  }
  for (const auto& n : names) {
    sdk::JailType& t = ctx.jail_type(n);
    if (flag != '\0' ? t.create_flag() == flag : t.create_default()) return t;
  }
  if (flag != '\0')
    throw UsageError("create: no loaded jail type has the shorthand -" + std::string(1, flag) + "; name one with type=NAME: " +
                     listed(names));
  throw UsageError("create: no loaded jail type is the default; name one with type=NAME: " + listed(names));
}

}  // namespace iocell::core
