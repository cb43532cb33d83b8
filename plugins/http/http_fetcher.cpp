#include "http_plugin.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace iocell::plugins::http {

namespace {

const char* const kSchemes[] = {"http", "https", "ftp", "file"};

std::string scheme_of(const std::string& url) {
  auto colon = url.find("://");
  if (colon == std::string::npos) return "";
  std::string s = url.substr(0, colon);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::optional<std::uint64_t> parse_u64(const std::string& s) {
  if (s.empty() || s.size() > 19 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return std::stoull(s);
}

// What one HTTP response said about the range it carries.
struct ResponseHeaders {
  long status = 0;
  std::optional<std::uint64_t> range_start;  // Content-Range: bytes START-END/TOTAL
  std::optional<std::uint64_t> range_total;  // TOTAL, also from "bytes */TOTAL"
  std::optional<std::uint64_t> length;       // Content-Length
};

// The outcome of one attempt.
struct Attempt {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string detail;
  std::exception_ptr sink_error;
};

class CurlFetcher final : public sdk::Fetcher {
 public:
  CurlFetcher(const sdk::HostContext& host, std::string scheme, RetryPolicy policy)
      : m_log(host.log), m_scheme(std::move(scheme)), m_policy(policy) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  std::string name() const override { return m_scheme; }
  std::vector<std::string> schemes() const override { return {std::begin(kSchemes), std::end(kSchemes)}; }

  void fetch(const std::string& url, std::uint64_t offset, sdk::FetchSink& sink) override {
    const std::string scheme = scheme_of(url);
    if (std::find(std::begin(kSchemes), std::end(kSchemes), scheme) == std::end(kSchemes))
      throw sdk::FetchError(url, "the http plugin serves http, https, ftp and file URLs, not '" + scheme + "'");
    std::uint64_t pos = offset;
    auto wait = m_policy.backoff;
    for (int attempt = 0;; ++attempt) {
      Attempt a = transfer(url, scheme, pos, sink);
      if (a.sink_error) std::rethrow_exception(a.sink_error);
      if (a.code == CURLE_OK) return;
      if (restart_needed(a, pos)) {
        // The resource is shorter than what we hold: it changed on the
        // server, so the only consistent copy is a fresh one.
        log("{}: cannot resume at byte {}, fetching it from the start", url, pos);
        pos = 0;
        continue;
      }
      if (!transient(a)) throw sdk::FetchError(url, a.detail, absent(a) ? sdk::FetchFailure::NotFound : sdk::FetchFailure::Other);
      if (attempt >= m_policy.retries)
        throw sdk::FetchError(url, a.detail + " (gave up after " + std::to_string(attempt + 1) + " attempts)",
                              sdk::FetchFailure::Transient);
      log("{}: {}; retrying from byte {} in {} ms", url, a.detail, pos, wait.count());
      std::this_thread::sleep_for(wait);
      wait = std::min(wait * 2, m_policy.max_backoff);
    }
  }

 private:
  template <class... Args>
  void log(spdlog::format_string_t<Args...> fmt, Args&&... args) {
    if (m_log) m_log->info(fmt, std::forward<Args>(args)...);
  }

  static bool restart_needed(const Attempt& a, std::uint64_t pos) {
    return pos > 0 && (a.code == CURLE_BAD_DOWNLOAD_RESUME || a.code == CURLE_RANGE_ERROR ||
                       (a.code == CURLE_HTTP_RETURNED_ERROR && a.status == 416));
  }

  static bool absent(const Attempt& a) {
    return (a.code == CURLE_HTTP_RETURNED_ERROR && (a.status == 404 || a.status == 410)) ||
           a.code == CURLE_REMOTE_FILE_NOT_FOUND || a.code == CURLE_FILE_COULDNT_READ_FILE;
  }
  static bool transient(const Attempt& a) {
    switch (a.code) {
      case CURLE_PARTIAL_FILE:
      case CURLE_RECV_ERROR:
      case CURLE_SEND_ERROR:
      case CURLE_OPERATION_TIMEDOUT:
      case CURLE_GOT_NOTHING:
      case CURLE_HTTP2:
      case CURLE_HTTP2_STREAM:
      case CURLE_SSL_CONNECT_ERROR:
        return true;
      case CURLE_HTTP_RETURNED_ERROR:
        return a.status >= 500 || a.status == 408 || a.status == 429;
      default:
        return false;
    }
  }

  // State shared with the libcurl callbacks of one attempt.
  struct Transfer {
    CURL* curl = nullptr;
    sdk::FetchSink* sink = nullptr;
    std::string scheme;
    std::uint64_t requested = 0;  // the offset asked for
    std::uint64_t* pos = nullptr;  // where the next byte belongs (survives the attempt)
    bool started = false;
    ResponseHeaders headers;
    std::exception_ptr sink_error;

    void start() {
      std::uint64_t from = requested;
      std::optional<std::uint64_t> total;
      if (scheme == "http" || scheme == "https") {
        if (headers.status == 206 && headers.range_start) {
          from = *headers.range_start;
          total = headers.range_total;
        } else {
          // A 200 to a range request: the server sends the whole resource.
          from = 0;
          total = headers.length;
        }
      } else {
        curl_off_t len = -1;
        if (curl_easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len) == CURLE_OK && len >= 0)
          total = requested + static_cast<std::uint64_t>(len);
      }
      if (from != requested && from != 0)
        throw std::runtime_error("server answered with bytes from " + std::to_string(from) + " instead of " +
                                 std::to_string(requested));
      sink->start(from, total);
      *pos = from;
      started = true;
    }
  };

  static size_t on_header(char* data, size_t size, size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    std::string line(data, size * n);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (line.rfind("HTTP/", 0) == 0) {
      // A new response (after a redirect or a 100 Continue): forget the last.
      t->headers = ResponseHeaders{};
      auto sp = line.find(' ');
      if (sp != std::string::npos) t->headers.status = std::atol(line.c_str() + sp + 1);
      return size * n;
    }
    auto colon = line.find(':');
    if (colon == std::string::npos) return size * n;
    std::string key = lower(line.substr(0, colon));
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    if (key == "content-length") {
      t->headers.length = parse_u64(value);
    } else if (key == "content-range") {
      // "bytes 100-199/1000", "bytes */1000"
      std::string v = lower(value);
      if (v.rfind("bytes ", 0) == 0) v = v.substr(6);
      auto slash = v.find('/');
      if (slash != std::string::npos) {
        t->headers.range_total = parse_u64(v.substr(slash + 1));
        auto dash = v.find('-');
        if (dash != std::string::npos && dash < slash) t->headers.range_start = parse_u64(v.substr(0, dash));
      }
    }
    return size * n;
  }

  static size_t on_data(char* data, size_t size, size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    try {
      if (!t->started) t->start();
      t->sink->data(data, size * n);
      *t->pos += size * n;
      return size * n;
    } catch (...) {
      t->sink_error = std::current_exception();
      return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
  }

  Attempt transfer(const std::string& url, const std::string& scheme, std::uint64_t& pos, sdk::FetchSink& sink) {
    Attempt a;
    std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) {
      a.code = CURLE_OUT_OF_MEMORY;
      a.detail = "cannot initialize libcurl";
      return a;
    }
    Transfer t;
    t.curl = curl.get();
    t.sink = &sink;
    t.scheme = scheme;
    t.requested = pos;
    t.pos = &pos;
    char errbuf[CURL_ERROR_SIZE] = {0};
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,ftp,file");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https,ftp");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "iocell/" IOCELL_VERSION);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(m_policy.connect_timeout.count()));
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(m_policy.stall.count()));
    curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 256L * 1024L);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &CurlFetcher::on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &CurlFetcher::on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
    std::string range;
    if (pos > 0) {
      if (scheme == "http" || scheme == "https") {
        // CURLOPT_RANGE, not RESUME_FROM: libcurl fails a resume the server
        // ignores, while the SDK contract is to restart from 0 then.
        range = std::to_string(pos) + "-";
        curl_easy_setopt(c, CURLOPT_RANGE, range.c_str());
      } else {
        curl_easy_setopt(c, CURLOPT_RESUME_FROM_LARGE, static_cast<curl_off_t>(pos));
      }
    }
    a.code = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a.status);
    if (t.sink_error) {
      a.sink_error = t.sink_error;
      return a;
    }
    if (a.code == CURLE_OK && !t.started) {
      // Nothing left to send (an empty file, or resumed at the very end).
      try {
        t.start();
      } catch (...) {
        a.sink_error = std::current_exception();
      }
      return a;
    }
    if (a.code == CURLE_HTTP_RETURNED_ERROR && a.status == 416 && pos > 0 && t.headers.range_total == pos) {
      // "Range not satisfiable" at exactly the end: everything is there.
      try {
        sink.start(pos, pos);
        a.code = CURLE_OK;
      } catch (...) {
        a.sink_error = std::current_exception();
      }
      return a;
    }
    if (a.code != CURLE_OK) {
      if (a.code == CURLE_HTTP_RETURNED_ERROR) a.detail = "HTTP status " + std::to_string(a.status);
      else a.detail = errbuf[0] ? errbuf : curl_easy_strerror(a.code);
    }
    return a;
  }

  std::shared_ptr<spdlog::logger> m_log;
  std::string m_scheme;
  RetryPolicy m_policy;
};

template <int I>
std::unique_ptr<sdk::Fetcher> make_for(const sdk::HostContext& host) {
  return std::make_unique<CurlFetcher>(host, kSchemes[I], retry_policy_from_env());
}

}  // namespace

RetryPolicy retry_policy_from_env() {
  RetryPolicy p;
  if (const char* r = std::getenv("IOCELL_FETCH_RETRIES"); r && *r) {
    auto v = parse_u64(r);
    if (v && *v <= 20) p.retries = static_cast<int>(*v);
  }
  if (const char* b = std::getenv("IOCELL_FETCH_BACKOFF_MS"); b && *b) {
    auto v = parse_u64(b);
    if (v && *v >= 1 && *v <= 60000) p.backoff = std::chrono::milliseconds(*v);
  }
  return p;
}

std::unique_ptr<sdk::Fetcher> make_fetcher(const sdk::HostContext& host, RetryPolicy policy) {
  return std::make_unique<CurlFetcher>(host, "https", policy);
}

void register_plugin(sdk::Registrar& registrar) noexcept {
  registrar.add_fetcher("http", sdk::kAnyOs, &make_for<0>);
  registrar.add_fetcher("https", sdk::kAnyOs, &make_for<1>);
  registrar.add_fetcher("ftp", sdk::kAnyOs, &make_for<2>);
  registrar.add_fetcher("file", sdk::kAnyOs, &make_for<3>);
}

}  // namespace iocell::plugins::http
