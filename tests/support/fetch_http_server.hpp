// A loopback HTTP/1.1 file server for tests of fetch and of anything that
// downloads (header-only). It serves a directory on 127.0.0.1 with a free
// port, honours "Range: bytes=N-", and can misbehave on purpose: cut a body
// in the middle, ignore ranges, answer 503, or send slowly. It counts every
// body byte it sends, so a test can prove that a resume did not download
// the same bytes twice. Used as a proxy (http_proxy, ftp_proxy), it answers
// the absolute-form requests a client sends there, "GET scheme://HOST/PATH",
// from <root>/HOST/PATH and records the whole URL.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace iocell::testing {

class FetchHttpServer {
 public:
  struct Request {
    std::string path;
    std::optional<std::uint64_t> range_start;
    int status = 0;
  };

  explicit FetchHttpServer(std::filesystem::path root) : m_root(std::move(root)) {
    m_listen = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (m_listen < 0) throw std::runtime_error("socket failed");
    int one = 1;
    ::setsockopt(m_listen, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(m_listen, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(m_listen, 64) != 0)
      throw std::runtime_error("cannot listen on 127.0.0.1");
    socklen_t len = sizeof addr;
    ::getsockname(m_listen, reinterpret_cast<sockaddr*>(&addr), &len);
    m_port = ntohs(addr.sin_port);
    m_acceptor = std::thread([this] { accept_loop(); });
  }

  ~FetchHttpServer() { stop(); }

  FetchHttpServer(const FetchHttpServer&) = delete;
  FetchHttpServer& operator=(const FetchHttpServer&) = delete;

  /// Stops accepting (later connections are refused) and joins every thread.
  void stop() {
    close_listener();
    if (m_acceptor.joinable()) m_acceptor.join();
    std::vector<std::thread> workers;
    {
      std::lock_guard lock(m_mutex);
      workers.swap(m_workers);
    }
    for (auto& t : workers) t.join();
  }

  std::uint16_t port() const { return m_port; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port); }

  // --- misbehaviour, set before or during a test -------------------------
  /// The next `times` bodies of `path` stop after `bytes` (the connection is
  /// closed although Content-Length promised more).
  void cut(const std::string& path, std::uint64_t bytes, int times = 1) {
    std::lock_guard lock(m_mutex);
    m_cut_path = path;
    m_cut_bytes = bytes;
    m_cuts_left = times;
  }
  /// After a cut, refuse every new connection (the mirror went away).
  void go_down_after_cut(bool on = true) { m_down_after_cut = on; }
  /// Answer range requests with 200 and the whole file.
  void ignore_ranges(bool on = true) { m_ignore_ranges = on; }
  /// The next `times` requests get 503.
  void fail_next(int times) { m_fail_left = times; }
  /// Pause this long after every 64 KiB of body (a slow mirror).
  void throttle(std::chrono::milliseconds per_chunk) { m_throttle_ms = per_chunk.count(); }

  // --- what happened -------------------------------------------------------
  std::uint64_t body_bytes_sent() const { return m_body_bytes; }
  std::uint64_t body_bytes_sent(const std::string& path) const {
    std::lock_guard lock(m_mutex);
    auto it = m_sent_per_path.find(path);
    return it == m_sent_per_path.end() ? 0 : it->second;
  }
  std::vector<Request> requests() const {
    std::lock_guard lock(m_mutex);
    return m_requests;
  }

 private:
  void close_listener() {
    int fd = m_listen.exchange(-1);
    if (fd >= 0) {
      ::shutdown(fd, SHUT_RDWR);
      ::close(fd);
    }
  }

  void accept_loop() {
    for (;;) {
      int listen_fd = m_listen.load();
      if (listen_fd < 0) return;
      int c = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) {
        if (m_listen.load() < 0) return;
        continue;
      }
      std::lock_guard lock(m_mutex);
      m_workers.emplace_back([this, c] {
        serve(c);
        ::close(c);
      });
    }
  }

  static bool send_all(int fd, const char* p, std::size_t n) {
    while (n > 0) {
      ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
      if (w <= 0) return false;
      p += w;
      n -= static_cast<std::size_t>(w);
    }
    return true;
  }

  void respond_status(int fd, Request& req, int status, const std::string& reason, const std::string& extra = "") {
    req.status = status;
    std::string body = reason + "\n";
    std::string head = "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\n" + extra + "Connection: close\r\n\r\n";
    send_all(fd, head.data(), head.size());
    send_all(fd, body.data(), body.size());
    record(req);
  }

  void record(const Request& req) {
    std::lock_guard lock(m_mutex);
    m_requests.push_back(req);
  }

  void serve(int fd) {
    std::string head;
    char buf[4096];
    while (head.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return;
      head.append(buf, static_cast<std::size_t>(n));
      if (head.size() > 65536) return;
    }
    std::istringstream in(head);
    std::string method, target, version;
    in >> method >> target >> version;
    Request req;
    req.path = target;
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) break;
      auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string key = line.substr(0, colon);
      for (auto& ch : key) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      if (key == "range" && value.rfind("bytes=", 0) == 0) {
        std::string spec = value.substr(6);
        auto dash = spec.find('-');
        if (dash != std::string::npos && dash > 0) req.range_start = std::stoull(spec.substr(0, dash));
      }
    }
    if (const auto sep = target.find("://"); sep != std::string::npos && target[0] != '/') target = "/" + target.substr(sep + 3);
    if (method != "GET") return respond_status(fd, req, 405, "Method Not Allowed");
    if (m_fail_left.load() > 0) {
      --m_fail_left;
      return respond_status(fd, req, 503, "Service Unavailable");
    }
    if (target.find("..") != std::string::npos || target.empty() || target[0] != '/')
      return respond_status(fd, req, 400, "Bad Request");
    std::filesystem::path file = m_root / target.substr(1);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) return respond_status(fd, req, 404, "Not Found");
    const std::uint64_t size = std::filesystem::file_size(file);
    std::uint64_t from = 0;
    int status = 200;
    std::string extra;
    if (req.range_start && !m_ignore_ranges.load()) {
      if (*req.range_start >= size)
        return respond_status(fd, req, 416, "Range Not Satisfiable", "Content-Range: bytes */" + std::to_string(size) + "\r\n");
      from = *req.range_start;
      status = 206;
      extra = "Content-Range: bytes " + std::to_string(from) + "-" + std::to_string(size - 1) + "/" + std::to_string(size) + "\r\n";
    }
    std::optional<std::uint64_t> cut;
    {
      std::lock_guard lock(m_mutex);
      if (m_cuts_left > 0 && m_cut_path == target) {
        --m_cuts_left;
        cut = m_cut_bytes;
      }
    }
    req.status = status;
    record(req);
    std::string response = "HTTP/1.1 " + std::to_string(status) + (status == 206 ? " Partial Content" : " OK") +
                           "\r\nContent-Length: " + std::to_string(size - from) + "\r\n" + extra +
                           "Accept-Ranges: bytes\r\nConnection: close\r\n\r\n";
    if (!send_all(fd, response.data(), response.size())) return;
    std::ifstream f(file, std::ios::binary);
    f.seekg(static_cast<std::streamoff>(from));
    std::vector<char> chunk(64 * 1024);
    std::uint64_t sent = 0;
    const std::uint64_t limit = cut ? std::min(*cut, size - from) : size - from;
    while (sent < limit) {
      std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), limit - sent));
      f.read(chunk.data(), static_cast<std::streamsize>(want));
      std::size_t got = static_cast<std::size_t>(f.gcount());
      if (got == 0) break;
      if (!send_all(fd, chunk.data(), got)) break;
      sent += got;
      m_body_bytes += got;
      {
        std::lock_guard lock(m_mutex);
        m_sent_per_path[target] += got;
      }
      if (auto ms = m_throttle_ms.load(); ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    }
    if (cut && m_down_after_cut.load()) close_listener();
    // Closing with unread request bytes would turn into a reset; we read it all.
    ::shutdown(fd, SHUT_WR);
  }

  std::filesystem::path m_root;
  std::atomic<int> m_listen{-1};
  std::uint16_t m_port = 0;
  std::thread m_acceptor;
  mutable std::mutex m_mutex;
  std::vector<std::thread> m_workers;
  std::vector<Request> m_requests;
  std::map<std::string, std::uint64_t> m_sent_per_path;
  std::atomic<std::uint64_t> m_body_bytes{0};
  std::string m_cut_path;
  std::uint64_t m_cut_bytes = 0;
  int m_cuts_left = 0;
  std::atomic<bool> m_down_after_cut{false}, m_ignore_ranges{false};
  std::atomic<int> m_fail_left{0};
  std::atomic<long> m_throttle_ms{0};
};

}  // namespace iocell::testing
