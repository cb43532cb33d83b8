// Owning handles for libarchive objects, and its error text.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <string>

namespace iocell::plugins::libarchive {

struct ReaderDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct WriterDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};
/// archive_read_new() and archive_read_disk_new() objects.
using Reader = std::unique_ptr<archive, ReaderDeleter>;
/// archive_write_new() and archive_write_disk_new() objects.
using Writer = std::unique_ptr<archive, WriterDeleter>;
using Entry = std::unique_ptr<archive_entry, EntryDeleter>;

inline std::string archive_message(archive* a) {
  const char* msg = archive_error_string(a);
  return msg ? msg : "unknown error";
}

}  // namespace iocell::plugins::libarchive
