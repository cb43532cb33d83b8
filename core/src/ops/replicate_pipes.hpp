// The threads of a replication: the transport command, and the storage's
// send or receive of one stream, each run through the runner while this
// thread moves the bytes between them and the frames.
#pragma once

#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>
#include <thread>

#include <iocell/sdk/command.hpp>
#include <iocell/sdk/safe_root.hpp>

namespace iocell::core::replication {

/// A pipe whose ends close on destruction.
struct Pipe {
  Pipe();
  sdk::UniqueFd read_end, write_end;
};

/// Runs `work` on a thread of its own; its exception is kept for join().
/// `done` runs on that thread once `work` returns or throws: it closes the
/// descriptor the work used, so that the other end sees EOF or EPIPE then
/// and not before (closing it earlier could close it under a child not yet
/// spawned).
class Worker {
 public:
  Worker(std::function<void()> work, std::function<void()> done);
  ~Worker();
  /// Waits; rethrows what the work threw.
  void join();

 private:
  std::exception_ptr m_error;
  std::thread m_thread;
};

/// The transport: DEST's argv run with a pipe from this process as its
/// standard input and one to this process as its standard output.
class Transport {
 public:
  Transport(sdk::CommandRunner& runner, const std::vector<std::string>& argv);
  ~Transport();
  int to_peer() const { return m_to.write_end.get(); }
  int from_peer() const { return m_from.read_end.get(); }
  /// Closes this side's input to the peer and waits for the command;
  /// returns its result.
  sdk::CommandResult finish();
  /// What the command said on its standard error so far (after finish).
  const sdk::CommandResult& result() const { return m_result; }

 private:
  Pipe m_to, m_from;
  sdk::CommandResult m_result;
  std::optional<Worker> m_worker;
};

}  // namespace iocell::core::replication
