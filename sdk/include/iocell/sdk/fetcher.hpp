// Fetchers: transports for release files, chosen by URL scheme.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace iocell::sdk {

class FetchSink {
 public:
  virtual ~FetchSink() = default;
  /// Called before the first byte of every attempt. `offset` is where the
  /// data that follows starts: the requested offset when the source honoured
  /// it, 0 when it restarts from the beginning (the sink must then discard
  /// what it has). `total` is the whole resource's size when known.
  virtual void start(std::uint64_t offset, std::optional<std::uint64_t> total) = 0;
  virtual void data(const char* bytes, std::size_t len) = 0;
};

/// A failure that the fetcher gave up on (after its own bounded retries).
class FetchError : public std::runtime_error {
 public:
  FetchError(const std::string& url, const std::string& why)
      : std::runtime_error("cannot fetch " + url + ": " + why) {}
};

class Fetcher {
 public:
  virtual ~Fetcher() = default;
  virtual std::string name() const = 0;
  /// URL schemes served: "http", "https", "ftp", "file", or a site's own.
  virtual std::vector<std::string> schemes() const = 0;
  /// Streams url from byte `offset` into sink. Transient errors are retried
  /// with backoff a bounded number of times, resuming where the data stopped.
  virtual void fetch(const std::string& url, std::uint64_t offset, FetchSink& sink) = 0;
};

}  // namespace iocell::sdk
