#include "zfs_parse.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace iocell::plugins::zfs {
namespace {

std::vector<std::string> lines_of(const std::string& out) {
  std::vector<std::string> lines;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

std::string shown(const std::string& line) { return line.size() > 200 ? line.substr(0, 200) + "..." : line; }

std::string origin_or_empty(const std::string& v) { return v == "-" ? std::string() : v; }

bool yes_no(const std::string& v, const std::string& what) {
  if (v == "yes") return true;
  if (v == "no") return false;
  throw std::runtime_error("unexpected output of " + what + ": 'mounted' is '" + shown(v) + "', not yes or no");
}

}  // namespace

std::vector<std::vector<std::string>> split_rows(const std::string& out, size_t fields, const std::string& what) {
  std::vector<std::vector<std::string>> rows;
  int lineno = 0;
  for (const auto& line : lines_of(out)) {
    ++lineno;
    if (line.empty()) continue;
    std::vector<std::string> row;
    size_t start = 0;
    while (true) {
      const size_t tab = line.find('\t', start);
      row.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    if (row.size() != fields)
      throw std::runtime_error("unexpected output of " + what + ": line " + std::to_string(lineno) + " has " +
                               std::to_string(row.size()) + " tab-separated fields, expected " + std::to_string(fields) +
                               ": '" + shown(line) + "'");
    for (const auto& f : row)
      if (f.empty())
        throw std::runtime_error("unexpected output of " + what + ": empty field on line " + std::to_string(lineno) + ": '" +
                                 shown(line) + "'");
    rows.push_back(std::move(row));
  }
  return rows;
}

std::uint64_t parse_u64(const std::string& value, const std::string& what) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size())
    throw std::runtime_error("unexpected value '" + shown(value) + "' for " + what + ": expected an exact integer (zfs -p)");
  return v;
}

std::int64_t parse_i64(const std::string& value, const std::string& what) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size())
    throw std::runtime_error("unexpected value '" + shown(value) + "' for " + what + ": expected an exact integer (zfs -p)");
  return v;
}

std::vector<FsEntry> parse_name_origin(const std::string& out) {
  std::vector<FsEntry> entries;
  for (auto& row : split_rows(out, 2, "zfs list -o name,origin")) entries.push_back({row[0], origin_or_empty(row[1])});
  return entries;
}

std::vector<sdk::SnapshotInfo> parse_snapshots(const std::string& out, const std::string& full_dataset) {
  std::vector<sdk::SnapshotInfo> snaps;
  const std::string what = "zfs list -t snapshot -o name,creation,referenced,used";
  for (auto& row : split_rows(out, 4, what)) {
    const std::string prefix = full_dataset + "@";
    if (row[0].size() <= prefix.size() || row[0].compare(0, prefix.size(), prefix) != 0)
      throw std::runtime_error("unexpected output of " + what + ": '" + shown(row[0]) + "' is no snapshot of " + full_dataset);
    sdk::SnapshotInfo s;
    s.name = row[0].substr(prefix.size());
    s.created = parse_i64(row[1], "creation of " + row[0]);
    s.referenced = parse_u64(row[2], "referenced of " + row[0]);
    s.used = parse_u64(row[3], "used of " + row[0]);
    snaps.push_back(std::move(s));
  }
  // zfs lists a dataset's snapshots in creation order already; sorting
  // stably by the second keeps that order for snapshots of one second.
  std::stable_sort(snaps.begin(), snaps.end(), [](const auto& a, const auto& b) { return a.created < b.created; });
  return snaps;
}

sdk::SpaceUsage parse_usage(const std::string& out) {
  const std::string what = "zfs list -o used,available,referenced,quota,reservation,compressratio";
  auto rows = split_rows(out, 6, what);
  if (rows.size() != 1) throw std::runtime_error("unexpected output of " + what + ": " + std::to_string(rows.size()) + " rows, expected 1");
  const auto& r = rows.front();
  sdk::SpaceUsage u;
  u.used = parse_u64(r[0], "used");
  u.available = parse_u64(r[1], "available");
  u.referenced = parse_u64(r[2], "referenced");
  if (auto q = parse_u64(r[3], "quota"); q != 0) u.quota = q;
  if (auto res = parse_u64(r[4], "reservation"); res != 0) u.reservation = res;
  static const std::regex ratio("^([0-9]{1,9})\\.([0-9]{2})x?$");
  std::smatch m;
  if (!std::regex_match(r[5], m, ratio))
    throw std::runtime_error("unexpected value '" + shown(r[5]) + "' for compressratio: expected e.g. 1.50");
  u.compressratio = std::stoi(m[1]) + std::stoi(m[2]) / 100.0;
  return u;
}

std::vector<PoolEntry> parse_pools(const std::string& out) {
  std::vector<PoolEntry> pools;
  // Without -H zpool says this on stdout when there is no pool; accept it
  // so that an older zpool printing it anyway is not a parse error.
  if (out == "no pools available\n") return pools;
  for (auto& row : split_rows(out, 2, "zpool list -H -o name,comment")) pools.push_back({row[0], row[1]});
  return pools;
}

std::vector<TopEntry> parse_tops(const std::string& out) {
  std::vector<TopEntry> tops;
  for (auto& row : split_rows(out, 3, "zfs list -o name,org.iocell:active,mountpoint")) tops.push_back({row[0], row[1], row[2]});
  return tops;
}

std::vector<MountEntry> parse_mounts(const std::string& out) {
  const std::string what = "zfs list -o name,mountpoint,mounted,org.iocell:active";
  std::vector<MountEntry> mounts;
  for (auto& row : split_rows(out, 4, what)) mounts.push_back({row[0], row[1], yes_no(row[2], what), row[3]});
  return mounts;
}

std::vector<std::pair<std::string, std::string>> parse_properties(const std::string& out) {
  std::vector<std::pair<std::string, std::string>> props;
  for (auto& row : split_rows(out, 2, "zfs get -o property,value")) props.emplace_back(row[0], row[1]);
  return props;
}

std::vector<StreamBegin> parse_zstream_dump(const std::string& out) {
  static const char* const keys[] = {"hdrtype", "features", "magic", "creation_time", "type",
                                     "flags",   "toguid",   "fromguid", "toname",      "payloadlen"};
  static const std::regex number("^[0-9]{1,9}$"), hex("^[0-9a-f]{1,16}$"), flags("^0x([0-9a-f]{1,8})$");
  const auto lines = lines_of(out);
  std::vector<StreamBegin> begins;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i] != "BEGIN record") continue;
    std::map<std::string, std::string> v;
    for (const char* key : keys) {
      const std::string prefix = std::string("\t") + key + " = ";
      if (++i >= lines.size() || lines[i].compare(0, prefix.size(), prefix) != 0)
        throw std::runtime_error(std::string("unexpected output of zstream dump: a BEGIN record without its ") + key +
                                 (i < lines.size() ? ": '" + shown(lines[i]) + "'" : std::string()));
      v[key] = lines[i].substr(prefix.size());
    }
    std::smatch m;
    if (!std::regex_match(v["hdrtype"], number) || !std::regex_match(v["type"], number) ||
        !std::regex_match(v["toguid"], hex) || !std::regex_match(v["fromguid"], hex) || !std::regex_match(v["flags"], m, flags) ||
        v["toname"].empty())
      throw std::runtime_error("unexpected BEGIN record in the output of zstream dump (toname '" + shown(v["toname"]) + "')");
    StreamBegin b;
    b.hdrtype = static_cast<unsigned>(std::stoul(v["hdrtype"]));
    b.type = static_cast<unsigned>(std::stoul(v["type"]));
    b.flags = static_cast<unsigned>(std::stoul(m[1], nullptr, 16));
    b.toguid = v["toguid"];
    b.fromguid = v["fromguid"];
    b.toname = v["toname"];
    begins.push_back(std::move(b));
  }
  return begins;
}

namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape_octal(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      const std::string oct = s.substr(i + 1, 3);
      if (oct.size() == 3 && std::all_of(oct.begin(), oct.end(), [](char c) { return c >= '0' && c <= '7'; })) {
        out += static_cast<char>(std::stoi(oct, nullptr, 8));
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

}  // namespace

std::string mountinfo_zfs_source(const std::string& mountinfo, const std::string& path) {
  std::string source;
  for (const auto& line : lines_of(mountinfo)) {
    std::vector<std::string> f;
    std::istringstream in(line);
    std::string word;
    while (in >> word) f.push_back(word);
    // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
    auto dash = std::find(f.begin(), f.end(), "-");
    if (f.size() < 5 || dash == f.end() || f.end() - dash < 3 || dash - f.begin() < 6) continue;
    if (unescape_octal(f[4]) != path || *(dash + 1) != "zfs") continue;
    source = unescape_octal(*(dash + 2));  // the last mount at a path is the visible one
  }
  return source;
}

}  // namespace iocell::plugins::zfs
