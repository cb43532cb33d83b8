// The two legacy formats migrate reads: the shell iocell's UCL config files
// and iocage 1.x's ZFS user properties as `zfs get -H` prints them.
#include <iocell/core/ops/migrate.hpp>

#include <cctype>

namespace iocell::core {
namespace {

// What \e stands for in a quoted value (JSON's one-letter escapes); '\0'
// for any other letter (\u is read by the caller).
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

class LineCursor {
 public:
  LineCursor(const std::string& line, const std::string& file, size_t lineno) : m_line(line), m_file(file), m_lineno(lineno) {}

  bool done() const { return m_pos >= m_line.size(); }
  char peek() const { return done() ? '\0' : m_line[m_pos]; }
  bool starts(const char* s) const { return m_line.compare(m_pos, std::char_traits<char>::length(s), s) == 0; }
  void skip_blanks() {
    while (!done() && (peek() == ' ' || peek() == '\t')) ++m_pos;
  }
  bool at_comment() const { return peek() == '#' || starts("//"); }
  char take() { return m_line[m_pos++]; }
  [[noreturn]] void fail(const std::string& what) const {
    throw UclError(m_file + ":" + std::to_string(m_lineno) + ":" + std::to_string(m_pos + 1) + ": " + what);
  }

 private:
  const std::string& m_line;
  const std::string& m_file;
  size_t m_lineno;
  size_t m_pos = 0;
};

bool key_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'; }
bool bare_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string("_-.:/@,|+%").find(c) != std::string::npos;
}

void append_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string quoted_value(LineCursor& c, const std::string& key) {
  c.take();  // the opening quote
  std::string out;
  while (true) {
    if (c.done()) c.fail("unterminated string for '" + key + "' (values end on their own line)");
    char ch = c.take();
    if (ch == '"') return out;
    if (ch != '\\') {
      out += ch;
      continue;
    }
    if (c.done()) c.fail("unterminated string for '" + key + "' (values end on their own line)");
    char e = c.take();
    if (const char plain = json_escaped(e)) {
      out += plain;
      continue;
    }
    switch (e) {
      case 'u': {
        unsigned cp = 0;
        for (int i = 0; i < 4; ++i) {
          char h = c.peek();
          if (!std::isxdigit(static_cast<unsigned char>(h))) c.fail("\\u needs four hex digits in the value of '" + key + "'");
          c.take();
          cp = cp * 16 + static_cast<unsigned>(std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : (std::tolower(h) - 'a' + 10));
        }
        append_utf8(out, cp);
        break;
      }
      default:
        c.fail(std::string("unknown escape \\") + e + " in the value of '" + key + "'");
    }
  }
}

}  // namespace

PropertyValues parse_ucl(const std::string& text, const std::string& file) {
  PropertyValues out;
  std::map<std::string, size_t> first_line;
  size_t start = 0, lineno = 0;
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) start = 3;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    start = end == std::string::npos ? text.size() : end + 1;
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();

    LineCursor c(line, file, lineno);
    c.skip_blanks();
    if (c.done() || c.at_comment()) continue;
    if (c.peek() == '{' || c.peek() == '}' || c.peek() == '[')
      c.fail("objects and arrays are not part of the shell iocell's config format");
    std::string key;
    while (!c.done() && key_char(c.peek())) key += c.take();
    if (key.empty()) c.fail(std::string("expected a property name, found '") + c.peek() + "'");
    c.skip_blanks();
    if (c.peek() != '=') c.fail("expected '=' after '" + key + "'");
    c.take();
    c.skip_blanks();
    std::string value;
    if (c.peek() == '"') {
      value = quoted_value(c, key);
    } else if (c.peek() == '{' || c.peek() == '[') {
      c.fail("the value of '" + key + "' is an object or array; iocell's config holds only strings");
    } else if (c.starts("<<")) {
      c.fail("multi-line strings are not part of the shell iocell's config format ('" + key + "')");
    } else {
      while (!c.done() && bare_char(c.peek())) value += c.take();
      if (value.empty()) c.fail("expected a value for '" + key + "'");
    }
    c.skip_blanks();
    if (c.peek() == ';' || c.peek() == ',') c.take();
    c.skip_blanks();
    if (!c.done() && !c.at_comment()) c.fail(std::string("unexpected '") + c.peek() + "' after the value of '" + key + "'");
    if (auto it = first_line.find(key); it != first_line.end())
      throw UclError(file + ":" + std::to_string(lineno) + ":1: '" + key + "' is given twice (first on line " +
                     std::to_string(it->second) + ")");
    first_line[key] = lineno;
    out[key] = value;
  }
  return out;
}

}  // namespace iocell::core
