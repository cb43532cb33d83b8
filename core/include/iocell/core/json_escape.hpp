// The one-letter escapes of JSON strings, shared by iocell's hand-written
// readers (config.json, the shell iocell's UCL-like files).
#pragma once

namespace iocell::core {

/// What \e stands for in a JSON string: ", \, /, backspace, form feed,
/// newline, carriage return or tab; '\0' for any other letter (\u is read
/// by the caller).
constexpr char json_escaped(char e) {
  switch (e) {
    case '"': case '\\': case '/': return e;
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    default: return '\0';
  }
}

}  // namespace iocell::core
