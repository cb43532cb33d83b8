#include "dir_meta.hpp"

#include <fstream>
#include <string>

namespace iocell::plugins::dir {

namespace {

const char* kind_name(CloneKind k) {
  switch (k) {
    case CloneKind::Overlay: return "overlay";
    case CloneKind::Copy: return "copy";
    case CloneKind::None: break;
  }
  return "";
}

}  // namespace

std::optional<DatasetMeta> MetaStore::load(const std::string& ds) const {
  auto r = m_records.load(ds);
  if (!r) return std::nullopt;
  DatasetMeta m;
  m.readonly = r->readonly;
  m.origin = r->origin;
  m.clone = r->clone_kind == "overlay" ? CloneKind::Overlay : r->clone_kind == "copy" ? CloneKind::Copy : CloneKind::None;
  m.user = r->user;
  return m;
}

void MetaStore::save(const std::string& ds, const DatasetMeta& meta) const {
  sdk::records::DatasetRecord r;
  r.readonly = meta.readonly;
  r.origin = meta.origin;
  r.clone_kind = meta.origin.empty() ? "" : kind_name(meta.clone);
  r.user = meta.user;
  m_records.save(ds, r);
}

void MetaStore::remove(const std::string& ds) const { m_records.remove(ds); }

std::vector<std::string> MetaStore::all() const { return m_records.all(); }

std::optional<SnapMeta> MetaStore::load_snapshot(const std::string& ds, const std::string& snap) const {
  std::ifstream in(snapshot_dir(ds, snap) / "meta");
  SnapMeta m;
  if (!(in >> m.created_ns >> m.referenced)) return std::nullopt;
  std::string member;
  std::getline(in, member);  // the end of the first line
  while (std::getline(in, member))
    if (!member.empty()) m.set.push_back(member);
  return m;
}

void MetaStore::save_snapshot(const std::filesystem::path& snap_dir, const SnapMeta& meta) {
  std::string text = std::to_string(meta.created_ns) + " " + std::to_string(meta.referenced) + "\n";
  for (const auto& ds : meta.set) text += ds + "\n";
  sdk::records::write_atomic(snap_dir / "meta", text);
}

}  // namespace iocell::plugins::dir
