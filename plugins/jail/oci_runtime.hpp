// The OCI side of the jail runtime (sdk/oci.hpp), over jail(8), jexec(8),
// jls(8), mount(8), umount(8), ps(1), kill(1) and pkill(1).
//
// create   mounts (a read-only root is a nullfs of the root onto itself,
//          then the spec's mounts in order), `jail -c ... persist`, then
//          spawns (CommandRunner::spawn) the container's first process: it
//          waits on exec.fifo in the state directory and then execs
//          `jexec ID ...`, which joins
//          the jail and execs the program in the same process, so its pid
//          is the container's. Anything that fails undoes what was done.
// start    writes the fifo.
// status   `jls -j ID jid` and `ps -o jid=,state= -p PID`: running while
//          the pid is alive inside that jail.
// kill     `kill -SIG PID`; --all: `pkill -SIG -j JID` first.
// exec     jexec in the jail as the spec's user; detached it is spawned
//          as the first process is, else run and waited for by the runner.
// terminal process.terminal: a pty made on the host, its master sent to the
//          console socket, its slave the process's stdin, stdout, stderr and
//          controlling terminal (oci_terminal.hpp).
// remove   `jail -r ID`, then unmounts in reverse what `mount -p` shows of
//          the container's mount points.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include <iocell/sdk/host.hpp>
#include <iocell/sdk/oci.hpp>

namespace iocell::plugins::jail {

class JailOciRuntime : public sdk::oci::Runtime {
 public:
  explicit JailOciRuntime(const sdk::HostContext& host) : m_host(host) {}
  sdk::oci::Handle create(const sdk::oci::Container& c, const std::filesystem::path& state_dir,
                          const sdk::oci::Console& console) override;
  void start(const sdk::oci::Handle& h) override;
  sdk::oci::Status status(const sdk::oci::Handle& h) override;
  void kill(const sdk::oci::Handle& h, int signal, bool all) override;
  ExecResult exec(const sdk::oci::Handle& h, const sdk::oci::Container& c, const sdk::oci::Process& p,
                  const sdk::oci::Console& console, bool detach) override;
  void remove(const sdk::oci::Handle& h, const sdk::oci::Container& c) override;

 private:
  sdk::CommandRunner& run() { return *m_host.runner; }
  std::string user_of(const sdk::oci::Container& c, const sdk::oci::Process& p);
  /// The jail's jid, or "" when there is no such jail.
  std::string jid_of(const std::string& name);
  std::string name_of(const sdk::oci::Handle& h);
  sdk::HostContext m_host;
};

}  // namespace iocell::plugins::jail
