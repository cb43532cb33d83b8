// iocell send and receive where they must refuse: a storage without
// incremental streams, a transport that is no command, and a sender that
// is not honest iocell (the receiving side reads frames from its standard
// input, as the transport delivers them). The transfers themselves run for
// real in tests/integration/replicate_btrfs.cpp.
#include <nlohmann/json.hpp>

#include "support/data_e2e.hpp"

namespace {

using iocell::test::data::DataE2E;

std::string frame(const nlohmann::json& message) {
  const std::string text = message.dump();
  std::string out(1, 'M');
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((text.size() >> shift) & 0xff);
  return out + text;
}

class ReplicateE2E : public DataE2E {
 protected:
  iocell::test::CliResult receive(const std::string& input) {
    return iocell::test::run_iocell(root, {"receive"}, {{"IOCELL_STORAGE", "dir"}}, input);
  }
  nlohmann::json hello(const std::string& uuid, const std::string& storage, nlohmann::json datasets = {"", "root"}) {
    return {{"iocell", "replication"}, {"version", 1}, {"uuid", uuid}, {"tag", "web"}, {"storage", storage}, {"datasets", datasets}};
  }
  void expect_nothing_landed() {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(root / "jails", ec)) ADD_FAILURE() << "left " << e.path();
  }
};

const std::string kUuid = "9f1c1a2e-5b7d-4c3e-8a41-2f6d0b7e9c10";

TEST_F(ReplicateE2E, SendOnStorageWithoutStreamsIsRefusedBeforeAnySnapshot) {
  fetch();
  ok({"create", "-c", "tag=web"});
  auto r = run({"send", "--to", "ssh backup iocell receive", "web"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("dir storage has no incremental streams"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("zfs or btrfs"), std::string::npos) << r.err;
  EXPECT_EQ(ok({"snaplist", "-H", "web"}).out, "") << "no replication snapshot was taken";
}

TEST_F(ReplicateE2E, ATransportThatIsNoCommandIsAUsageError) {
  fetch();
  ok({"create", "-c", "tag=web"});
  for (const std::string dest : {"", "   ", "ssh 'backup iocell receive"}) {
    auto r = run({"send", "--to", dest, "web"});
    EXPECT_EQ(r.code, 2) << "'" << dest << "': " << r.err;
  }
  auto unclosed = run({"send", "--to", "ssh 'backup", "web"});
  EXPECT_NE(unclosed.err.find("a quote is not closed"), std::string::npos) << unclosed.err;
  auto no_target = run({"send", "--to", "ssh backup iocell receive"});
  EXPECT_EQ(no_target.code, 2) << no_target.err;
  auto missing = run({"send", "--to", "ssh backup iocell receive", "nosuchjail"});
  EXPECT_EQ(missing.code, 3) << missing.err;
}

TEST_F(ReplicateE2E, ReceiveRefusesADishonestSenderAndLandsNothing) {
  fetch();
  struct Case {
    std::string input, says;
  };
  const std::vector<Case> cases = {
      {"GET / HTTP/1.1\r\n\r\n", "is it iocell"},
      {frame({{"hello", "there"}}), "not iocell send"},
      {frame(hello("../../etc", "dir")), "which is no UUID"},
      {frame(hello(kUuid, "dir", {"", "../../../etc"})), "a jail's are its home, root and data"},
      {frame(hello(kUuid, "dir", {"root"})), "do not start with the jail's home"},
      {frame(hello(kUuid, "zfs")), "comes as zfs streams; this root uses dir storage"},
      {frame(hello(kUuid, "dir")), "dir storage has no incremental streams"},
  };
  for (const auto& c : cases) {
    auto r = receive(c.input);
    EXPECT_EQ(r.code, 1) << c.says << ": " << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
    expect_nothing_landed();
  }
  // The refusal also reaches the sender, as a message on the transport.
  auto told = receive(frame(hello(kUuid, "zfs")));
  EXPECT_NE(told.out.find("\"error\""), std::string::npos) << told.out;
}

}  // namespace
