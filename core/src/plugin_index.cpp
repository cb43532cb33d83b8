#include <iocell/core/plugin_index.hpp>

#include <charconv>

#include <iocell/sdk/plugin.hpp>

namespace iocell::core {

namespace {

constexpr std::string_view kMagic = "iocell-plugin-index";

// One field of a line: no blank, no line break; '%' starts an escape.
// The empty string is "-", so that every field has at least one byte.
void put(std::string& out, std::string_view field) {
  out += ' ';
  if (field.empty() || field == "-") {
    out += field.empty() ? "-" : "%2D";
    return;
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char c : field) {
    if (c == ' ' || c == '%' || c == '\n' || c == '\r' || c == '\t') {
      const auto b = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 15];
    } else {
      out += c;
    }
  }
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> unescape(std::string_view field) {
  if (field == "-") return std::string();
  std::string out;
  out.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '%') {
      out += field[i];
      continue;
    }
    if (i + 2 >= field.size()) return std::nullopt;
    const int hi = hex_digit(field[i + 1]), lo = hex_digit(field[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

// The fields of one line, unescaped; nothing when one is malformed.
std::optional<std::vector<std::string>> fields_of(std::string_view line) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= line.size()) {
    size_t blank = line.find(' ', start);
    if (blank == std::string_view::npos) blank = line.size();
    auto field = unescape(line.substr(start, blank - start));
    if (!field) return std::nullopt;
    out.push_back(std::move(*field));
    start = blank + 1;
  }
  return out;
}

std::string header() {
  std::string h(kMagic);
  put(h, "abi=" + std::to_string(IOCELL_PLUGIN_ABI_VERSION));
  put(h, std::string("toolchain=") + IOCELL_SDK_TOOLCHAIN_ID);
  return h;
}

}  // namespace

const IndexedDir* PluginIndex::dir(std::string_view path) const {
  for (const auto& d : dirs)
    if (d.path == path) return &d;
  return nullptr;
}

const IndexedPlugin* PluginIndex::file(std::string_view path) const {
  for (const auto& d : dirs)
    for (const auto& f : d.files)
      if (f.path == path) return &f;
  return nullptr;
}

std::string serialize_plugin_index(const PluginIndex& index) {
  std::string out = header() + "\n";
  if (!index.exe.empty()) {
    out += "exe";
    put(out, index.exe);
    out += '\n';
  }
  for (const auto& d : index.dirs) {
    out += "dir";
    put(out, d.key);
    put(out, d.path);
    out += '\n';
    for (const auto& f : d.files) {
      if (!f.skipped.empty()) {
        out += "skipped";
        put(out, f.key);
        put(out, f.path);
        put(out, f.skipped);
        out += '\n';
        continue;
      }
      out += "plugin";
      put(out, f.key);
      put(out, std::to_string(f.os));
      put(out, f.name);
      put(out, f.version);
      put(out, f.path);
      out += '\n';
      for (const auto& [kind, name] : f.provides) {
        out += "provides";
        put(out, kind);
        put(out, name);
        out += '\n';
      }
    }
  }
  return out;
}

std::optional<PluginIndex> parse_plugin_index(std::string_view text) {
  const size_t first_end = text.find('\n');
  if (first_end == std::string_view::npos || text.substr(0, first_end) != header()) return std::nullopt;
  PluginIndex index;
  size_t start = first_end + 1;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) return std::nullopt;  // cut short
    auto fields = fields_of(text.substr(start, end - start));
    start = end + 1;
    if (!fields || fields->empty()) return std::nullopt;
    auto& f = *fields;
    const std::string& what = f[0];
    if (what == "exe" && f.size() == 2 && index.dirs.empty() && index.exe.empty()) {
      index.exe = std::move(f[1]);
    } else if (what == "dir" && f.size() == 3) {
      index.dirs.push_back(IndexedDir{std::move(f[2]), std::move(f[1]), {}});
    } else if (what == "plugin" && f.size() == 6 && !index.dirs.empty()) {
      IndexedPlugin p;
      p.key = std::move(f[1]);
      const auto [end_os, err] = std::from_chars(f[2].data(), f[2].data() + f[2].size(), p.os);
      if (err != std::errc() || end_os != f[2].data() + f[2].size()) return std::nullopt;
      p.name = std::move(f[3]);
      p.version = std::move(f[4]);
      p.path = std::move(f[5]);
      if (p.name.empty()) return std::nullopt;
      index.dirs.back().files.push_back(std::move(p));
    } else if (what == "provides" && f.size() == 3 && !index.dirs.empty() && !index.dirs.back().files.empty() &&
               index.dirs.back().files.back().skipped.empty()) {
      index.dirs.back().files.back().provides.emplace_back(std::move(f[1]), std::move(f[2]));
    } else if (what == "skipped" && f.size() == 4 && !index.dirs.empty() && !f[3].empty()) {
      index.dirs.back().files.push_back(IndexedPlugin{std::move(f[2]), std::move(f[1]), std::move(f[3]), {}, {}, 0, {}});
    } else {
      return std::nullopt;
    }
  }
  return index;
}

}  // namespace iocell::core
