#include <iocell/core/release/progress.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace iocell::core {

namespace {

using Clock = std::chrono::steady_clock;

std::string format_rate(double bytes_per_s) { return human_bytes(static_cast<std::uint64_t>(bytes_per_s)) + "/s"; }

std::string format_duration(double seconds) {
  auto s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

class LineProgress : public sdk::Progress {
 public:
  explicit LineProgress(std::ostream& out) : m_out(out) {}
  void begin(const std::string& item, std::uint64_t total) override {
    m_item = item;
    m_total = total;
    m_done = 0;
    m_started = Clock::now();
  }
  void advance(std::uint64_t done) override { m_done = done; }
  void end(bool ok) override {
    double secs = std::chrono::duration<double>(Clock::now() - m_started).count();
    m_out << m_item << ": " << human_bytes(m_done);
    if (ok) m_out << " in " << format_seconds(secs) << " (" << format_rate(secs > 0 ? m_done / secs : 0) << ")";
    else m_out << " (failed)";
    m_out << "\n" << std::flush;
  }
  void info(const std::string& line) override { m_out << line << "\n" << std::flush; }

 protected:
  static std::string format_seconds(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", s);
    return buf;
  }
  std::ostream& m_out;
  std::string m_item;
  std::uint64_t m_total = 0, m_done = 0;
  Clock::time_point m_started;
};

class BarProgress : public LineProgress {
 public:
  using LineProgress::LineProgress;
  void begin(const std::string& item, std::uint64_t total) override {
    LineProgress::begin(item, total);
    m_last_draw = Clock::time_point{};
    draw();
  }
  void advance(std::uint64_t done) override {
    m_done = done;
    if (Clock::now() - m_last_draw >= std::chrono::milliseconds(100)) draw();
  }
  void end(bool ok) override {
    clear();
    LineProgress::end(ok);
  }
  void info(const std::string& line) override {
    clear();
    LineProgress::info(line);
  }

 private:
  void clear() {
    if (m_drawn) m_out << "\r\033[K";
    m_drawn = false;
  }
  void draw() {
    m_last_draw = Clock::now();
    double secs = std::chrono::duration<double>(m_last_draw - m_started).count();
    double rate = secs > 0.2 ? m_done / secs : 0;
    std::string line = m_item + " ";
    if (m_total > 0) {
      const int width = 30;
      int filled = static_cast<int>(width * std::min(1.0, static_cast<double>(m_done) / static_cast<double>(m_total)));
      line += "[" + std::string(filled, '#') + std::string(width - filled, '.') + "] ";
      line += std::to_string(m_done * 100 / m_total) + "% ";
      line += human_bytes(m_done) + "/" + human_bytes(m_total);
      if (rate > 0) line += "  " + format_rate(rate) + "  ETA " + format_duration((m_total - std::min(m_done, m_total)) / rate);
    } else {
      line += human_bytes(m_done);
      if (rate > 0) line += "  " + format_rate(rate);
    }
    m_out << "\r\033[K" << line << std::flush;
    m_drawn = true;
  }
  Clock::time_point m_last_draw;
  bool m_drawn = false;
};

class QuietProgress : public sdk::Progress {
 public:
  void begin(const std::string&, std::uint64_t) override {}
  void advance(std::uint64_t) override {}
  void end(bool) override {}
  void info(const std::string&) override {}
};

}  // namespace

std::string human_bytes(std::uint64_t bytes) {
  static const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1000 && u < 4) {
    v /= 1000;
    ++u;
  }
  char buf[32];
  if (u == 0) std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  else std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  return buf;
}

ProgressStyle progress_style(bool quiet) {
  if (quiet) return ProgressStyle::Quiet;
  return ::isatty(STDOUT_FILENO) ? ProgressStyle::Bar : ProgressStyle::Lines;
}

std::unique_ptr<sdk::Progress> make_progress(std::ostream& out, ProgressStyle style) {
  switch (style) {
    case ProgressStyle::Bar: return std::make_unique<BarProgress>(out);
    case ProgressStyle::Lines: return std::make_unique<LineProgress>(out);
    case ProgressStyle::Quiet: break;
  }
  return std::make_unique<QuietProgress>();
}

}  // namespace iocell::core
