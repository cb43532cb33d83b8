// The jails of a root, read from their config.json files, and the
// resolution of user-given targets (UUID, UUID prefix, tag, ALL).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <iocell/core/config_store.hpp>
#include <iocell/sdk/jail.hpp>

namespace iocell::core {

class Context;

struct JailRecord {
  std::string uuid;
  std::string dataset;         ///< "jails/<uuid>" or "templates/<uuid>"
  std::filesystem::path home;  ///< directory holding config.json
  PropertyValues props;        ///< as stored in config.json

  std::string tag() const { return get("tag"); }
  std::string get(const std::string& name) const {
    auto it = props.find(name);
    return it == props.end() ? std::string() : it->second;
  }
  bool is_template() const { return get("template") == "yes"; }
  std::filesystem::path config_file() const { return home / "config.json"; }
};

class Inventory {
 public:
  explicit Inventory(Context& ctx) : m_ctx(ctx) {}

  /// Every jail and template, sorted by tag. Reads config files only.
  /// What could not be read is warned about on the error stream and kept
  /// in unreadable() until the next call.
  std::vector<JailRecord> all();
  /// Why the last all() may have missed jails: directories and config
  /// files it could not read.
  const std::vector<std::string>& unreadable() const { return m_unreadable; }
  /// One jail: exact UUID, exact tag, or a unique UUID prefix. Throws
  /// NotFound, or UsageError listing the candidates when ambiguous.
  JailRecord resolve(const std::string& target);
  /// `ALL` gives every jail (not templates); anything else one jail.
  std::vector<JailRecord> resolve_many(const std::string& target);
  /// Re-reads one jail from disk.
  JailRecord reload(const JailRecord& rec);

  // The tag index (inventory_tags.cpp): tags/ in the root holds one link per
  // tag whose text is the UUID of the jail carrying it, so that checking a
  // new tag reads one link and one config instead of every config. Links
  // are hints: each is checked against the jail's config, and a stale one
  // (a crash between two writes, a destroyed jail) counts as absent. The
  // invariant writers keep: while tags/.complete exists, every tagged jail
  // has its link, written before the jail or its new tag is published.
  // Callers of the four below hold the inventory lock.

  /// The jail carrying the tag. With no complete index, the configs are
  /// scanned and the index rebuilt from them (not in a dry run).
  std::optional<JailRecord> find_tag(const std::string& tag);
  /// Records that jail `uuid` carries `tag`.
  void index_tag(const std::string& tag, const std::string& uuid);
  /// Forgets `tag` if its link still names `uuid`.
  void unindex_tag(const std::string& tag, const std::string& uuid);
  /// The next find_tag rebuilds the index: for writers that do not keep it
  /// (migrate adopts jails written by other tools).
  void invalidate_tag_index();
  /// Rebuilds the index from every config; returns the stale links removed.
  std::vector<std::string> rebuild_tag_index();

  /// Effective values: built-in, then system defaults, then the jail's own.
  PropertyValues effective(const JailRecord& rec);
  /// The spec plugins get for this jail.
  sdk::JailSpec spec(const JailRecord& rec);

  static bool is_uuid(const std::string& s);
  static std::string new_uuid();

 private:
  struct Entry {
    std::string dir;  ///< "jails" or "templates"
    std::string path;  ///< a string: a path object per entry costs more than the scan
    std::string name;
  };
  std::vector<Entry> entries(std::vector<std::string>* unreadable = nullptr);
  /// The jail of one directory; with a needle, nothing unless its config
  /// file contains that text (then the file is not even parsed).
  std::optional<JailRecord> load(const Entry& e, const std::string& needle = "",
                                 std::vector<std::string>* unreadable = nullptr);
  std::optional<JailRecord> find_tag_in(const std::vector<Entry>& list, const std::string& tag);
  /// The jail whose UUID a tag link holds, wherever it lives now.
  std::optional<JailRecord> load_uuid(const std::string& uuid);
  Context& m_ctx;
  std::optional<PropertyValues> m_defaults;  // read once per command
  std::vector<std::string> m_unreadable;
};

}  // namespace iocell::core
