#include "replicate_pipes.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace iocell::core::replication {

Pipe::Pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  read_end = sdk::UniqueFd(fds[0]);
  write_end = sdk::UniqueFd(fds[1]);
}

Worker::Worker(std::function<void()> work, std::function<void()> done)
    : m_thread([this, work = std::move(work), done = std::move(done)] {
        try {
          work();
        } catch (...) {
          m_error = std::current_exception();
        }
        done();
      }) {}

Worker::~Worker() {
  if (m_thread.joinable()) m_thread.join();
}

void Worker::join() {
  if (m_thread.joinable()) m_thread.join();
  if (m_error) std::rethrow_exception(std::exchange(m_error, nullptr));
}

Transport::Transport(sdk::CommandRunner& runner, const std::vector<std::string>& argv) {
  sdk::Command cmd(argv);
  cmd.stdin_fd = m_to.read_end.get();
  cmd.stdout_fd = m_from.write_end.get();
  m_worker.emplace([this, &runner, cmd] { m_result = runner.run(cmd); },
                   [this] {
                     m_to.read_end.reset();
                     m_from.write_end.reset();
                   });
}

Transport::~Transport() {
  m_to.write_end.reset();
  m_from.read_end.reset();
  m_worker.reset();
}

sdk::CommandResult Transport::finish() {
  m_to.write_end.reset();
  if (m_worker) {
    try {
      m_worker->join();
    } catch (const std::exception& e) {
      m_result.exit_code = 127;
      m_result.err = e.what();
    }
  }
  return m_result;
}

}  // namespace iocell::core::replication
