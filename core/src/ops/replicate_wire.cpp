#include "replicate_wire.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include <iocell/core/errors.hpp>

namespace iocell::core::wire {
namespace {

constexpr char kMessage = 'M', kData = 'D', kEnd = 'E', kAbort = 'A';
// A message is a config and snapshot lists; a data frame what one read gives.
constexpr std::uint32_t kMaxFrame = 1u << 24;
constexpr std::size_t kChunk = 1u << 16;

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// 0: clean end before the first byte; 1: all read; -1: cut short.
int read_all(int fd, char* data, std::size_t size) {
  std::size_t got = 0;
  while (got < size) {
    const ssize_t n = ::read(fd, data + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return got == 0 && n == 0 ? 0 : -1;
    got += static_cast<std::size_t>(n);
  }
  return 1;
}

}  // namespace

void Channel::write_frame(char type, const char* data, std::size_t size) {
  unsigned char head[5] = {static_cast<unsigned char>(type), static_cast<unsigned char>(size >> 24),
                           static_cast<unsigned char>(size >> 16), static_cast<unsigned char>(size >> 8),
                           static_cast<unsigned char>(size)};
  if (!write_all(m_out, reinterpret_cast<const char*>(head), sizeof head) || !write_all(m_out, data, size))
    throw std::runtime_error(std::string("the transport closed: ") + std::strerror(errno));
}

bool Channel::read_frame(char& type, std::string& payload) {
  unsigned char head[5];
  const int got = read_all(m_in, reinterpret_cast<char*>(head), sizeof head);
  if (got == 0) return false;
  if (got < 0) throw std::runtime_error("the transport ended inside a frame (the transfer was cut)");
  type = static_cast<char>(head[0]);
  const std::uint32_t size = static_cast<std::uint32_t>(head[1]) << 24 | static_cast<std::uint32_t>(head[2]) << 16 |
                             static_cast<std::uint32_t>(head[3]) << 8 | head[4];
  if (size > kMaxFrame) throw std::runtime_error("the other side sent a frame of " + std::to_string(size) + " bytes; is it iocell?");
  payload.resize(size);
  if (size > 0 && read_all(m_in, payload.data(), size) != 1)
    throw std::runtime_error("the transport ended inside a frame (the transfer was cut)");
  return true;
}

void Channel::send_message(const nlohmann::json& message) {
  const std::string text = message.dump();
  write_frame(kMessage, text.data(), text.size());
}

nlohmann::json Channel::read_message(const std::string& expecting) {
  char type = 0;
  std::string payload;
  if (!read_frame(type, payload)) throw std::runtime_error("the other side closed the transport before sending " + expecting);
  if (type != kMessage) throw std::runtime_error("the other side sent data where " + expecting + " was due");
  auto message = nlohmann::json::parse(payload, nullptr, false);
  if (!message.is_object()) throw std::runtime_error("the other side sent something that is not " + expecting);
  if (message.contains("error") && message["error"].is_string()) throw Refused("the other side refused: " + message["error"].get<std::string>());
  return message;
}

void Channel::send_data(const char* data, std::size_t size) {
  while (size > 0) {
    const std::size_t n = std::min(size, kChunk);
    write_frame(kData, data, n);
    data += n;
    size -= n;
  }
}

void Channel::end_stream(bool whole) { write_frame(whole ? kEnd : kAbort, nullptr, 0); }

bool Channel::copy_stream(int out_fd, std::uint64_t& bytes, bool& out_failed) {
  char type = 0;
  std::string payload;
  for (;;) {
    if (!read_frame(type, payload)) throw std::runtime_error("the transport ended inside a stream (the transfer was cut)");
    if (type == kEnd) return true;
    if (type == kAbort) return false;
    if (type != kData) throw std::runtime_error("the other side sent a message inside a stream");
    bytes += payload.size();
    if (!out_failed && !write_all(out_fd, payload.data(), payload.size())) out_failed = true;
  }
}

std::vector<std::string> transport_argv(const std::string& dest) {
  std::vector<std::string> argv;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (char c : dest) {
    if (quote) {
      if (c == quote) quote = 0;
      else word += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) argv.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote) throw UsageError("invalid --to '" + dest + "': a quote is not closed");
  if (in_word) argv.push_back(word);
  if (argv.empty())
    throw UsageError("invalid --to '" + dest + "': allowed: a command that carries a byte stream each way, such as 'ssh HOST iocell receive'");
  return argv;
}

}  // namespace iocell::core::wire
