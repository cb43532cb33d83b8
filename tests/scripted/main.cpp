// iocell-scripted: the iocell command line built with test services, for
// tests that run whole commands as a process against a transcript. What the
// iocell binary never reads, this one takes from its environment:
//   IOCELL_TRANSCRIPT=FILE           commands are played from FILE
//   IOCELL_TRANSCRIPT_VARS=A=x;B=y   ${A} and ${B} in FILE
//   IOCELL_TEST_NOW=EPOCH            the clock
//   IOCELL_TEST_UUIDS=U1,U2          the UUIDs of new jails, in order
//   IOCELL_HOST_OS=freebsd|linux     the host iocell believes it runs on
// Commands that change state need no root: nothing runs for real.
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "run.hpp"
#include "support/scripted_services.hpp"

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace iocell;
  core::Services services;
  if (const std::string file = env("IOCELL_TRANSCRIPT"); !file.empty()) {
    std::map<std::string, std::string> vars;
    for (const auto& kv : split(env("IOCELL_TRANSCRIPT_VARS"), ';'))
      if (const size_t eq = kv.find('='); eq != std::string::npos) vars[kv.substr(0, eq)] = kv.substr(eq + 1);
    services = test::transcript_services(file, vars);
  }
  if (const std::string now = env("IOCELL_TEST_NOW"); !now.empty()) services.clock = test::fixed_clock(std::atoll(now.c_str()));
  if (const std::string uuids = env("IOCELL_TEST_UUIDS"); !uuids.empty()) services.uuid = test::uuids_in_order(split(uuids, ','));
  if (const std::string os = env("IOCELL_HOST_OS"); !os.empty()) {
    if (os != "freebsd" && os != "linux") {
      std::cerr << "iocell-scripted: IOCELL_HOST_OS must be freebsd or linux, not '" << os << "'\n";
      return 2;
    }
    services.os = os == "freebsd" ? sdk::HostOs::FreeBSD : sdk::HostOs::Linux;
  }
  services.check_root = false;
  return cli::main_with(argc, argv, std::move(services));
}
