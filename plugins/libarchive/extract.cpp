#include "libarchive_plugin.hpp"

#include "handles.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

namespace iocell::plugins::libarchive {

namespace {

constexpr std::size_t kQueueBytes = 16u << 20;  // decoded data waiting for the writer
constexpr std::size_t kEntryCost = 512;         // queue accounting for entries without data
constexpr std::size_t kMaxWarnings = 20;


std::string entry_name(archive_entry* e) {
  const char* p = archive_entry_pathname(e);
  return p ? p : "(unnamed)";
}


// One unit of work for the writer thread: a new entry, or a block of its data.
struct Item {
  Entry entry;
  std::int64_t offset = 0;
  std::vector<char> data;
  std::size_t cost() const { return entry ? kEntryCost : data.size(); }
};

// Decoded entries on their way from the decoder thread to the writer. Both
// sides move work in batches and wake the other only when it sleeps and a
// batch is ready: a handoff per entry costs more in futex calls than the
// file creation it hands off (a release has tens of thousands of files).
class EntryQueue {
 public:
  static constexpr std::size_t kBatchBytes = 1u << 20;
  static constexpr std::size_t kBatchItems = 256;

  // False when the writer has stopped (failed): the decoder should stop too.
  bool push(Item item) {
    std::unique_lock lock(m_mutex);
    if (!m_stopped && m_bytes >= kQueueBytes) {
      m_producer_waiting = true;
      m_space.wait(lock, [&] { return m_stopped || m_bytes < kQueueBytes / 2; });
      m_producer_waiting = false;
    }
    if (m_stopped) return false;
    m_bytes += item.cost();
    m_items.push_back(std::move(item));
    if (m_consumer_waiting && batch_ready()) m_ready.notify_one();
    return true;
  }
  // False at the end of the input.
  bool pop(Item& out) {
    if (m_local.empty()) {
      std::unique_lock lock(m_mutex);
      m_consumer_waiting = true;
      m_ready.wait(lock, [&] { return batch_ready() || m_closed || m_stopped; });
      m_consumer_waiting = false;
      if (m_stopped || m_items.empty()) return false;
      m_local.swap(m_items);
      m_bytes = 0;
      if (m_producer_waiting) m_space.notify_one();
    }
    out = std::move(m_local.front());
    m_local.pop_front();
    return true;
  }
  void close() {
    std::lock_guard lock(m_mutex);
    m_closed = true;
    m_ready.notify_all();
  }
  void stop() {
    std::lock_guard lock(m_mutex);
    m_stopped = true;
    m_items.clear();
    m_ready.notify_all();
    m_space.notify_all();
  }

 private:
  bool batch_ready() const { return m_bytes >= kBatchBytes || m_items.size() >= kBatchItems; }

  std::mutex m_mutex;
  std::condition_variable m_ready, m_space;
  std::deque<Item> m_items;
  std::deque<Item> m_local;  // the writer's current batch, touched by it only
  std::size_t m_bytes = 0;
  bool m_closed = false, m_stopped = false;
  bool m_producer_waiting = false, m_consumer_waiting = false;
};

int disk_flags(const sdk::ExtractPolicy& policy) {
  int flags = ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS |
              ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME;
  if (policy.acls_xattrs) flags |= ARCHIVE_EXTRACT_ACL | ARCHIVE_EXTRACT_XATTR;
  if (policy.file_flags) flags |= ARCHIVE_EXTRACT_FFLAGS;
  return flags;
}

// Creates the files on its own thread with archive_write_disk.
class DiskWriter {
 public:
  DiskWriter(const std::filesystem::path& dest, const sdk::ExtractPolicy& policy) : m_disk(archive_write_disk_new()) {
    if (!m_disk) throw sdk::ArchiveError("out of memory creating the archive writer");
    // No name lookup: the numeric ids of the archive are those of the tree's
    // own passwd and group, which need not match the host's.
    archive_write_disk_set_options(m_disk.get(), disk_flags(policy));
    m_dest_fd = ::open(dest.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (m_dest_fd < 0) throw sdk::ArchiveError("cannot open extraction directory " + dest.string() + ": " + std::strerror(errno));
    m_thread = std::thread([this] { run(); });
  }
  ~DiskWriter() {
    m_queue.stop();
    if (m_thread.joinable()) m_thread.join();
    if (m_dest_fd >= 0) ::close(m_dest_fd);
  }

  EntryQueue& queue() { return m_queue; }
  bool failed() const { return m_failed.load(); }

  // Waits for the writer; throws its error.
  void finish(sdk::ExtractStats& stats) {
    m_queue.close();
    m_thread.join();
    if (m_error) std::rethrow_exception(m_error);
    stats.entries += m_entries;
    stats.bytes += m_bytes;
    for (auto& w : m_warnings)
      if (stats.warnings.size() < kMaxWarnings) stats.warnings.push_back(std::move(w));
  }

 private:
  void warn(const std::string& what) {
    if (m_warnings.size() < kMaxWarnings) m_warnings.push_back(what);
  }

  void run() {
    try {
      enter_destination();
      Item item;
      bool in_entry = false;
      std::string current;
      while (m_queue.pop(item)) {
        if (item.entry) {
          if (in_entry) finish_entry(current);
          current = entry_name(item.entry.get());
          int r = archive_write_header(m_disk.get(), item.entry.get());
          if (r == ARCHIVE_WARN) warn(current + ": " + archive_message(m_disk.get()));
          else if (r < ARCHIVE_WARN)
            throw sdk::ArchiveError("refusing archive entry '" + current + "': " + archive_message(m_disk.get()));
          in_entry = true;
          ++m_entries;
          continue;
        }
        la_ssize_t r = archive_write_data_block(m_disk.get(), item.data.data(), item.data.size(), item.offset);
        if (r < ARCHIVE_OK) throw sdk::ArchiveError("cannot write '" + current + "': " + archive_message(m_disk.get()));
        m_bytes += item.data.size();
      }
      if (in_entry) finish_entry(current);
      // Directory modes and times are applied last (fixups).
      if (archive_write_close(m_disk.get()) < ARCHIVE_WARN)
        throw sdk::ArchiveError("cannot finish extraction: " + archive_message(m_disk.get()));
    } catch (...) {
      m_error = std::current_exception();
      m_failed = true;
      m_queue.stop();
    }
  }

  // archive_write_disk resolves entry paths against the working directory,
  // and its SECURE checks need them relative (an absolute path is refused).
  // On Linux this thread gets a working directory of its own; elsewhere the
  // process's is changed (one extraction at a time in the CLI).
  void enter_destination() {
#ifdef __linux__
    if (::unshare(CLONE_FS) != 0) throw sdk::ArchiveError(std::string("cannot unshare the working directory: ") + std::strerror(errno));
#endif
    if (::fchdir(m_dest_fd) != 0) throw sdk::ArchiveError(std::string("cannot enter the extraction directory: ") + std::strerror(errno));
  }

  void finish_entry(const std::string& name) {
    int r = archive_write_finish_entry(m_disk.get());
    if (r == ARCHIVE_WARN) warn(name + ": " + archive_message(m_disk.get()));
    else if (r < ARCHIVE_WARN) throw sdk::ArchiveError("cannot finish '" + name + "': " + archive_message(m_disk.get()));
  }

  Writer m_disk;
  int m_dest_fd = -1;
  EntryQueue m_queue;
  std::thread m_thread;
  std::atomic<bool> m_failed{false};
  std::exception_ptr m_error;
  std::uint64_t m_entries = 0, m_bytes = 0;
  std::vector<std::string> m_warnings;
};

Reader new_reader() {
  Reader r(archive_read_new());
  if (!r) throw sdk::ArchiveError("out of memory creating the archive reader");
  archive_read_support_format_tar(r.get());
  archive_read_support_filter_all(r.get());
  return r;
}

sdk::ExtractStats decode(archive* reader, const std::filesystem::path& dest, const sdk::ExtractPolicy& policy) {
  sdk::ExtractStats stats;
  DiskWriter writer(dest, policy);
  bool writer_stopped = false;
  std::uint64_t expanded = 0;
  auto account = [&](std::uint64_t n, archive_entry* at) {
    expanded += n;
    if (policy.max_bytes != 0 && expanded > policy.max_bytes)
      throw sdk::ArchiveError("refusing archive entry '" + entry_name(at) + "': the archive expands beyond " +
                              std::to_string(policy.max_bytes) + " bytes" +
                              (policy.max_bytes_reason.empty() ? std::string() : " (" + policy.max_bytes_reason + ")"));
  };
  for (;;) {
    archive_entry* e = nullptr;
    int r = archive_read_next_header(reader, &e);
    if (r == ARCHIVE_EOF) break;
    if (r == ARCHIVE_WARN) {
      if (stats.warnings.size() < kMaxWarnings) stats.warnings.push_back(archive_message(reader));
    } else if (r < ARCHIVE_WARN) {
      throw sdk::ArchiveError("cannot read archive: " + archive_message(reader));
    }
    if (policy.skip && policy.skip(entry_name(e))) {
      if (archive_read_data_skip(reader) < ARCHIVE_WARN)
        throw sdk::ArchiveError("cannot read '" + entry_name(e) + "' from the archive: " + archive_message(reader));
      continue;
    }
    const auto type = archive_entry_filetype(e);
    if (!policy.allow_devices && (type == AE_IFCHR || type == AE_IFBLK))
      throw sdk::ArchiveError("refusing archive entry '" + entry_name(e) + "': device nodes are not allowed in this archive");
    account(kEntryCost, e);
    Item head;
    head.entry.reset(archive_entry_clone(e));
    if (!head.entry) throw sdk::ArchiveError("out of memory cloning an archive entry");
    if (!writer.queue().push(std::move(head))) {
      writer_stopped = true;
      break;
    }
    for (;;) {
      const void* buf = nullptr;
      size_t size = 0;
      la_int64_t offset = 0;
      r = archive_read_data_block(reader, &buf, &size, &offset);
      if (r == ARCHIVE_EOF) break;
      if (r < ARCHIVE_WARN) throw sdk::ArchiveError("cannot read '" + entry_name(e) + "' from the archive: " + archive_message(reader));
      if (size == 0) continue;
      account(size, e);
      Item chunk;
      chunk.offset = offset;
      chunk.data.assign(static_cast<const char*>(buf), static_cast<const char*>(buf) + size);
      if (!writer.queue().push(std::move(chunk))) {
        writer_stopped = true;
        break;
      }
    }
    if (writer_stopped) break;
  }
  writer.finish(stats);
  return stats;
}

struct SourceAdapter {
  sdk::ByteSource* source = nullptr;
  std::vector<char> buf = std::vector<char>(1 << 20);
  std::exception_ptr error;
};

la_ssize_t source_read(archive* a, void* client, const void** out) {
  auto* s = static_cast<SourceAdapter*>(client);
  try {
    *out = s->buf.data();
    return static_cast<la_ssize_t>(s->source->read(s->buf.data(), s->buf.size()));
  } catch (...) {
    s->error = std::current_exception();
    archive_set_error(a, EIO, "input failed");
    return -1;
  }
}

}  // namespace

sdk::ExtractStats extract_archive(const std::filesystem::path& file, const std::filesystem::path& dest, const sdk::ExtractPolicy& policy) {
  Reader reader = new_reader();
  if (archive_read_open_filename(reader.get(), file.c_str(), 1 << 20) != ARCHIVE_OK)
    throw sdk::ArchiveError("cannot open archive " + file.string() + ": " + archive_message(reader.get()));
  return decode(reader.get(), dest, policy);
}

sdk::ExtractStats extract_archive(sdk::ByteSource& source, const std::filesystem::path& dest, const sdk::ExtractPolicy& policy) {
  Reader reader = new_reader();
  SourceAdapter adapter;
  adapter.source = &source;
  if (archive_read_open(reader.get(), &adapter, nullptr, source_read, nullptr) != ARCHIVE_OK) {
    if (adapter.error) std::rethrow_exception(adapter.error);
    throw sdk::ArchiveError("cannot read archive: " + archive_message(reader.get()));
  }
  try {
    return decode(reader.get(), dest, policy);
  } catch (...) {
    if (adapter.error) std::rethrow_exception(adapter.error);
    throw;
  }
}

// ---------------------------------------------------------------- push mode

namespace {

// The bytes pushed by the downloader, read by the decoder thread.
struct PushedBytes : sdk::ByteSource {
  std::mutex mutex;
  std::condition_variable ready, space;
  std::deque<std::vector<char>> chunks;
  std::size_t queued = 0;
  bool eof = false;      // producer is done
  bool aborted = false;  // abort() was called
  bool done = false;     // the decoder has stopped reading (success or failure)
  std::vector<char> current;
  std::size_t current_pos = 0;

  static constexpr std::size_t kInputBytes = 8u << 20;
  // The decoder sleeps until this much is queued (or the input ended), so
  // that a download in small pieces does not wake it for every piece.
  static constexpr std::size_t kWakeBytes = 1u << 20;
  bool reader_waiting = false, writer_waiting = false;

  std::size_t read(char* buf, std::size_t len) override {
    while (current_pos >= current.size()) {
      std::unique_lock lock(mutex);
      if (chunks.empty()) {
        reader_waiting = true;
        ready.wait(lock, [&] { return queued >= kWakeBytes || eof || aborted; });
        reader_waiting = false;
      }
      if (aborted) throw sdk::ArchiveError("extraction aborted");
      if (chunks.empty()) return 0;
      current = std::move(chunks.front());
      chunks.pop_front();
      queued -= current.size();
      current_pos = 0;
      if (writer_waiting && queued < kInputBytes / 2) space.notify_one();
    }
    std::size_t n = std::min(len, current.size() - current_pos);
    std::memcpy(buf, current.data() + current_pos, n);
    current_pos += n;
    return n;
  }
};

class ThreadedStreamExtractor final : public sdk::StreamExtractor {
 public:
  ThreadedStreamExtractor(std::filesystem::path dest, sdk::ExtractPolicy policy) {
    m_thread = std::thread([this, dest = std::move(dest), policy] {
      try {
        m_stats = extract_archive(m_in, dest, policy);
      } catch (...) {
        m_error = std::current_exception();
      }
      std::lock_guard lock(m_in.mutex);
      m_in.done = true;
      m_in.chunks.clear();
      m_in.queued = 0;
      m_in.space.notify_all();
    });
  }

  ~ThreadedStreamExtractor() override {
    if (m_thread.joinable()) {
      abort();
      m_thread.join();
    }
  }

  bool push(const char* data, std::size_t len) override {
    PushedBytes& s = m_in;
    std::unique_lock lock(s.mutex);
    if (!s.done && !s.aborted && s.queued >= PushedBytes::kInputBytes) {
      s.writer_waiting = true;
      s.space.wait(lock, [&] { return s.done || s.aborted || s.queued < PushedBytes::kInputBytes / 2; });
      s.writer_waiting = false;
    }
    if (s.aborted) return false;
    // Trailing bytes after the archive's end marker are dropped, not an error.
    if (s.done) return !m_error;
    s.chunks.emplace_back(data, data + len);
    s.queued += len;
    if (s.reader_waiting && s.queued >= PushedBytes::kWakeBytes) s.ready.notify_one();
    return true;
  }

  sdk::ExtractStats finish() override {
    {
      std::lock_guard lock(m_in.mutex);
      m_in.eof = true;
      m_in.ready.notify_all();
    }
    if (m_thread.joinable()) m_thread.join();
    if (m_error) std::rethrow_exception(m_error);
    if (m_in.aborted) throw sdk::ArchiveError("extraction aborted");
    return m_stats;
  }

  void abort() override {
    std::lock_guard lock(m_in.mutex);
    m_in.aborted = true;
    m_in.ready.notify_all();
    m_in.space.notify_all();
  }

 private:
  PushedBytes m_in;
  sdk::ExtractStats m_stats;
  std::exception_ptr m_error;
  std::thread m_thread;  // last: started once everything it touches exists
};

}  // namespace

std::unique_ptr<sdk::StreamExtractor> make_stream_extractor(std::filesystem::path dest, sdk::ExtractPolicy policy) {
  return std::make_unique<ThreadedStreamExtractor>(std::move(dest), policy);
}

}  // namespace iocell::plugins::libarchive
