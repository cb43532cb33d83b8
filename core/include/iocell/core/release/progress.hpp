// How fetch shows its progress: a bar on a terminal, a line per file
// otherwise, nothing with -q.
#pragma once

#include <memory>
#include <ostream>

#include <iocell/sdk/host.hpp>

namespace iocell::core {

enum class ProgressStyle { Bar, Lines, Quiet };

/// Bar when stdout is a terminal, Lines otherwise, Quiet when asked.
ProgressStyle progress_style(bool quiet);
std::unique_ptr<sdk::Progress> make_progress(std::ostream& out, ProgressStyle style);

/// "52.3 MB", "812 KB", "17 B".
std::string human_bytes(std::uint64_t bytes);

}  // namespace iocell::core
