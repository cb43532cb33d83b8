#include <iocell/core/value_grammar.hpp>

#include <algorithm>
#include <iterator>

#include <iocell/support/rctl.hpp>

namespace iocell::core::grammar {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// A cursor over the text; each take_* consumes what matches and says how much.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : m_s(s) {}
  bool at_end() const { return m_i == m_s.size(); }
  char peek() const { return at_end() ? '\0' : m_s[m_i]; }
  bool take(char c) {
    if (peek() != c || at_end()) return false;
    ++m_i;
    return true;
  }
  bool take(std::string_view t) {
    if (m_s.substr(m_i, t.size()) != t) return false;
    m_i += t.size();
    return true;
  }
  template <class Pred>
  size_t take_while(Pred pred, size_t max = std::string_view::npos) {
    size_t n = 0;
    while (!at_end() && n < max && pred(m_s[m_i])) ++m_i, ++n;
    return n;
  }
  size_t digits() { return take_while(is_digit); }
  bool ifname() {
    if (!is_alpha(peek())) return false;
    ++m_i;
    take_while([](char c) { return is_alpha(c) || is_digit(c) || c == '_' || c == '.'; }, 14);
    return true;
  }
  size_t pos() const { return m_i; }

 private:
  std::string_view m_s;
  size_t m_i = 0;
};

}  // namespace

bool ifname(std::string_view s) {
  Cursor c(s);
  return c.ifname() && c.at_end();
}

bool hostname(std::string_view s) {
  Cursor c(s);
  if (!c.take_while([](char ch) { return is_alpha(ch) || is_digit(ch) || ch == '_'; }, 1)) return false;
  c.take_while([](char ch) { return is_alpha(ch) || is_digit(ch) || ch == '_' || ch == '.' || ch == '-'; }, 253);
  return c.at_end();
}

bool uuid_prefix(std::string_view s) {
  if (s.empty() || s.size() > 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !(is_digit(s[i]) || (s[i] >= 'a' && s[i] <= 'f'))) return false;
  }
  return true;
}

bool cpu_list(std::string_view s) {
  Cursor c(s);
  do {
    if (!c.digits()) return false;
    if (c.take('-') && !c.digits()) return false;
  } while (c.take(','));
  return c.at_end();
}

bool mac_pair(std::string_view s) {
  Cursor c(s);
  return c.take_while(is_hex, 12) == 12 && c.take(',') && c.take_while(is_hex, 12) == 12 && c.at_end();
}

bool vnet_interfaces(std::string_view s) {
  Cursor c(s);
  do {
    if (!c.take("vnet") || !c.take_while(is_digit, 1) || !c.take(':') || !c.ifname()) return false;
  } while (c.take(','));
  return c.at_end();
}

bool rctl_action(std::string_view s) {
  if (s == "deny" || s == "log" || s == "devctl" || s == "throttle") return true;
  // Only the signals the kernel knows: any other makes the whole `rctl -a` fail.
  return std::find(std::begin(support::kRctlSignalActions), std::end(support::kRctlSignalActions), s) !=
         std::end(support::kRctlSignalActions);
}

std::optional<SizeParts> size(std::string_view s) {
  Cursor c(s);
  if (!c.digits()) return std::nullopt;
  if (c.take('.') && !c.digits()) return std::nullopt;
  const size_t number_end = c.pos();
  char unit = '\0';
  for (const char u : {'K', 'M', 'G', 'T', 'P'}) {
    if (c.take(u) || c.take(static_cast<char>(u - 'A' + 'a'))) {
      unit = u;
      break;
    }
  }
  if (!c.take('B')) c.take('b');
  if (!c.at_end()) return std::nullopt;
  return SizeParts{s.substr(0, number_end), unit};
}

}  // namespace iocell::core::grammar
