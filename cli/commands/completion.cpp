// iocell completion bash|zsh|fish: shell completion generated from the
// command table (subcommands, their flags and name=value keys, read from
// each synopsis) and the property table (names, and the values of on/off,
// yes/no, 0/1 and enum properties). Jail names and releases change, so the
// scripts ask `iocell __complete jails|releases`, which reads the state root
// and nothing else.
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include <iocell/core/context.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/inventory.hpp>
#include <iocell/core/properties.hpp>

#include "../command.hpp"

namespace iocell::cli {
namespace {

// What a synopsis says a command takes.
struct Shape {
  std::string name;
  std::vector<std::string> aliases;
  std::string summary;
  std::vector<std::string> flags;
  std::map<std::string, std::vector<std::string>> flag_values;  ///< flags taking a value: its literal choices
  std::vector<std::string> words;  ///< literal words: all, state, ALL, default, start, ...
  std::vector<std::string> keys;   ///< name= keys named in the synopsis: release, tag, ...
  bool jails = false, props = false, prop_names = false, commands = false;
};

bool is_placeholder(const std::string& w) {
  if (w == "command" || w == "argument" || w == "property" || w == "value") return true;
  const bool upper = std::any_of(w.begin(), w.end(), [](char c) { return std::isupper(static_cast<unsigned char>(c)); });
  const bool lower = std::any_of(w.begin(), w.end(), [](char c) { return std::islower(static_cast<unsigned char>(c)); });
  return upper && !lower && w != "ALL";
}

void add_unique(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

Shape shape_of(const CommandSpec& c) {
  Shape s{c.name, {}, c.summary, {}, {}, {}, {}};
  for (const auto& a : c.aliases)
    if (a[0] != '-') s.aliases.push_back(a);
  // Tokens: '[', ']', '|' and words; a quoted value stays one word.
  std::vector<std::string> toks;
  std::string cur;
  bool quoted = false;
  for (char ch : synopsis(c) + " ") {
    if (ch == '"') quoted = !quoted;
    if (!quoted && (ch == ' ' || ch == '[' || ch == ']' || ch == '|')) {
      if (!cur.empty()) toks.push_back(cur);
      cur.clear();
      if (ch != ' ') toks.push_back(std::string(1, ch));
    } else {
      cur += ch;
    }
  }
  int depth = 0;
  std::string open_flag;  // a flag inside brackets takes the words after it
  for (const auto& t : toks) {
    if (t == "[") {
      ++depth;
      open_flag.clear();
    } else if (t == "]") {
      --depth;
      open_flag.clear();
    } else if (t == "|") {
      continue;
    } else if (t.size() > 1 && t[0] == '-') {
      add_unique(s.flags, t);
      open_flag = depth > 0 ? t : "";
    } else if (!open_flag.empty()) {
      auto& vals = s.flag_values[open_flag];
      if (!is_placeholder(t) && t != "...") vals.push_back(t);
    } else if (auto eq = t.find('='); eq != std::string::npos && eq > 0) {
      const std::string key = t.substr(0, eq);
      if (is_placeholder(key)) s.props = true;
      else add_unique(s.keys, key);
    } else if (t.rfind("TARGET", 0) == 0 || t.rfind("SOURCE", 0) == 0) {
      s.jails = true;
    } else if (t == "PROPERTY") {
      s.prop_names = true;
    } else if (t == "COMMAND") {
      s.commands = true;
    } else if (!is_placeholder(t) && t != "..." && t != c.name) {
      add_unique(s.words, t);
    }
  }
  // create names release= and tag= and takes any property=value as well.
  if (s.props) {
    s.keys.erase(std::remove_if(s.keys.begin(), s.keys.end(),
                                [](const std::string& k) {
                                  const core::PropertyDef* d = core::find_property(k);
                                  return d && d->type != core::PropType::ReadOnly;
                                }),
                 s.keys.end());
  }
  return s;
}

std::vector<Shape> shapes() {
  std::vector<Shape> out;
  for (const auto& c : CommandTable::instance().all())
    if (c.name.rfind("__", 0) != 0) out.push_back(shape_of(c));
  return out;
}

/// Values a property takes that a shell can offer; "@releases" asks iocell.
std::vector<std::string> values_of(const core::PropertyDef& d) {
  switch (d.type) {
    case core::PropType::OnOff: return {"on", "off"};
    case core::PropType::YesNo: return {"yes", "no"};
    case core::PropType::Flag: return {"0", "1"};
    case core::PropType::Enum: return std::vector<std::string>(d.choices.begin(), d.choices.end());
    case core::PropType::Release: return {"@releases"};
    default: return {};
  }
}

/// Property names grouped by the values they take.
std::map<std::vector<std::string>, std::vector<std::string>> value_groups() {
  std::map<std::vector<std::string>, std::vector<std::string>> g;
  for (const auto& d : core::property_table()) {
    if (d.type == core::PropType::ReadOnly) continue;
    auto v = values_of(d);
    if (!v.empty()) g[v].emplace_back(d.name);
  }
  return g;
}

std::string join(const std::vector<std::string>& v, const std::string& sep = " ") {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

std::vector<std::string> settable_props() {
  std::vector<std::string> v;
  for (const auto& d : core::property_table())
    if (d.type != core::PropType::ReadOnly) v.emplace_back(d.name);
  return v;
}
std::vector<std::string> all_props() {
  std::vector<std::string> v;
  for (const auto& d : core::property_table()) v.emplace_back(d.name);
  return v;
}
std::vector<std::string> command_names(const std::vector<Shape>& sh) {
  std::vector<std::string> v;
  for (const auto& s : sh) {
    v.push_back(s.name);
    for (const auto& a : s.aliases) v.push_back(a);
  }
  return v;
}

const char* kHeader = "completion for iocell(8). Generated by `iocell completion ";
const char* kGlobalFlags = "--root --storage --dry-run -n -v -q --help --version";


// Shell words of a command's case arm: the variables the scripts test.
struct Arm {
  std::string flags, words, keys, kinds;
};
Arm arm_of(const Shape& s) {
  Arm a{join(s.flags), join(s.words), join(s.keys), ""};
  std::vector<std::string> kinds;
  if (s.jails) kinds.push_back("jails");
  if (s.props) kinds.push_back("assign");
  if (s.prop_names) kinds.push_back("propnames");
  if (s.commands) kinds.push_back("commands");
  a.kinds = join(kinds);
  return a;
}

std::string bash_script() {
  const auto sh = shapes();
  std::ostringstream o;
  o << "# bash " << kHeader << "bash`; do not edit.\n"
    << "# Use: source it from ~/.bashrc, or install it as\n"
    << "# /usr/local/share/bash-completion/completions/iocell.\n\n"
    << "_iocell_commands=\"" << join(command_names(sh)) << "\"\n"
    << "_iocell_props=\"" << join(settable_props()) << "\"\n"
    << "_iocell_all_props=\"" << join(all_props()) << "\"\n\n";
  o << R"SH(# iocell __complete KIND, for the --root given on the command line.
_iocell_ask() {
    if [[ -n $_iocell_root ]]; then
        iocell --root "$_iocell_root" __complete "$1" 2>/dev/null
    else
        iocell __complete "$1" 2>/dev/null
    fi
}

_iocell_values() {
    case $1 in
)SH";
  for (const auto& [vals, names] : value_groups()) {
    o << "        " << join(names, "|") << ")\n            ";
    if (vals == std::vector<std::string>{"@releases"}) o << "_iocell_ask releases ;;\n";
    else o << "printf '%s\\n' " << join(vals) << " ;;\n";
  }
  o << R"SH(    esac
}

# COMPREPLY = the arguments that start with $cur. Nothing is expanded:
# jail tags are not trusted to be free of shell syntax.
_iocell_reply() {
    local w i strip bcur=${COMP_WORDS[COMP_CWORD]}
    COMPREPLY=()
    for w in "$@"; do
        [[ $w == "$cur"* ]] && COMPREPLY+=("$w")
    done
    if (( ${#COMPREPLY[@]} == 1 )) && [[ ${COMPREPLY[0]} == *= ]]; then
        compopt -o nospace 2>/dev/null
    fi
    # Bash replaces only what follows the last '=' or ':' of the word
    # (COMP_WORDBREAKS), so the replies lose what comes before it.
    if [[ $cur != "$bcur" && $cur == *"$bcur" ]]; then
        strip=${cur%"$bcur"}
        COMPREPLY=("${COMPREPLY[@]#"$strip"}")
    fi
    for i in "${!COMPREPLY[@]}"; do
        if [[ ${COMPREPLY[i]} == *[!A-Za-z0-9_.:@%+,=/-]* ]]; then
            printf -v "COMPREPLY[$i]" %q "${COMPREPLY[i]}"
        fi
    done
}

_iocell() {
    local line=${COMP_LINE:0:COMP_POINT} cur prev cmd="" _iocell_root="" i n
    local -a w
    read -r -a w <<< "$line"
    [[ $line == *[[:space:]] ]] && w+=("")
    n=$(( ${#w[@]} - 1 ))
    cur=${w[n]}
    prev=${w[n-1]}
    for (( i = 1; i < n; i++ )); do
        case ${w[i]} in
            --root) _iocell_root=${w[i+1]}; (( i++ )) ;;
            --root=*) _iocell_root=${w[i]#--root=} ;;
            --storage) (( i++ )) ;;
            -*) ;;
            *) cmd=${w[i]}; break ;;
        esac
    done
    if [[ -z $cmd ]]; then
        case $prev in
            --root) mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return ;;
            --storage) _iocell_reply zfs btrfs dir; return ;;
        esac
        if [[ $cur == -* ]]; then
)SH";
  o << "            _iocell_reply " << kGlobalFlags << "\n";
  o << R"SH(        else
            _iocell_reply $_iocell_commands
        fi
        return
    fi
    local flags="" words="" keys="" kinds=""
    case $cmd in
)SH";
  for (const auto& s : sh) {
    const Arm a = arm_of(s);
    std::vector<std::string> names = {s.name};
    names.insert(names.end(), s.aliases.begin(), s.aliases.end());
    o << "        " << join(names, "|") << ") flags=\"" << a.flags << "\"; words=\"" << a.words << "\"; keys=\"" << a.keys
      << "\"; kinds=\"" << a.kinds << "\" ;;\n";
  }
  o << "    esac\n    case \"$cmd $prev\" in\n";
  for (const auto& s : sh) {
    for (const auto& [flag, vals] : s.flag_values) {
      o << "        \"" << s.name << " " << flag << "\") ";
      if (vals.empty()) o << "return ;;\n";
      else o << "_iocell_reply " << join(vals) << "; return ;;\n";
    }
  }
  o << R"SH(    esac
    if [[ $cur == -* ]]; then
        _iocell_reply $flags
        return
    fi
    local k
    local -a vals cands
    if [[ $cur == *=* && ( -n $keys || $kinds == *assign* ) ]]; then
        k=${cur%%=*}
        mapfile -t vals < <(_iocell_values "$k")
        (( ${#vals[@]} )) && _iocell_reply "${vals[@]/#/$k=}"
        return
    fi
    read -r -a cands <<< "$words"
    [[ $kinds == *jails* ]] && mapfile -t -O "${#cands[@]}" cands < <(_iocell_ask jails)
    [[ $kinds == *propnames* ]] && cands+=($_iocell_all_props)
    [[ $kinds == *commands* ]] && cands+=($_iocell_commands)
    for k in $keys; do cands+=("$k="); done
    if [[ $kinds == *assign* ]]; then
        for k in $_iocell_props; do cands+=("$k="); done
    fi
    _iocell_reply "${cands[@]}"
}

complete -F _iocell iocell
)SH";
  return o.str();
}

std::string zsh_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string zsh_script() {
  const auto sh = shapes();
  std::ostringstream o;
  o << "#compdef iocell\n# zsh " << kHeader << "zsh`; do not edit.\n"
    << "# Use: install it as _iocell in a directory of $fpath, or source it after compinit.\n\n";
  o << R"SH(# iocell __complete KIND, for the --root given on the command line.
_iocell_ask() {
  local -a root
  [[ -n $_iocell_root ]] && root=(--root $_iocell_root)
  iocell $root __complete $1 2>/dev/null
}

_iocell_values() {
  case $1 in
)SH";
  for (const auto& [vals, names] : value_groups()) {
    o << "    (" << join(names, "|") << ") ";
    if (vals == std::vector<std::string>{"@releases"}) o << "reply=(${(f)\"$(_iocell_ask releases)\"}) ;;\n";
    else o << "reply=(" << join(vals) << ") ;;\n";
  }
  o << "    (*) reply=() ;;\n  esac\n}\n\n_iocell() {\n  local -a commands props allprops\n  commands=(\n";
  for (const auto& s : sh) {
    o << "    " << zsh_quote(s.name + ":" + s.summary) << "\n";
    for (const auto& a : s.aliases) o << "    " << zsh_quote(a + ":" + s.summary) << "\n";
  }
  o << "  )\n  props=(" << join(settable_props()) << ")\n  allprops=(" << join(all_props()) << ")\n";
  o << R"SH(  local cmd _iocell_root i=2
  while (( i < CURRENT )); do
    case ${words[i]} in
      (--root) _iocell_root=${words[i+1]}; (( i++ )) ;;
      (--root=*) _iocell_root=${words[i]#--root=} ;;
      (--storage) (( i++ )) ;;
      (-*) ;;
      (*) cmd=${words[i]}; break ;;
    esac
    (( i++ ))
  done
  if [[ -z $cmd ]]; then
    case ${words[CURRENT-1]} in
      (--root) _files -/; return ;;
      (--storage) compadd zfs btrfs dir; return ;;
    esac
    if [[ $PREFIX == -* ]]; then
)SH";
  o << "      compadd -- " << kGlobalFlags << "\n";
  o << R"SH(    else
      _describe -t commands 'iocell command' commands
    fi
    return
  fi
  local -a flags cwords keys
  local kinds
  case $cmd in
)SH";
  for (const auto& s : sh) {
    const Arm a = arm_of(s);
    std::vector<std::string> names = {s.name};
    names.insert(names.end(), s.aliases.begin(), s.aliases.end());
    o << "    (" << join(names, "|") << ") flags=(" << a.flags << "); cwords=(" << a.words << "); keys=(" << a.keys
      << "); kinds=\"" << a.kinds << "\" ;;\n";
  }
  o << "  esac\n  case \"$cmd ${words[CURRENT-1]}\" in\n";
  for (const auto& s : sh) {
    for (const auto& [flag, vals] : s.flag_values) {
      o << "    (\"" << s.name << " " << flag << "\") ";
      if (!vals.empty()) o << "compadd -- " << join(vals) << "; ";
      o << "return ;;\n";
    }
  }
  o << R"SH(  esac
  if [[ $PREFIX == -* ]]; then
    compadd -- $flags
    return
  fi
  if [[ $PREFIX == *=* && ( ${#keys} -gt 0 || $kinds == *assign* ) ]]; then
    local -a reply
    _iocell_values ${PREFIX%%=*}
    compset -P '*='
    compadd -- $reply
    return
  fi
  compadd -- $cwords
  [[ $kinds == *jails* ]] && compadd -- ${(f)"$(_iocell_ask jails)"}
  [[ $kinds == *propnames* ]] && compadd -- $allprops
  [[ $kinds == *commands* ]] && compadd -- ${commands%%:*}
  (( ${#keys} )) && compadd -S '=' -- $keys
  [[ $kinds == *assign* ]] && compadd -S '=' -- $props
  return 0
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _iocell "$@"
else
  compdef _iocell iocell
fi
)SH";
  return o.str();
}

std::string fish_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string fish_script() {
  const auto sh = shapes();
  std::ostringstream o;
  o << "# fish " << kHeader << "fish`; do not edit.\n"
    << "# Use: install it as ~/.config/fish/completions/iocell.fish.\n\n";
  o << R"SH(# The subcommand: the first word after iocell that is no global option.
function __iocell_cmd
    set -l toks (commandline -opc)
    set -e toks[1]
    set -l skip 0
    for t in $toks
        if test $skip = 1
            set skip 0
            continue
        end
        switch $t
            case --root --storage
                set skip 1
            case '-*'
            case '*'
                echo $t
                return 0
        end
    end
    return 1
end

function __iocell_using
    set -l c (__iocell_cmd)
    and contains -- $c $argv
end

# iocell __complete KIND, for the --root given on the command line.
function __iocell_ask
    set -l toks (commandline -opc)
    set -l root
    for i in (seq (count $toks))
        switch $toks[$i]
            case --root
                set -l j (math $i + 1)
                test $j -le (count $toks); and set root --root $toks[$j]
            case '--root=*'
                set root --root (string replace -- --root= '' $toks[$i])
        end
    end
    iocell $root __complete $argv[1] 2>/dev/null
end

function __iocell_values
    switch $argv[1]
)SH";
  for (const auto& [vals, names] : value_groups()) {
    o << "        case " << join(names) << "\n            ";
    if (vals == std::vector<std::string>{"@releases"}) o << "__iocell_ask releases\n";
    else o << "printf '%s\\n' " << join(vals) << "\n";
  }
  o << R"SH(    end
end

# name= for the keys given, or name=value when the word already has a '='.
function __iocell_assign
    set -l tok (commandline -ct)
    if string match -q -- '*=*' $tok
        set -l key (string split -m 1 = -- $tok)[1]
        for v in (__iocell_values $key)
            echo "$key=$v"
        end
    else
        printf '%s=\n' $argv
    end
end

complete -c iocell -f
complete -c iocell -n 'not __iocell_cmd' -l root -x -a '(__fish_complete_directories)' -d 'state root'
complete -c iocell -n 'not __iocell_cmd' -l storage -x -a 'zfs btrfs dir' -d 'storage backend of a new root'
complete -c iocell -n 'not __iocell_cmd' -l dry-run -d 'print the commands, change nothing'
complete -c iocell -n 'not __iocell_cmd' -s n -d 'print the commands, change nothing'
complete -c iocell -n 'not __iocell_cmd' -s v -d 'debug output'
complete -c iocell -n 'not __iocell_cmd' -s q -d 'errors only'
)SH";
  const std::string settable = join(settable_props());
  for (const auto& s : sh) {
    std::vector<std::string> names = {s.name};
    names.insert(names.end(), s.aliases.begin(), s.aliases.end());
    for (const auto& n : names) o << "complete -c iocell -n 'not __iocell_cmd' -a " << n << " -d " << fish_quote(s.summary) << "\n";
    const std::string when = "-n '__iocell_using " + join(names) + "'";
    for (const auto& f : s.flags) {
      o << "complete -c iocell " << when << (f.compare(0, 2, "--") == 0 ? " -l " + f.substr(2) : " -s " + f.substr(1));
      auto fv = s.flag_values.find(f);
      if (fv != s.flag_values.end()) o << " -x" << (fv->second.empty() ? "" : " -a " + fish_quote(join(fv->second)));
      o << "\n";
    }
    if (!s.words.empty()) o << "complete -c iocell " << when << " -a " << fish_quote(join(s.words)) << "\n";
    if (s.jails) o << "complete -c iocell " << when << " -a '(__iocell_ask jails)'\n";
    if (s.prop_names) o << "complete -c iocell " << when << " -a " << fish_quote(join(all_props())) << "\n";
    if (s.commands) o << "complete -c iocell " << when << " -a " << fish_quote(join(command_names(sh))) << "\n";
    if (s.props || !s.keys.empty())
      o << "complete -c iocell " << when << " -a '(__iocell_assign " << join(s.keys) << (s.props ? " " + settable : "") << ")'\n";
  }
  return o.str();
}

int completion_command(Invocation& inv) {
  if (inv.args.size() != 1) throw core::UsageError("usage: iocell completion bash|zsh|fish");
  const std::string& shell = inv.args[0];
  if (shell == "bash") inv.ctx.out() << bash_script();
  else if (shell == "zsh") inv.ctx.out() << zsh_script();
  else if (shell == "fish") inv.ctx.out() << fish_script();
  else throw core::UsageError("no completion for shell '" + shell + "': allowed: bash, zsh or fish");
  return 0;
}

// Read-only and quick: completion runs at every TAB.
int complete_command(Invocation& inv) {
  if (inv.args.size() != 1) throw core::UsageError("usage: iocell __complete jails|releases");
  std::set<std::string> out;
  if (inv.args[0] == "jails") {
    for (const auto& j : inv.ctx.inventory().all()) {
      if (!j.tag().empty()) out.insert(j.tag());
      out.insert(j.uuid);
    }
  } else if (inv.args[0] == "releases") {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(inv.ctx.root() / "releases", ec)) {
      const std::string name = e.path().filename().string();
      if (!name.empty() && name[0] != '.' && std::filesystem::is_directory(e.path() / "root", ec)) out.insert(name);
    }
  } else {
    throw core::UsageError("__complete: unknown kind '" + inv.args[0] + "': allowed: jails or releases");
  }
  for (const auto& s : out) inv.ctx.out() << s << "\n";
  return 0;
}

IOCELL_COMMAND({"completion", "bash|zsh|fish", "print a shell completion script for bash, zsh or fish",
                completion_command, {}, true, true});
IOCELL_COMMAND({"__complete", "jails|releases", "print jail tags and UUIDs, or fetched releases, for shell completion",
                complete_command, {}, false, true});

}  // namespace
}  // namespace iocell::cli
