// Replication one dataset at a time (iocell send / receive; zfs-send(8),
// zfs-receive(8)): zfs send -I carries every snapshot between the common
// one and the new one, zfs receive -s keeps an interrupted stream for
// zfs send -t to finish. What a sender or a receiver says is untrusted on
// the other side.
#include <sstream>
#include <stdexcept>

#include "zfs_storage.hpp"

namespace iocell::plugins::zfs {
namespace {

// A resume token is hexadecimal digits and dashes (libzfs
// zfs_send_resume_token_to_nvlist: "<version>-<checksum>-<length>-<hex>").
void check_token(const std::string& token) {
  if (token.empty() || token.size() > 65536 || token.find_first_not_of("0123456789abcdefABCDEF-") != std::string::npos)
    throw std::runtime_error("invalid resume token '" + token.substr(0, 64) + "': allowed: hexadecimal digits and dashes");
}

// The snapshot a resume token finishes, as `zfs send -nv -t` prints it:
// "\ttoname = pool/fs@snap" inside the token's nvlist.
std::string token_target(const std::string& out) {
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    const auto key = line.find("toname = ");
    if (key != std::string::npos && line.find_first_not_of('\t') == key) return line.substr(key + 9);
  }
  return "";
}

// -x: the sender's mountpoint (a path of its host), shares, and the jailed
// flag (a delegation is the receiving admin's --trust) are not taken.
const std::vector<std::string> kReceiveExcluded = {"-x", "mountpoint", "-x", "sharenfs", "-x", "sharesmb", "-x", "jailed"};

}  // namespace

void ZfsStorage::send_delta(const std::string& dataset, const std::string& from, const std::string& to, int out_fd) {
  check_snapshot(to);
  // -p: the dataset's properties travel with it (quota, compression).
  sdk::Command cmd{"zfs", "send", "-p"};
  if (!from.empty()) {
    check_snapshot(from);
    cmd.argv.insert(cmd.argv.end(), {"-I", layout().full_snapshot(dataset, from)});
  }
  cmd.argv.push_back(layout().full_snapshot(dataset, to));
  cmd.stdout_fd = out_fd;
  m_zfs.check(cmd);
}

void ZfsStorage::send_resumed(const std::string& dataset, const std::string& token, int out_fd) {
  check_token(token);
  // The token comes from the receiving host and names what to send: held
  // to this dataset, or it could ask for any snapshot of this pool.
  sdk::Command describe{"zfs", "send", "-n", "-v", "-t", token};
  describe.read_only = true;
  const std::string target = token_target(m_zfs.check(describe).out);
  const std::string full = layout().full(dataset);
  if (dataset_of(target) != full)
    throw std::runtime_error("the receiving side's resume token for " + dataset + " names " + (target.empty() ? "nothing" : target) +
                             ", not a snapshot of " + full);
  sdk::Command cmd{"zfs", "send", "-t", token};
  cmd.stdout_fd = out_fd;
  m_zfs.check(cmd);
}

sdk::ReceiveState ZfsStorage::prepare_receive(const std::string& dataset) {
  sdk::ReceiveState state;
  const std::string full = layout().full(dataset);
  sdk::Command token{"zfs", "get", "-H", "-o", "value", "receive_resume_token", full};
  token.read_only = true;
  const auto res = m_zfs.run(token);
  if (!res.ok()) {
    if (res.err.find("does not exist") != std::string::npos) return state;
    throw sdk::CommandFailed(token, res);
  }
  std::string value = res.out;
  while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) value.pop_back();
  if (value != "-") state.resume_token = value;
  for (const auto& s : snapshots(dataset)) state.snapshots.push_back(s.name);
  return state;
}

void ZfsStorage::abandon_resume(const std::string& dataset) {
  m_zfs.check({"zfs", "receive", "-A", layout().full(dataset)});
  changed();
  forget_tree();
}

void ZfsStorage::receive_delta(const std::string& dataset, int in_fd) {
  const std::string full = layout().full(dataset);
  // -s: an interrupted stream is kept for zfs send -t; -u: nothing is
  // mounted before it is checked. Never -F (it would roll back or destroy
  // what the receiving admin has), never -d/-e (the stream would choose
  // the name).
  sdk::Command cmd{"zfs", "receive", "-s", "-u"};
  cmd.argv.insert(cmd.argv.end(), kReceiveExcluded.begin(), kReceiveExcluded.end());
  cmd.argv.push_back(full);
  cmd.stdin_fd = in_fd;
  m_zfs.check(cmd);
  changed();
  forget_tree();
  if (m_host.dry_run) return;
  const auto rows = split_rows(m_zfs.check({"zfs", "list", "-H", "-o", "name,type,origin,mounted", full}).out, 4,
                               "zfs list -o name,type,origin,mounted " + full);
  if (rows.size() != 1 || rows[0][0] != full) throw std::runtime_error("zfs receive did not make " + full);
  // A whole stream can be a clone of any snapshot of the pool with the
  // right guid (another jail's files), or a volume.
  std::string wrong;
  if (rows[0][1] != "filesystem") wrong = "a " + rows[0][1];
  else if (rows[0][2] != "-") wrong = "a clone of " + rows[0][2];
  if (!wrong.empty()) {
    m_zfs.run({"zfs", "destroy", "-r", full});
    changed();
    forget_tree();
    throw std::runtime_error("the stream received into " + full + " made " + wrong + "; it was removed again");
  }
  if (rows[0][3] != "yes") m_zfs.check({"zfs", "mount", full});
}

}  // namespace iocell::plugins::zfs
