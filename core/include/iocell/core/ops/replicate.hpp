// Replication of a jail to another host: `iocell send TARGET --to DEST`
// runs DEST (a command carrying a byte stream each way, such as
// `ssh HOST iocell receive`) and talks to the `iocell receive` at its far
// end. Each dataset of the jail travels as its storage's stream (zfs send,
// btrfs send): whole the first time, then the increment from the newest
// snapshot both sides hold; an interrupted zfs stream resumes from the
// receiver's token, a btrfs one restarts from the last complete snapshot.
// The receiver lands a new jail under its UUID in one rename, checks what
// it got, and answers with its snapshot lists and config, which the sender
// compares with its own.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <iocell/core/inventory.hpp>
#include <iocell/core/trust.hpp>

namespace iocell::core {

class Context;

/// The prefix of the snapshots `send` takes; all but the newest go once a
/// transfer is verified, on both sides.
inline constexpr const char* kReplicationSnapshotPrefix = "ioc-repl_";

struct SendOptions {
  std::string to;        ///< DEST
  bool cutover = false;  ///< stop here, send the last increment, start there, boot=off here
  bool force = false;    ///< snapshot even while a database server runs in the jail
};

struct SendOutcome {
  std::string snapshot;            ///< the snapshot both sides now share
  std::uint64_t bytes = 0;         ///< stream bytes sent
  std::vector<std::string> lines;  ///< one per stream: what was sent
  std::string note;                ///< what the receiver left out, and the like
  bool started_there = false;      ///< --cutover: the copy runs on the receiver
};

/// "12.3 MiB".
std::string mib(std::uint64_t bytes);

/// `iocell send`. Progress goes to the context's output stream.
SendOutcome send_jail(Context& ctx, const JailRecord& rec, const SendOptions& opts);

/// `iocell receive`: the other side of send_jail, talking over in_fd and
/// out_fd (its standard input and output). Host-acting and
/// privilege-widening properties of the sent config, and its fstab, are
/// taken only when `trust` names them (core/trust.hpp). Throws what made it
/// refuse, after telling the sender.
void receive_jail(Context& ctx, int in_fd, int out_fd, const TrustGrant& trust);

}  // namespace iocell::core
