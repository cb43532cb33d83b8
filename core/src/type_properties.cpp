#include <iocell/core/type_properties.hpp>

#include <algorithm>
#include <deque>
#include <mutex>

#include <iocell/core/errors.hpp>

namespace iocell::core {
namespace {

// A declaration and the PropertyDef that points into it. Kept in a deque
// and never erased: callers hold the PropertyDef pointers find_property
// returned, whose string views point at these strings.
struct Declared {
  sdk::TypeProperty decl;
  PropertyDef def;
  bool current = false;  // listed by the present source
};

// find_property() would ask this registry again (and wait for its lock).
bool in_core_table(const std::string& name) {
  const auto table = properties_by_name();
  return std::any_of(table.begin(), table.end(), [&](const PropertyDef* d) { return d->name == name; });
}

struct Registry {
  std::mutex mutex;
  const void* owner = nullptr;
  std::function<std::vector<sdk::TypeProperty>()> source;
  bool listed = false;
  std::deque<Declared> entries;

  // Asks the source once; a name of the core's table is never shadowed.
  void list() {
    if (listed || !source) return;
    listed = true;
    std::vector<sdk::TypeProperty> decls;
    try {
      decls = source();
    } catch (const std::exception&) {
      // A type that cannot be loaded declares nothing; the name then stays
      // unknown and the command says so.
      return;
    }
    for (auto& d : decls) {
      if (d.name.empty() || in_core_table(d.name)) continue;
      Declared* slot = lookup(d.name, false);
      if (slot && slot->current) continue;  // the first type that declares it wins
      if (!slot) slot = &entries.emplace_back();
      slot->decl = std::move(d);
      slot->def = PropertyDef{slot->decl.name, PropType::Text, "none", PropCategory::Iocell, LiveChange::Restart,
                              slot->decl.help, 0, 0, {}};
      slot->current = true;
    }
  }

  Declared* lookup(const std::string& name, bool current_only) {
    for (auto& e : entries)
      if (e.decl.name == name && (e.current || !current_only)) return &e;
    return nullptr;
  }
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

void set_type_property_source(const void* owner, std::function<std::vector<sdk::TypeProperty>()> source) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.owner = owner;
  r.source = std::move(source);
  r.listed = false;
  for (auto& e : r.entries) e.current = false;
}

void clear_type_property_source(const void* owner) {
  {
    std::lock_guard lock(registry().mutex);
    if (registry().owner != owner) return;
  }
  set_type_property_source(nullptr, nullptr);
}

const PropertyDef* find_type_property(const std::string& name) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.list();
  const Declared* e = r.lookup(name, true);
  return e ? &e->def : nullptr;
}

bool validate_type_property(const std::string& name, const std::string& value) {
  std::function<std::string(const std::string&)> check;
  std::string allowed;
  {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    r.list();
    const Declared* e = r.lookup(name, true);
    if (!e) return false;
    check = e->decl.check;
    allowed = e->decl.allowed;
  }
  std::string why;
  if (value.find('\n') != std::string::npos || value.find('\0') != std::string::npos) why = "no line breaks";
  else if (check) why = check(value);
  if (!why.empty())
    throw UsageError("invalid value '" + value + "' for property " + name + " (" + why + "): allowed: " + allowed);
  return true;
}

}  // namespace iocell::core
