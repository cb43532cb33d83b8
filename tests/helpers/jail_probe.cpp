// Tries, from inside a jail, what a jail must not be able to do, and says
// what happened on stdout. Static, so that it runs in any jail root; plain
// system calls, so that no library stands between it and the kernel.
//   tty TEXT         per fd 0, 1, 2 and /dev/tty: a terminal? TIOCSTI TEXT?
//   bg-read FILE     a child in a new session appends all it reads from fd 0
//                    to FILE, then "<eof>"; the probe itself exits at once
//   keyctl DESC      looks DESC up in @s and @u and reads it (exit 0: read)
//   unshare-user     unshare(CLONE_NEWUSER) (exit 0: done)
//   clone-user       clone(CLONE_NEWUSER) (exit 0: done)
//   mount DIR        a tmpfs on DIR (exit 0: mounted)
//   userns-mount DIR a tmpfs on DIR from a new user and mount namespace
#include <fcntl.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <initializer_list>

namespace {

int tty(const char* text) {
  for (int i = 0; i < 4; ++i) {
    const char* name = i == 3 ? "/dev/tty" : nullptr;
    int fd = i;
    if (name != nullptr) {
      fd = ::open(name, O_RDWR | O_NOCTTY);
      if (fd < 0) {
        std::printf("/dev/tty open=%s\n", std::strerror(errno));
        continue;
      }
    }
    const bool is_tty = ::isatty(fd) == 1;
    const char* tname = is_tty ? ::ttyname(fd) : nullptr;
    int result = 0;
    for (const char* c = text; *c != '\0' && result == 0; ++c) {
      if (::ioctl(fd, TIOCSTI, c) != 0) result = errno;
    }
    std::printf("%s%d tty=%s name=%s tiocsti=%s\n", name ? "/dev/tty" : "fd", name ? 3 : i, is_tty ? "yes" : "no",
                tname ? tname : "-", result == 0 ? "ok" : std::strerror(result));
    if (name != nullptr) ::close(fd);
  }
  return 0;
}

int bg_read(const char* file) {
  // The hangup of the probe's terminal when the probe leaves must not end
  // the child before it has a session of its own.
  ::signal(SIGHUP, SIG_IGN);
  std::fflush(stdout);
  const pid_t child = ::fork();
  if (child < 0) return 2;
  if (child > 0) return 0;
  ::setsid();
  ::close(1);
  ::close(2);
  const int out = ::open(file, O_WRONLY | O_CREAT | O_APPEND, 0644);
  char buf[256];
  for (;;) {
    const ssize_t n = ::read(0, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (::write(out, buf, static_cast<size_t>(n)) < 0) break;
  }
  if (::write(out, "<eof>", 5) < 0) ::_exit(1);
  ::_exit(0);
}

int keyctl(const char* desc) {
  for (long ring : {long{KEY_SPEC_SESSION_KEYRING}, long{KEY_SPEC_USER_KEYRING}}) {
    const long id = ::syscall(SYS_keyctl, KEYCTL_SEARCH, ring, "user", desc, 0L);
    if (id < 0) {
      std::printf("search %ld: %s\n", ring, std::strerror(errno));
      continue;
    }
    char payload[256] = {};
    const long n = ::syscall(SYS_keyctl, KEYCTL_READ, id, payload, sizeof payload - 1);
    if (n < 0) {
      std::printf("read %ld: %s\n", id, std::strerror(errno));
      continue;
    }
    std::printf("found %s\n", payload);
    return 0;
  }
  return 1;
}

int report(const char* what, long rc) {
  std::printf("%s: %s\n", what, rc == 0 ? "done" : std::strerror(errno));
  return rc == 0 ? 0 : 1;
}

int clone_user() {
  const long pid = ::syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0L, 0L, 0L, 0L);
  if (pid == 0) ::_exit(0);
  if (pid > 0) ::waitpid(static_cast<pid_t>(pid), nullptr, 0);
  return report("clone-user", pid > 0 ? 0 : -1);
}

int userns_mount(const char* dir) {
  if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) return report("userns-mount (unshare)", -1);
  return report("userns-mount", ::mount("tmpfs", dir, "tmpfs", 0, nullptr));
}

}  // namespace

int main(int argc, char** argv) {
  const char* cmd = argc > 1 ? argv[1] : "";
  const char* arg = argc > 2 ? argv[2] : "";
  int rc = 2;
  if (std::strcmp(cmd, "tty") == 0) rc = tty(arg);
  else if (std::strcmp(cmd, "bg-read") == 0) rc = bg_read(arg);
  else if (std::strcmp(cmd, "keyctl") == 0) rc = keyctl(arg);
  else if (std::strcmp(cmd, "unshare-user") == 0) rc = report("unshare-user", ::unshare(CLONE_NEWUSER));
  else if (std::strcmp(cmd, "clone-user") == 0) rc = clone_user();
  else if (std::strcmp(cmd, "mount") == 0) rc = report("mount", ::mount("tmpfs", arg, "tmpfs", 0, nullptr));
  else if (std::strcmp(cmd, "userns-mount") == 0) rc = userns_mount(arg);
  else std::fprintf(stderr, "jail_probe: unknown test '%s'\n", cmd);
  std::fflush(stdout);
  return rc;
}
