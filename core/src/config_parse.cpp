// A reader for the config.json iocell writes: one object of string
// properties. Target resolution and every command on a jail parse at least
// one, and building nlohmann's document for ~120 properties was a tenth of
// an `iocell exec`. Anything this reader does not expect (numbers or
// objects as property values, non-ASCII text, malformed input) is left to
// nlohmann by returning nothing, so the two agree on every file.
#include <iocell/core/config_store.hpp>
#include <iocell/core/json_escape.hpp>

namespace iocell::core {

namespace {

class PlainReader {
 public:
  explicit PlainReader(std::string_view text) : m_s(text) {}

  /// With `top_strings`, the string members of the outer object, integers
  /// skipped (iocell.json); without, the config's properties.
  std::optional<PropertyValues> document(bool top_strings = false) {
    PropertyValues top, props;
    bool has_props = false, top_is_plain = true;
    if (!take('{')) return std::nullopt;
    if (!take('}')) {
      do {
        auto key = string();
        if (!key || !take(':')) return std::nullopt;
        if (*key == "properties") {
          props.clear();
          if (!properties(props)) return std::nullopt;
          has_props = true;
        } else if (peek() == '"') {
          auto value = string();
          if (!value) return std::nullopt;
          top.insert_or_assign(std::move(*key), std::move(*value));
        } else if (digits()) {
          top_is_plain = false;  // config_version: fine beside properties
        } else {
          return std::nullopt;
        }
      } while (take(','));
      if (!take('}')) return std::nullopt;
    }
    blanks();
    if (m_i != m_s.size()) return std::nullopt;
    if (top_strings) return top;
    if (has_props) return props;
    if (top_is_plain) return top;
    return std::nullopt;
  }

 private:
  bool properties(PropertyValues& out) {
    if (!take('{')) return false;
    if (take('}')) return true;
    do {
      auto key = string();
      if (!key || !take(':')) return false;
      if (peek() == 'n') {
        if (m_s.substr(m_i, 4) != "null") return false;
        m_i += 4;
        out.erase(*key);  // a later null hides an earlier value, as in nlohmann
        continue;
      }
      auto value = string();
      if (!value) return false;
      out.insert_or_assign(std::move(*key), std::move(*value));
    } while (take(','));
    return take('}');
  }

  void blanks() {
    while (m_i < m_s.size() && (m_s[m_i] == ' ' || m_s[m_i] == '\n' || m_s[m_i] == '\t' || m_s[m_i] == '\r')) ++m_i;
  }
  char peek() {
    blanks();
    return m_i < m_s.size() ? m_s[m_i] : '\0';
  }
  bool take(char c) {
    if (peek() != c) return false;
    ++m_i;
    return true;
  }
  bool digits() {
    blanks();
    const size_t start = m_i;
    while (m_i < m_s.size() && m_s[m_i] >= '0' && m_s[m_i] <= '9') ++m_i;
    return m_i > start && (m_i - start == 1 || m_s[start] != '0');
  }

  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // ASCII only: other text goes to nlohmann, which validates UTF-8.
  std::optional<std::string> string() {
    if (!take('"')) return std::nullopt;
    std::string out;
    while (m_i < m_s.size()) {
      const char c = m_s[m_i++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x80) return std::nullopt;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (m_i >= m_s.size()) return std::nullopt;
      const char e = m_s[m_i++];
      if (const char plain = json_escaped(e)) {
        out += plain;
        continue;
      }
      if (e != 'u' || m_i + 4 > m_s.size()) return std::nullopt;
      int code = 0;
      for (int k = 0; k < 4; ++k) {
        const int h = hex(m_s[m_i++]);
        if (h < 0) return std::nullopt;
        code = code * 16 + h;
      }
      if (code >= 0x80) return std::nullopt;
      out += static_cast<char>(code);
    }
    return std::nullopt;
  }

  std::string_view m_s;
  size_t m_i = 0;
};

}  // namespace

std::optional<PropertyValues> parse_plain_config(std::string_view text) { return PlainReader(text).document(); }

std::optional<PropertyValues> parse_plain_strings(std::string_view text) { return PlainReader(text).document(true); }

}  // namespace iocell::core
