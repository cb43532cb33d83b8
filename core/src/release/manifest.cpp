#include <iocell/core/release/manifest.hpp>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace iocell::core {

namespace {

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> fields;
  size_t start = 0;
  for (;;) {
    size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) break;
    start = tab + 1;
  }
  return fields;
}

bool safe_file_name(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name[0] == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' || c == '+';
  });
}

}  // namespace

Manifest Manifest::parse(const std::string& text, const std::string& origin) {
  Manifest m;
  size_t start = 0;
  int lineno = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    start = nl == std::string::npos ? text.size() : nl + 1;
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    auto bad = [&](const std::string& why) {
      return std::runtime_error("malformed MANIFEST " + origin + " line " + std::to_string(lineno) + ": " + why +
                                " (expected 6 tab-separated fields: FILE SHA256 NFILES DISTNAME \"DESCRIPTION\" on|off)");
    };
    auto f = split_tabs(line);
    if (f.size() != 6) throw bad(std::to_string(f.size()) + " fields");
    ManifestEntry e;
    e.file = f[0];
    if (!safe_file_name(e.file)) throw bad("file name '" + e.file + "' is not a plain file name");
    e.sha256 = f[1];
    std::transform(e.sha256.begin(), e.sha256.end(), e.sha256.begin(), [](unsigned char c) { return std::tolower(c); });
    if (e.sha256.size() != 64 || !std::all_of(e.sha256.begin(), e.sha256.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); }))
      throw bad("'" + f[1] + "' is not a SHA-256 digest (64 hex digits)");
    if (f[2].empty() || f[2].size() > 18 || !std::all_of(f[2].begin(), f[2].end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
      throw bad("file count '" + f[2] + "' is not a number");
    e.nfiles = std::stoull(f[2]);
    e.distname = f[3];
    e.description = f[4];
    if (e.description.size() >= 2 && e.description.front() == '"' && e.description.back() == '"')
      e.description = e.description.substr(1, e.description.size() - 2);
    if (f[5] != "on" && f[5] != "off") throw bad("last field '" + f[5] + "' is neither on nor off");
    e.default_on = f[5] == "on";
    if (m.find(e.file)) throw bad("'" + e.file + "' is listed twice");
    m.m_entries.push_back(std::move(e));
  }
  if (m.m_entries.empty()) throw std::runtime_error("MANIFEST " + origin + " lists no distribution sets");
  return m;
}

const ManifestEntry* Manifest::find(const std::string& file) const {
  for (const auto& e : m_entries)
    if (e.file == file) return &e;
  return nullptr;
}

}  // namespace iocell::core
