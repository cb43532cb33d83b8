#include <iocell/core/trust.hpp>

#include <iocell/core/errors.hpp>

namespace iocell::core {

std::string trust_class_name(Trust t) {
  switch (t) {
    case Trust::HostActing: return "host-acting";
    case Trust::PrivilegeWidening: return "privilege-widening";
    case Trust::Plain: break;
  }
  return "plain";
}

std::string trustable_names() {
  std::string out = kTrustFstab;
  for (const PropertyDef* d : properties_by_name())
    if (property_trust(d->name) != Trust::Plain) out += "," + std::string(d->name);
  return out;
}

TrustGrant parse_trust(const std::string& list, bool all) {
  TrustGrant grant;
  grant.all = all;
  for (std::size_t start = 0; start < list.size();) {
    std::size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    const std::string name = list.substr(start, end - start);
    start = end + 1;
    if (name.empty()) continue;
    const PropertyDef* d = find_property(name);
    if (name != kTrustFstab && (!d || property_trust(name) == Trust::Plain))
      throw UsageError("--trust: '" + name + "' is not " + (d ? "a property an import drops (it is always taken)" : "a property") +
                       "; allowed: " + trustable_names());
    grant.names.insert(name);
  }
  return grant;
}

TrustFiltered filter_untrusted(const PropertyValues& props, const TrustGrant& grant) {
  TrustFiltered out;
  for (const auto& [name, value] : props) {
    const Trust t = property_trust(name);
    if (t == Trust::Plain) {
      out.kept[name] = value;
      continue;
    }
    const std::string shown = name + "=" + value + " (" + trust_class_name(t) + ")";
    if (grant.covers(name)) {
      out.kept[name] = value;
      out.trusted.push_back(shown);
    } else {
      out.dropped.push_back(shown);
    }
  }
  return out;
}

}  // namespace iocell::core
