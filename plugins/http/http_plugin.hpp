// The http plugin: sdk::Fetcher over libcurl for http, https, ftp and file URLs.
#pragma once

#include <chrono>
#include <memory>

#include <iocell/sdk/plugin.hpp>

namespace iocell::plugins::http {

struct RetryPolicy {
  /// Attempts after the first one for transient failures.
  int retries = 5;
  /// Wait before the first retry; doubled each time up to max_backoff.
  std::chrono::milliseconds backoff{500};
  std::chrono::milliseconds max_backoff{8000};
  /// A transfer slower than 1 KiB/s for this long is abandoned (and retried).
  std::chrono::seconds stall{60};
  std::chrono::seconds connect_timeout{30};
};

/// The policy from the environment: IOCELL_FETCH_RETRIES (0-20) and
/// IOCELL_FETCH_BACKOFF_MS (1-60000) override the defaults.
RetryPolicy retry_policy_from_env();

std::unique_ptr<sdk::Fetcher> make_fetcher(const sdk::HostContext& host, RetryPolicy policy);

void register_plugin(sdk::Registrar& registrar) noexcept;

}  // namespace iocell::plugins::http
