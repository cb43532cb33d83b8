// Fetchers: transports for release files, chosen by URL scheme.
#pragma once

#include <iocell/sdk/export.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace iocell::sdk {

class IOCELL_SDK_EXPORT FetchSink {
 public:
  virtual ~FetchSink() = default;
  /// Called before the first byte of every attempt. `offset` is where the
  /// data that follows starts: the requested offset when the source honoured
  /// it, 0 when it restarts from the beginning (the sink must then discard
  /// what it has). `total` is the whole resource's size when known.
  virtual void start(std::uint64_t offset, std::optional<std::uint64_t> total) = 0;
  virtual void data(const char* bytes, std::size_t len) = 0;
};

/// Why a fetch failed: the core decides what to do next from this, never
/// from the message (a release absent from one site is looked for in pkgbase).
enum class FetchFailure {
  NotFound,   ///< the source says the resource does not exist (HTTP 404/410, no such file)
  Transient,  ///< it may succeed later (timeouts, resets, 5xx) and the retries ran out
  Other,      ///< anything else: refused, malformed, too large
};

/// A failure that the fetcher gave up on (after its own bounded retries).
class IOCELL_SDK_EXPORT FetchError : public std::runtime_error {
 public:
  FetchError(const std::string& url, const std::string& why, FetchFailure reason = FetchFailure::Other)
      : std::runtime_error("cannot fetch " + url + ": " + why), m_reason(reason) {}
  FetchFailure reason() const noexcept { return m_reason; }

 private:
  FetchFailure m_reason;
};

class IOCELL_SDK_EXPORT Fetcher {
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
