// Port forwarding on FreeBSD through pf(4): each jail's rules live in an
// anchor of their own, iocell/<uuid>, below the `iocell` anchor the admin
// references once in pf.conf:
//
//   rdr-anchor "iocell/*"     (with the translation rules)
//   anchor "iocell/*"         (with the filter rules)
//
// iocell loads (`pfctl -a iocell/<uuid> -f -`) and flushes
// (`pfctl -a iocell/<uuid> -F all`) only those anchors; the main ruleset is
// never loaded, flushed or edited.
#pragma once

#include <string>
#include <vector>

#include <iocell/sdk/forwarder.hpp>
#include <iocell/sdk/host.hpp>

namespace iocell::plugins::freebsd_net {

/// "iocell/<uuid>".
std::string pf_anchor(const std::string& uuid);
/// The rdr rule and the pass rule of one entry, in pf.conf(5) syntax. The
/// pass rule is not `quick`: a block rule after the anchor in pf.conf
/// still decides, and `rdr pass` (which skips filtering) is never used.
std::vector<std::string> pf_rules(const sdk::forward::Entry& e, const std::string& target);
/// What is wrong with the host's pf for iocell's anchors, and its fix.
struct PfProblem {
  std::string what;  ///< "" when nothing is
  std::string fix;
};
/// From the outputs of `pfctl -s info`, `pfctl -s nat` and `pfctl -s rules`.
PfProblem pf_refusal(const std::string& info, const std::string& nat, const std::string& rules);

class PfForwarder : public sdk::PortForwarder {
 public:
  explicit PfForwarder(const sdk::HostContext& host) : m_host(host) {}
  std::string name() const override { return "pf"; }
  void add(const sdk::JailSpec& spec, const sdk::RunState& state) override;
  void remove(const sdk::JailSpec& spec) override;
  std::vector<std::string> active(const sdk::JailSpec& spec) override;

 private:
  std::string read(const std::vector<std::string>& argv);
  sdk::HostContext m_host;
};

}  // namespace iocell::plugins::freebsd_net
