#include "jail_parse.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <sstream>
#include <stdexcept>

namespace iocell::plugins::jail {

namespace {

using json = nlohmann::json;

// Every string below `v`, in document order, whatever the nesting.
void collect_strings(const json& v, std::vector<std::string>& out) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (!s.empty() && s != "-") out.push_back(s);
  } else if (v.is_array() || v.is_object()) {
    for (const auto& item : v) collect_strings(item, out);
  }
}

bool parse_int(const std::string& s, std::int64_t& out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

std::string unescape_octal(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool escape = s[i] == '\\' && s.size() - i >= 4 && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
                        s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7';
    if (escape) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

std::vector<sdk::RunState> parse_jls_json(const std::string& text, std::vector<std::string>* skipped) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    throw std::runtime_error("jls printed something that is not JSON: " + text.substr(0, 200));
  if (doc.contains("__version")) {
    const auto& ver = doc["__version"];
    const std::string v = ver.is_string() ? ver.get<std::string>() : ver.dump();
    if (v != "1" && v != "2" && v != "3")
      throw std::runtime_error("jls --libxo json __version " + v + " is not one iocell knows (1, 2 or 3)");
  }
  auto info = doc.find("jail-information");
  if (info == doc.end() || !info->is_object())
    throw std::runtime_error("jls JSON has no jail-information object: " + text.substr(0, 200));
  std::vector<sdk::RunState> out;
  auto list = info->find("jail");
  if (list == info->end()) return out;  // no jail at all
  if (!list->is_array()) throw std::runtime_error("jls JSON: jail-information.jail is not a list");
  for (const auto& j : *list) {
    auto reject = [&](const std::string& why) {
      if (skipped) skipped->push_back(why + ": " + j.dump().substr(0, 200));
    };
    if (!j.is_object()) {
      reject("not an object");
      continue;
    }
    auto name = j.find("name");
    if (name == j.end() || !name->is_string()) {
      reject("no name");
      continue;
    }
    const std::string n = name->get<std::string>();
    if (n.rfind("ioc-", 0) != 0 || n.size() == 4) continue;  // not ours: silently ignored
    sdk::RunState st;
    st.name = n;
    auto jid = j.find("jid");
    bool ok = false;
    if (jid != j.end()) {
      if (jid->is_number_integer()) {
        st.jid = jid->get<std::int64_t>();
        ok = true;
      } else if (jid->is_string()) {
        ok = parse_int(jid->get<std::string>(), st.jid);
      }
    }
    if (!ok || st.jid <= 0) {
      reject("no usable jid for " + n);
      continue;
    }
    if (auto path = j.find("path"); path != j.end() && path->is_string()) st.path = path->get<std::string>();
    std::vector<std::string> addrs;
    if (auto ip = j.find("ip4.addr"); ip != j.end()) collect_strings(*ip, addrs);
    for (const auto& a : addrs) st.ip4 += (st.ip4.empty() ? "" : ",") + a;
    out.push_back(std::move(st));
  }
  return out;
}

std::int64_t parse_jid(const std::string& text) {
  std::string t = text;
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ' || t.back() == '\r')) t.pop_back();
  std::int64_t jid = 0;
  if (!parse_int(t, jid) || jid <= 0) throw std::runtime_error("jail -i printed no JID: '" + text.substr(0, 100) + "'");
  return jid;
}

std::vector<MountEntry> parse_fstab(const std::string& text) {
  std::vector<MountEntry> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    MountEntry e;
    if (!(fields >> e.device) || e.device[0] == '#') continue;
    if (!(fields >> e.mountpoint >> e.fstype)) continue;
    e.device = unescape_octal(e.device);
    e.mountpoint = unescape_octal(e.mountpoint);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace iocell::plugins::jail
