// Errors the core raises. The CLI maps them to exit codes (docs/exit-codes.md):
// UsageError -> 2, NotFound -> 3, anything else -> 1.
#pragma once

#include <stdexcept>
#include <string>

namespace iocell::core {

/// Bad syntax or an invalid value. Nothing was changed.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The named jail, release, snapshot or plugin does not exist.
class NotFound : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// An operation that cannot be done in the current state (a running jail,
/// dependent clones, ...). Nothing was changed.
class Refused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace iocell::core
