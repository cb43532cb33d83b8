// Properties a jail type adds to the core's table (sdk::JailType::properties):
// asked of the loaded types the first time a command meets a name the table
// does not hold, then kept for the rest of the process.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <iocell/core/properties.hpp>
#include <iocell/sdk/jail_type.hpp>

namespace iocell::core {

/// What lists the types' properties: the Context installs one that asks
/// every loaded jail type; nullptr (no Context) leaves only the core's table.
/// A new source drops what the previous one listed; `owner` (the Context)
/// removes only its own with clear_type_property_source.
void set_type_property_source(const void* owner, std::function<std::vector<sdk::TypeProperty>()> source);
void clear_type_property_source(const void* owner);

/// The definition of a type's property (a Text property of the Iocell
/// category), or nullptr when no type declares `name`.
const PropertyDef* find_type_property(const std::string& name);

/// Whether `name` is a type's property; when it is, checks `value` with the
/// type's check and throws UsageError naming the value and what is allowed.
bool validate_type_property(const std::string& name, const std::string& value);

}  // namespace iocell::core
