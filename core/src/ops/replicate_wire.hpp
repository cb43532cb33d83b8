// The conversation of `iocell send` and `iocell receive` over a transport
// that carries one byte stream each way (`ssh HOST iocell receive`, or any
// command that does). Everything travels in frames: a type byte, a 4-byte
// big-endian length, the payload. Messages are JSON; a dataset's stream is
// a run of data frames closed by an end frame, or an abort frame when the
// sending side failed to make it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace iocell::core::wire {

inline constexpr int kVersion = 1;

class Channel {
 public:
  Channel(int in_fd, int out_fd) : m_in(in_fd), m_out(out_fd) {}

  void send_message(const nlohmann::json& message);
  /// The next message; throws naming `expecting` when the other side is
  /// gone or sent something else. A message {"error": "..."} is the other
  /// side's refusal, thrown as such.
  nlohmann::json read_message(const std::string& expecting);

  void send_data(const char* data, std::size_t size);
  /// Closes a dataset's stream: whole, or aborted by the sending side.
  void end_stream(bool whole);

  /// Copies one stream's data to `out_fd` until its end frame. Returns
  /// false when the sending side aborted it. Once `out_fd` fails (its
  /// reader quit) the rest is read and dropped, so that the conversation
  /// stays in step; `out_failed` says so. Throws when the transport ends
  /// inside the stream: the transfer was cut.
  bool copy_stream(int out_fd, std::uint64_t& bytes, bool& out_failed);

 private:
  void write_frame(char type, const char* data, std::size_t size);
  /// False at a clean end of input before the first byte.
  bool read_frame(char& type, std::string& payload);

  int m_in;
  int m_out;
};

/// DEST of `send --to DEST` as argv: words split at blanks, with '...' and
/// "..." quoting and no other meaning for any character (no shell runs it).
/// Throws UsageError naming DEST when it is empty or a quote is open.
std::vector<std::string> transport_argv(const std::string& dest);

}  // namespace iocell::core::wire
