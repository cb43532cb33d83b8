// iocell __manpage: the mdoc(7) page iocell(8), generated from the command
// table and the property table so that it never drifts from the binary.
// docs/iocell.8 is its committed output (tests/e2e/docs_manpage_test.cpp
// fails when they differ).
#include <algorithm>
#include <cctype>
#include <ostream>
#include <sstream>

#include <iocell/core/properties.hpp>
#include <iocell/support/rctl.hpp>

#include "../command.hpp"
#include "../exit_codes.hpp"
#include "manpage_text.hpp"

namespace iocell::cli {
namespace {

// .Dd of the page. The output must not depend on the day it is generated;
// change this with the hand-written text below.
constexpr const char* kPageDate = "November 29, 2025";

bool is_macro_name(const std::string& s) {
  return s.size() >= 2 && s.size() <= 3 && std::isupper(static_cast<unsigned char>(s[0])) &&
         std::all_of(s.begin() + 1, s.end(), [](char c) { return std::islower(static_cast<unsigned char>(c)); });
}

// One argument of a macro line.
std::string arg(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') out += "\\e";
    else if (c == '"') out += "\\(dq";
    else out += c;
  }
  if (is_macro_name(s)) out = "\\&" + out;
  if (out.find(' ') != std::string::npos || out.find('\t') != std::string::npos) out = "\"" + out + "\"";
  return out;
}

// A line of running text.
std::string text_line(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '\\' ? std::string("\\e") : std::string(1, c);
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out = "\\&" + out;
  return out;
}

struct Tok {
  enum Kind { Open, Close, Bar, Word } kind;
  std::string text;
  bool spaced;  ///< whitespace before it
};

std::vector<Tok> lex(const std::string& s) {
  std::vector<Tok> out;
  bool spaced = true;
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == ' ') {
      spaced = true;
      ++i;
      continue;
    }
    if (c == '[' || c == ']' || c == '|') {
      out.push_back({c == '[' ? Tok::Open : c == ']' ? Tok::Close : Tok::Bar, std::string(1, c), spaced});
      ++i;
    } else {
      std::string w;
      while (i < s.size() && s[i] != ' ' && s[i] != '[' && s[i] != ']' && s[i] != '|') {
        if (s[i] == '"') {
          size_t close = s.find('"', i + 1);
          if (close == std::string::npos) close = s.size() - 1;
          w += s.substr(i, close - i + 1);
          i = close + 1;
        } else {
          w += s[i++];
        }
      }
      out.push_back({Tok::Word, w, spaced});
    }
    spaced = false;
  }
  return out;
}

bool placeholder(const std::string& w) {
  static const std::vector<std::string> lower = {"command", "argument", "property", "value"};
  if (std::find(lower.begin(), lower.end(), w) != lower.end()) return true;
  const bool upper = std::any_of(w.begin(), w.end(), [](char c) { return std::isupper(static_cast<unsigned char>(c)); });
  const bool lowercase = std::any_of(w.begin(), w.end(), [](char c) { return std::islower(static_cast<unsigned char>(c)); });
  return upper && !lowercase && w != "ALL";
}

std::string value_word(const std::string& v) {
  if (placeholder(v)) return "Ar " + arg(v);
  if (!v.empty() && v[0] == '/') return "Pa " + arg(v);
  return "Li " + arg(v);
}

std::string word_macros(const std::string& w) {
  if (w == "...") return "No ...";
  if (w.size() > 1 && w[0] == '-') return "Fl " + arg(w.substr(1));
  if (w.size() > 1 && w[0] == '@') return "Li @ Ns " + word_macros(w.substr(1));
  const size_t eq = w.find('=');
  if (eq != std::string::npos && eq > 0) {
    const std::string key = w.substr(0, eq), val = w.substr(eq + 1);
    std::string out = (placeholder(key) ? "Ar " : "Cm ") + arg(key) + " Ns =";
    if (val.size() >= 2 && val.front() == '"' && val.back() == '"') {
      out += " Ns Qo";
      std::string inner = val.substr(1, val.size() - 2), cur;
      for (char c : inner + " ") {
        if (c == ' ') {
          if (!cur.empty()) out += " " + value_word(cur);
          cur.clear();
        } else {
          cur += c;
        }
      }
      return out + " Qc";
    }
    return val.empty() ? out : out + " Ns " + value_word(val);
  }
  return (placeholder(w) ? "Ar " : "Cm ") + arg(w);
}

// "get PROPERTY|all|state TARGET | get -r PROPERTY" -> one synopsis per
// form: a top-level " | " followed by the command name starts another.
std::vector<std::string> forms(const CommandSpec& c) {
  std::vector<std::string> out;
  const std::string s = synopsis(c);
  size_t start = 0;
  int depth = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '[') ++depth;
    else if (s[i] == ']') --depth;
    else if (depth == 0 && s.compare(i, 3, " | ") == 0 && s.compare(i + 3, c.name.size() + 1, c.name + " ") == 0) {
      out.push_back(s.substr(start, i - start));
      start = i + 3;
    }
  }
  out.push_back(s.substr(start));
  return out;
}

// The mdoc lines of one synopsis form: ".Nm", ".Cm name", then the rest.
std::vector<std::string> synopsis_lines(const std::string& name, const std::string& form) {
  std::vector<std::string> lines = {".Nm", ".Cm " + arg(name)};
  const std::string rest = form.compare(0, name.size(), name) == 0 ? form.substr(name.size()) : form;
  std::string line;
  bool first = true;
  for (const auto& t : lex(rest)) {
    std::string m = t.kind == Tok::Open ? "Oo" : t.kind == Tok::Close ? "Oc" : t.kind == Tok::Bar ? "|" : word_macros(t.text);
    if (!first && !t.spaced && t.kind != Tok::Close) m = "Ns " + m;
    if (!first && !t.spaced && t.kind == Tok::Close) m = "Oc";
    line += (first ? "." : " ") + m;
    first = false;
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

bool visible(const CommandSpec& c) { return c.name.rfind("__", 0) != 0; }

// A help text as a sentence: a final period, and a capital unless it
// starts with a name ("host.hostname", "ip4", "thickjail, ...", "yes").
std::string sentence(std::string s) {
  const std::string first = s.substr(0, s.find_first_of(" ,:;("));
  const bool plain_word = !first.empty() && std::all_of(first.begin(), first.end(), [](char c) { return c >= 'a' && c <= 'z'; });
  const bool name = first == "yes" || first == "no" || (first.size() > 4 && first.compare(first.size() - 4, 4, "jail") == 0);
  if (plain_word && !name) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  if (!s.empty() && s.back() != '.') s += '.';
  return s;
}

// mandoc -Tlint style: text lines of at most 80 bytes, and the OS name as
// the .Fx macro. Macro lines and comments pass unchanged.
std::string finish_page(const std::string& page) {
  std::string out;
  size_t start = 0;
  while (start < page.size()) {
    size_t end = page.find('\n', start);
    const std::string line = page.substr(start, end - start);
    start = end == std::string::npos ? page.size() : end + 1;
    if (!line.empty() && line[0] == '.') {
      out += line + "\n";
      continue;
    }
    std::vector<std::string> words;
    std::string cur;
    for (char c : line + " ") {
      if (c != ' ') cur += c;
      else if (!cur.empty()) words.push_back(std::move(cur)), cur.clear();
    }
    std::string text;
    auto flush = [&] {
      if (!text.empty()) out += (text[0] == '.' || text[0] == '\'' ? "\\&" : "") + text + "\n";
      text.clear();
    };
    for (const auto& w : words) {
      if (w.rfind("FreeBSD", 0) == 0 && w.find_first_not_of(".,;:)", 7) == std::string::npos) {
        flush();
        out += ".Fx";
        for (size_t i = 7; i < w.size(); ++i) out += std::string(" ") + w[i];
        out += "\n";
        continue;
      }
      if (!text.empty() && text.size() + 1 + w.size() > 80) flush();
      text += (text.empty() ? "" : " ") + w;
    }
    flush();
  }
  return out;
}

void put(std::ostream& out, const char* block) { out << block; }

void commands_section(std::ostream& out) {
  out << ".Sh COMMANDS\n.Bl -tag -width Ds\n";
  for (const auto& c : CommandTable::instance().all()) {
    if (!visible(c)) continue;
    for (const auto& f : forms(c)) {
      out << ".It Xo\n";
      for (const auto& l : synopsis_lines(c.name, f)) out << l << "\n";
      out << ".Xc\n";
    }
    out << text_line(sentence(c.summary)) << "\n";
    if (auto it = command_details().find(c.name); it != command_details().end()) out << it->second;
    for (const auto& a : c.aliases)
      if (a[0] != '-') out << "Also called\n.Cm " << arg(a) << " .\n";
    if (!c.read_only && !c.stateless) out << "Needs root.\n";
  }
  out << ".El\n";
}

std::string live_text(core::LiveChange l) {
  switch (l) {
    case core::LiveChange::Now: return "On a running jail a change applies at once.";
    case core::LiveChange::Restart: return "On a running jail a change applies at the next start.";
    case core::LiveChange::Refused: return "Cannot change while the jail runs.";
  }
  return "";
}

void properties_section(std::ostream& out) {
  out << ".Sh PROPERTIES\n";
  put(out, kPropertiesIntro);
  const std::vector<std::pair<core::PropCategory, const char*>> groups = {
      {core::PropCategory::Iocell, "Identity and bookkeeping"}, {core::PropCategory::Jail, "Jail parameters"},
      {core::PropCategory::Network, "Networking"},              {core::PropCategory::Storage, "Storage"},
      {core::PropCategory::Rctl, "Resource limits"},            {core::PropCategory::Fetch, "Fetching releases"}};
  for (const auto& [cat, title] : groups) {
    out << ".Ss " << title << "\n";
    if (cat == core::PropCategory::Rctl) put(out, kRctlIntro);
    out << ".Bl -tag -width Ds\n";
    for (const auto& d : core::property_table()) {
      if (d.category != cat) continue;
      const std::string name(d.name);
      out << ".It Cm " << arg(name) << "\n";
      std::string_view meaning;
      for (const auto& r : support::kRctlResources)
        if (d.type == core::PropType::Rctl && r.name == name) meaning = r.meaning;
      if (!meaning.empty()) out << meaning << "\n";
      else out << text_line(sentence(std::string(d.help))) << "\n";
      if (d.type == core::PropType::ReadOnly) {
        out << "Read-only.\n";
        continue;
      }
      out << text_line("Values: " + core::allowed_values(d) + ".") << "\n";
      if (d.default_value.empty()) out << "Default: set when the jail is created.\n";
      else out << "Default:\n.Ql " << arg(std::string(d.default_value)) << " .\n";
      out << live_text(d.live) << "\n";
    }
    out << ".El\n";
  }
}

void synopsis_section(std::ostream& out) {
  out << ".Sh SYNOPSIS\n.Nm\n.Op Fl -root Ar DIR\n.Op Fl -storage Ar NAME\n.Op Fl -dry-run | Fl n\n.Op Fl v\n.Op Fl q\n"
         ".Ar command\n.Op Ar argument ...\n";
  for (const auto& c : CommandTable::instance().all()) {
    if (!visible(c)) continue;
    for (const auto& f : forms(c))
      for (const auto& l : synopsis_lines(c.name, f)) out << l << "\n";
  }
}

void exit_section(std::ostream& out) {
  out << ".Sh EXIT STATUS\n.Bl -tag -width Ds\n";
  const std::pair<int, const char*> codes[] = {
      {kExitSuccess, "Success, including nothing to do (a jail that is already up)."},
      {kExitFailure, "The operation failed; the message on standard error says what failed."},
      {kExitUsage, "Bad syntax or an invalid value; nothing was changed."},
      {kExitNotFound, "The target (jail, release, snapshot, command) does not exist."},
      {kExitPartial, "A command over several jails failed for some of them and succeeded for others."}};
  for (const auto& [code, what] : codes) out << ".It " << code << "\n" << what << "\n";
  out << ".El\n";
  put(out, kExitDetails);
}

void examples_section(std::ostream& out) {
  out << ".Sh EXAMPLES\n";
  bool first = true;
  for (const auto& e : examples()) {
    if (!CommandTable::instance().find(e.command)) continue;
    if (!first) out << ".Pp\n";
    first = false;
    out << text_line(e.what) << "\n.Dl " << e.line << "\n";
  }
}

int manpage_command(Invocation& inv) {
  std::ostringstream out;
  out << ".\\\" Generated by `iocell __manpage`; do not edit. Regenerate docs/iocell.8 after changing\n"
         ".\\\" a command or a property (see tests/e2e/docs_manpage_test.cpp).\n";
  out << ".Dd " << kPageDate << "\n.Dt IOCELL 8\n.Os\n.Sh NAME\n.Nm iocell\n.Nd FreeBSD jail manager\n";
  synopsis_section(out);
  put(out, kDescription);
  commands_section(out);
  put(out, kJailTypes);
  put(out, kTargets);
  properties_section(out);
  put(out, kForwarding);
  put(out, kOciRuntime);
  put(out, kMigration);
  put(out, kEnvironment);
  put(out, kFiles);
  exit_section(out);
  examples_section(out);
  put(out, kSeeAlso);
  inv.ctx.out() << finish_page(out.str());
  return 0;
}

IOCELL_COMMAND({"__manpage", "", "print iocell(8) in mdoc(7), generated from the command and property tables",
                manpage_command, {}, true, true});

}  // namespace
}  // namespace iocell::cli
