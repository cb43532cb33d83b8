// The message of what `fn` threw, "" when it threw nothing: for tests that
// check an error's wording rather than only that there was one.
#pragma once

#include <exception>
#include <functional>
#include <string>

namespace iocell::test {

inline std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace iocell::test
