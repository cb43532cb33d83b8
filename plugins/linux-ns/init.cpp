#include "init.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace iocell::plugins::linux_ns {

namespace {

using Clock = std::chrono::steady_clock;

bool from_host(const siginfo_t& si) { return si.si_pid == 0 && (si.si_code == SI_USER || si.si_code == SI_QUEUE); }

void reap() {
  while (::waitpid(-1, nullptr, WNOHANG) > 0) {
  }
}

// True when no process but this one is alive in the jail (zombies of
// processes whose parent lives on the host are dead already).
bool alone() {
  DIR* d = ::opendir(".");
  if (!d) return false;
  bool only_me = true;
  while (dirent* e = ::readdir(d)) {
    const char* n = e->d_name;
    if (n[0] < '0' || n[0] > '9' || std::strcmp(n, "1") == 0) continue;
    char path[300];
    std::snprintf(path, sizeof path, "%s/stat", n);
    char buf[512] = {};
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ssize_t len = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    const char* close_paren = len > 0 ? std::strrchr(buf, ')') : nullptr;
    if (close_paren && close_paren[1] == ' ' && close_paren[2] == 'Z') continue;
    only_me = false;
    break;
  }
  ::closedir(d);
  return only_me;
}

}  // namespace

void run_init(int procfd, std::chrono::milliseconds default_stop_timeout) {
  ::prctl(PR_SET_NAME, kInitName, 0, 0, 0);
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  if (::fchdir(procfd) != 0) ::_exit(111);
  ::close(procfd);
  sigset_t all;
  ::sigfillset(&all);
  ::sigprocmask(SIG_BLOCK, &all, nullptr);

  bool stopping = false;
  Clock::time_point deadline{};
  for (;;) {
    siginfo_t si{};
    int sig;
    if (stopping) {
      timespec slice{0, 10 * 1000 * 1000};
      sig = ::sigtimedwait(&all, &si, &slice);
    } else {
      sig = ::sigwaitinfo(&all, &si);
    }
    reap();
    if (sig > 0 && from_host(si)) {
      if (sig == SIGTERM && !stopping) {
        auto wait = default_stop_timeout;
        if (si.si_code == SI_QUEUE && si.si_value.sival_int >= 0) wait = std::chrono::milliseconds(si.si_value.sival_int);
        stopping = true;
        deadline = Clock::now() + wait;
        ::kill(-1, SIGTERM);
      } else if (sig == SIGUSR1) {
        ::kill(-1, SIGTERM);
      } else if (sig == SIGUSR2) {
        ::kill(-1, SIGKILL);
      }
    }
    if (stopping) {
      if (alone()) ::_exit(0);
      if (Clock::now() >= deadline) {
        ::kill(-1, SIGKILL);
        ::_exit(0);
      }
    }
  }
}

}  // namespace iocell::plugins::linux_ns
