// A CommandRunner for tests: it expects an exact argv sequence and answers
// with canned output. Any unexpected command fails with the full argv.
//
// Transcript files (tests/transcripts/*.txt) are readable text:
//
//   # comment
//   $ zfs list -H -p -o name tank/iocell      <- one expected command
//   > tank/iocell                              <- a line of its stdout
//   ! cannot open 'x': dataset does not exist  <- a line of its stderr
//   ? 1                                        <- its exit status (default 0)
//   < rdr on em0 inet proto tcp ...            <- a line it must get on stdin
//
// Words on a '$' line are split on blanks; single quotes group a word with
// blanks ('exec.prestart=/usr/bin/true x'), as format_argv() prints them.
// ${NAME} is replaced by the variables given to the parser (UUID, ROOT, ...).
#pragma once

#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <iocell/sdk/command.hpp>

namespace iocell::sdk::testing {

struct Expectation {
  std::vector<std::string> argv;
  CommandResult result;
  int line = 0;
  /// When set, the command's stdin_data must be exactly this.
  std::optional<std::string> stdin_data;
};

inline std::vector<std::string> split_words(const std::string& line) {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false, quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '\'') {
        if (line.compare(i, 4, "'\\''") == 0) {
          cur += '\'';
          i += 3;
        } else {
          quoted = false;
        }
      } else {
        cur += c;
      }
    } else if (c == '\'') {
      quoted = in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(cur);
      cur.clear();
      in_word = false;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (quoted) throw std::runtime_error("unterminated quote in transcript line: " + line);
  if (in_word) words.push_back(cur);
  return words;
}

inline std::string substitute(std::string text, const std::map<std::string, std::string>& vars) {
  for (const auto& [name, value] : vars) {
    const std::string key = "${" + name + "}";
    for (size_t pos = text.find(key); pos != std::string::npos; pos = text.find(key, pos + value.size()))
      text.replace(pos, key.size(), value);
  }
  return text;
}

inline std::vector<Expectation> parse_transcript(std::istream& in, const std::map<std::string, std::string>& vars = {}) {
  std::vector<Expectation> out;
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty() || line[0] == '#') continue;
    std::string body = line.size() > 2 ? substitute(line.substr(2), vars) : std::string();
    switch (line[0]) {
      case '$':
        out.push_back(Expectation{split_words(body), {}, lineno, std::nullopt});
        break;
      case '<':
        if (out.empty()) throw std::runtime_error("transcript line " + std::to_string(lineno) + ": input before any command");
        out.back().stdin_data = out.back().stdin_data.value_or("") + body + "\n";
        break;
      case '>':
      case '!':
      case '?':
        if (out.empty()) throw std::runtime_error("transcript line " + std::to_string(lineno) + ": output before any command");
        if (line[0] == '>') out.back().result.out += body + "\n";
        else if (line[0] == '!') out.back().result.err += body + "\n";
        else out.back().result.exit_code = std::stoi(body);
        break;
      default:
        throw std::runtime_error("transcript line " + std::to_string(lineno) + ": unknown marker: " + line);
    }
  }
  return out;
}

inline std::vector<Expectation> load_transcript(const std::string& path, const std::map<std::string, std::string>& vars = {}) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open transcript " + path);
  return parse_transcript(in, vars);
}

class ScriptedRunner : public CommandRunner {
 public:
  ScriptedRunner() = default;
  explicit ScriptedRunner(std::vector<Expectation> script) : m_script(std::move(script)) {}

  void expect(std::vector<std::string> argv, std::string out = "", int exit_code = 0, std::string err = "") {
    Expectation e;
    e.argv = std::move(argv);
    e.result.out = std::move(out);
    e.result.err = std::move(err);
    e.result.exit_code = exit_code;
    m_script.push_back(std::move(e));
  }

  CommandResult run(const Command& cmd) override {
    m_seen.push_back(cmd);
    if (m_next >= m_script.size()) fail("unexpected command (script finished): " + format_argv(cmd.argv));
    const Expectation& want = m_script[m_next];
    if (cmd.argv != want.argv) {
      fail("unexpected command #" + std::to_string(m_next + 1) + "\n  got:      " + format_argv(cmd.argv) +
           "\n  expected: " + format_argv(want.argv) +
           (want.line ? " (transcript line " + std::to_string(want.line) + ")" : std::string()));
    }
    if (want.stdin_data && cmd.stdin_data.value_or("") != *want.stdin_data) {
      fail("unexpected input of " + format_argv(cmd.argv) + "\n  got:\n" + cmd.stdin_data.value_or("") +
           "  expected:\n" + *want.stdin_data);
    }
    ++m_next;
    return want.result;
  }

  /// Every expected command ran.
  bool done() const { return m_next == m_script.size(); }
  std::string remaining() const {
    std::string s;
    for (size_t i = m_next; i < m_script.size(); ++i) s += "  " + format_argv(m_script[i].argv) + "\n";
    return s;
  }
  const std::vector<Command>& seen() const { return m_seen; }
  const std::vector<std::string>& failures() const { return m_failures; }

 private:
  [[noreturn]] void fail(const std::string& why) {
    m_failures.push_back(why);
    throw std::runtime_error(why);
  }

  std::vector<Expectation> m_script;
  size_t m_next = 0;
  std::vector<Command> m_seen;
  std::vector<std::string> m_failures;
};

}  // namespace iocell::sdk::testing
