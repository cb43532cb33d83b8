#include <iocell/core/release/fetch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <optional>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <iocell/core/config_store.hpp>
#include <iocell/core/context.hpp>
#include <iocell/core/defaults.hpp>
#include <iocell/core/errors.hpp>
#include <iocell/core/lock.hpp>
#include <iocell/core/properties.hpp>
#include <iocell/core/release/manifest.hpp>
#include <iocell/core/release/progress.hpp>
#include <iocell/core/release/releases.hpp>
#include <iocell/core/release/sha256.hpp>
#include <iocell/sdk/archive.hpp>
#include <iocell/sdk/fetcher.hpp>
#include <iocell/sdk/packages.hpp>
#include <iocell/sdk/temp_names.hpp>
#include <iocell/sdk/safe_root.hpp>
#include <iocell/support/io.hpp>

namespace iocell::core {

namespace {

namespace fs = std::filesystem;

constexpr int kMaxRounds = 3;
constexpr std::size_t kMaxManifestBytes = 1u << 20;

// The extraction of the staging tree is no longer consistent with the bytes
// (a source restarted from 0, a cached or resumed file proved corrupt): the
// staging tree is rebuilt from scratch. Never seen outside fetch_release.
struct RestartRelease {
  std::string why;
};

std::string setting(const PropertyValues& defaults, const std::string& given, const std::string& name) {
  if (!given.empty()) return given;
  auto it = defaults.find(name);
  if (it != defaults.end() && !it->second.empty()) return it->second;
  const PropertyDef* def = find_property(name);
  return def ? std::string(def->default_value) : std::string();
}

bool unset(const std::string& v) { return v.empty() || v == "none"; }

// The host part of a URL or of a bare "host[:port]", lower-cased.
std::string host_of(const std::string& url) {
  std::string::size_type from = url.find("://");
  from = from == std::string::npos ? 0 : from + 3;
  std::string host = url.substr(from, url.find_first_of(":/", from) - from);
  std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return std::tolower(c); });
  return host;
}

// download.freebsd.org (given as a URL or a bare host) is not laid out as
// the mirrors are (no /pub/FreeBSD/).
bool is_download_service(const std::string& url_or_host) { return host_of(url_or_host) == "download.freebsd.org"; }

std::string scheme_of(const std::string& url) {
  auto p = url.find("://");
  if (p == std::string::npos || p == 0) return "";
  std::string s = url.substr(0, p);
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.')) return "";
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string percent_encode_path(const std::string& path) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || std::strchr("/-._~+", c)) out += static_cast<char>(c);
    else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// uname -m / uname -p of the host (FreeBSD), or their FreeBSD names for a
// Linux machine (a Linux host may fetch a FreeBSD release as plain files).
std::pair<std::string, std::string> machine(Context& ctx) {
  if (ctx.os() == sdk::HostOs::FreeBSD) {
    auto res = ctx.runner().check({"uname", "-m", "-p"});
    std::istringstream in(res.out);
    std::string m, p;
    in >> m >> p;
    if (m.empty() || p.empty()) throw std::runtime_error("cannot tell the machine type from 'uname -m -p': " + res.out);
    return {m, p};
  }
  utsname u{};
  ::uname(&u);
  std::string m = u.machine;
  if (m == "x86_64") return {"amd64", "amd64"};
  if (m == "aarch64") return {"arm64", "aarch64"};
  if (m == "i686" || m == "i386") return {"i386", "i386"};
  if (m == "riscv64") return {"riscv", "riscv64"};
  if (m == "ppc64le") return {"powerpc", "powerpc64le"};
  throw UsageError("no FreeBSD machine type is known for this " + m + " host; give ftpdir=/path/to/" + "the/release/");
}

std::vector<std::string> split_files(const std::string& list) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : list + " ") {
    if (std::isspace(static_cast<unsigned char>(c)) || c == ',') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  return out;
}

class StringSink : public sdk::FetchSink {
 public:
  explicit StringSink(std::string url) : m_url(std::move(url)) {}
  void start(std::uint64_t offset, std::optional<std::uint64_t>) override {
    if (offset == 0) m_data.clear();
  }
  void data(const char* bytes, std::size_t len) override {
    if (m_data.size() + len > kMaxManifestBytes) throw sdk::FetchError(m_url, "larger than 1 MB: not a MANIFEST");
    m_data.append(bytes, len);
  }
  std::string m_url;
  std::string m_data;
};

// Where a distribution set's bytes go as they arrive: the download file
// (so that a later run resumes instead of starting over), the hash, the
// extractor, and the progress display, all in one pass.
class SetSink : public sdk::FetchSink {
 public:
  SetSink(const std::string& file, std::optional<fs::path> part, sdk::StreamExtractor& extractor, sdk::Progress& progress)
      : m_file(file), m_part(std::move(part)), m_extractor(extractor), m_progress(progress) {
    if (m_part) {
      m_fd = sdk::UniqueFd(::open(m_part->c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
      if (!m_fd) throw std::runtime_error("cannot open " + m_part->string() + ": " + std::strerror(errno));
      struct stat st {};
      ::fstat(m_fd.get(), &st);
      m_local = static_cast<std::uint64_t>(st.st_size);
    }
  }

  /// Bytes already on disk from an earlier run, asked from the source.
  std::uint64_t resume_offset() const { return m_local; }
  bool resumed() const { return m_resumed; }
  std::uint64_t position() const { return m_pos; }
  std::string digest() { return m_hash.hex_digest(); }

  void start(std::uint64_t offset, std::optional<std::uint64_t> total) override {
    if (!m_begun) {
      m_begun = true;
      m_progress.begin(m_file, total.value_or(0));
      if (offset == m_local && m_local > 0) {
        feed_local();
        m_resumed = true;
      } else if (offset == 0) {
        truncate();
      } else {
        throw std::runtime_error("the source of " + m_file + " started at byte " + std::to_string(offset) + ", not at " +
                                 std::to_string(m_local));
      }
      return;
    }
    if (offset == m_pos) return;  // a retry resuming where the data stopped
    if (offset == 0) {
      // The source restarted from the beginning in the middle of this run:
      // what was extracted so far came from bytes now discarded.
      truncate();
      throw RestartRelease{"the server restarted " + m_file + " from the beginning"};
    }
    throw std::runtime_error("the source of " + m_file + " resumed at byte " + std::to_string(offset) + " instead of " +
                             std::to_string(m_pos));
  }

  void data(const char* bytes, std::size_t len) override { consume(bytes, len, true); }

 private:
  void consume(const char* bytes, std::size_t len, bool keep) {
    if (keep && m_fd && !support::write_all(m_fd.get(), std::string_view(bytes, len)))
      throw support::sys_error("cannot write " + m_part->string());
    m_hash.update(bytes, len);
    m_extractor.push(bytes, len);
    m_pos += len;
    m_progress.advance(m_pos);
  }

  void feed_local() {
    sdk::UniqueFd in(::open(m_part->c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!in) throw std::runtime_error("cannot read " + m_part->string() + ": " + std::strerror(errno));
    std::vector<char> buf(1 << 20);
    std::uint64_t left = m_local;
    while (left > 0) {
      ssize_t n = ::read(in.get(), buf.data(), std::min<std::uint64_t>(buf.size(), left));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw std::runtime_error("cannot read " + m_part->string() + ": " + std::strerror(errno));
      consume(buf.data(), static_cast<std::size_t>(n), false);
      left -= static_cast<std::uint64_t>(n);
    }
    if (::lseek(m_fd.get(), 0, SEEK_END) < 0) throw std::runtime_error("cannot seek " + m_part->string());
  }

  void truncate() {
    if (m_fd && (::ftruncate(m_fd.get(), 0) != 0 || ::lseek(m_fd.get(), 0, SEEK_SET) != 0))
      throw std::runtime_error("cannot truncate " + m_part->string() + ": " + std::strerror(errno));
    m_local = 0;
    m_hash.reset();
    m_pos = 0;
  }

  std::string m_file;
  std::optional<fs::path> m_part;
  sdk::StreamExtractor& m_extractor;
  sdk::Progress& m_progress;
  sdk::UniqueFd m_fd;
  Sha256 m_hash;
  std::uint64_t m_local = 0, m_pos = 0;
  bool m_begun = false, m_resumed = false;
};

struct Plan {
  std::string release;
  std::string source;  // directory URL ending in '/'
  bool local = false;  // ftplocaldir: nothing is copied into download/
  bool default_files = false;
  std::vector<std::string> files;
  bool pkgbase = false;
};

class ReleaseFetch {
 public:
  ReleaseFetch(Context& ctx, Plan plan, sdk::Progress& progress)
      : m_ctx(ctx), m_plan(std::move(plan)), m_progress(progress), m_storage(ctx.storage()) {
    m_download = ctx.root() / "download" / m_plan.release;
    m_staging = "releases/" + std::string(sdk::temp_names::kStaging) + m_plan.release + "-" + std::to_string(::getpid());
    m_final = "releases/" + m_plan.release;
  }

  FetchResult run() {
    // A fetch that fails before anything arrived leaves no empty
    // download/<release>; what did arrive stays, for the next try to resume.
    fs::create_directories(m_download);
    try {
      return run_in_download();
    } catch (...) {
      std::error_code ec;
      if (fs::is_empty(m_download, ec)) fs::remove(m_download, ec);
      throw;
    }
  }

 private:
  FetchResult run_in_download() {
    auto scheme = scheme_of(m_plan.source);
    try {
      m_fetcher = m_ctx.fetcher(scheme);
    } catch (const NotFound&) {
      throw UsageError("no fetcher serves '" + scheme + "' URLs (" + m_plan.source +
                       "); iocell plugins lists the fetchers, ftphost takes a host name or an http, https, ftp or file URL");
    }
    if (m_plan.pkgbase) return run_pkgbase();
    Manifest manifest;
    try {
      manifest = fetch_manifest();
    } catch (const sdk::FetchError& e) {
      // Only a mirror that answers "no such file" means "no sets": a network
      // failure must not turn into a different kind of release.
      const bool absent = e.reason() == sdk::FetchFailure::NotFound;
      if (!absent) throw;
      if (m_plan.local || !builds_base_trees())
        throw std::runtime_error(std::string(e.what()) + "; MANIFEST and the sets are looked for in that one directory, " + m_plan.source + ", " +
                                 (m_plan.local ? std::string("which ftplocaldir names")
                                               : "which ftpdir names under ftphost (the default ftpdir is /pub/FreeBSD/releases/MACHINE/ARCH/" +
                                                     m_plan.release + "/)"));
      // A different kind of release than asked for: a warning, not progress
      // (which -q silences), naming what was missing and how to point
      // iocell at sets kept elsewhere.
      m_ctx.host().log->warn("no distribution sets for {} ({}): building it from the FreeBSD-base packages instead; "
                             "if the sets are elsewhere, give ftphost= or ftpdir=",
                             m_plan.release, e.what());
      return run_pkgbase();
    }
    std::vector<const ManifestEntry*> sets = select_sets(manifest);

    for (int round = 1;; ++round) {
      try {
        build_staging(sets);
        break;
      } catch (const RestartRelease& r) {
        discard_staging();
        if (round >= kMaxRounds) throw std::runtime_error("giving up on " + m_plan.release + ": " + r.why + " again");
        m_progress.info(r.why + "; starting the extraction over");
      } catch (...) {
        discard_staging();
        throw;
      }
    }
    return publish();
  }

  // The staged release takes its final name; on failure nothing is left.
  FetchResult publish() {
    try {
      m_storage.rename(m_staging, m_final);
    } catch (...) {
      discard_staging();
      throw;
    }
    FetchResult res;
    res.release = m_plan.release;
    res.root = m_storage.mountpoint(m_final + "/root");
    return res;
  }

  // A host without a package tool that builds release trees (Linux) keeps
  // the mirror's error.
  bool builds_base_trees() {
    try {
      return m_ctx.packages().builds_base_trees();
    } catch (const NotFound&) {
      return false;
    }
  }

  FetchResult run_pkgbase() {
    sdk::Packages& packages = m_ctx.packages();
    if (!packages.builds_base_trees())
      throw Refused("release " + m_plan.release + " cannot be built from packages here: the " + packages.name() +
                    " package tool of this host builds no release trees (fetch its distribution sets instead)");
    try {
      if (m_storage.exists(m_staging)) m_storage.destroy(m_staging);
      m_storage.create(m_staging, {});
      m_staged = true;
      m_storage.create(m_staging + "/root", {});
      sdk::BaseTreeRequest req;
      req.release = m_plan.release;
      req.root = m_storage.mountpoint(m_staging + "/root");
      req.workdir = m_download / "pkgbase";
      packages.build_base_tree(req);
    } catch (...) {
      discard_staging();
      throw;
    }
    return publish();
  }

  std::string url_of(const std::string& file) const { return m_plan.source + file; }

  Manifest fetch_manifest() {
    const std::string url = url_of("MANIFEST");
    StringSink sink(url);
    m_fetcher->fetch(url, 0, sink);
    Manifest m = Manifest::parse(sink.m_data, url);
    if (!m_plan.local) write_file_atomic(m_download / "MANIFEST", sink.m_data);
    return m;
  }

  std::vector<const ManifestEntry*> select_sets(const Manifest& m) {
    std::vector<const ManifestEntry*> out;
    std::string listed;
    for (const auto& e : m.entries()) listed += (listed.empty() ? "" : ", ") + e.file;
    for (const auto& f : m_plan.files) {
      const ManifestEntry* e = m.find(f);
      if (!e) {
        // The built-in list names lib32.txz, which some architectures lack.
        if (m_plan.default_files && f != "base.txz") {
          m_progress.info("skipping " + f + ": not in the MANIFEST of " + m_plan.source);
          continue;
        }
        throw NotFound(f + " is not in the MANIFEST of " + m_plan.source + " (it lists: " + listed + ")");
      }
      out.push_back(e);
    }
    if (out.empty()) throw UsageError("ftpfiles names no set to fetch");
    return out;
  }

  void build_staging(const std::vector<const ManifestEntry*>& sets) {
    if (m_storage.exists(m_staging)) m_storage.destroy(m_staging);
    m_storage.create(m_staging, {});
    m_storage.create(m_staging + "/root", {});
    m_staged = true;
    const fs::path root = m_storage.mountpoint(m_staging + "/root");
    sdk::ExtractPolicy policy = sdk::ExtractPolicy::release();
    if (m_ctx.os() != sdk::HostOs::FreeBSD) policy.file_flags = false;
    for (const auto* set : sets) extract_set(*set, root, policy);
    patch(root);
    write_release_json();
  }

  void extract_set(const ManifestEntry& set, const fs::path& root, const sdk::ExtractPolicy& policy) {
    const fs::path done = m_download / set.file;
    const fs::path part = m_download / (set.file + ".part");
    std::error_code ec;
    if (!m_plan.local && fs::is_regular_file(done, ec)) {
      extract_cached(set, done, root, policy);
      return;
    }
    auto owned = m_ctx.archiver().stream_extractor(root, policy);
    sdk::StreamExtractor& extractor = *owned;
    std::optional<fs::path> keep;
    if (!m_plan.local) keep = part;
    SetSink sink(set.file, keep, extractor, m_progress);
    const std::string url = url_of(set.file);
    try {
      m_fetcher->fetch(url, sink.resume_offset(), sink);
    } catch (const sdk::FetchError& e) {
      extractor.abort();
      m_progress.end(false);
      std::string msg = e.what();
      if (keep && sink.position() > 0)
        msg += "; the " + human_bytes(sink.position()) + " received are kept in " + part.string() +
               " and the next fetch resumes from there";
      throw std::runtime_error(msg);
    } catch (...) {
      extractor.abort();
      m_progress.end(false);
      throw;
    }
    const std::string got = sink.digest();
    if (got != set.sha256) {
      extractor.abort();
      m_progress.end(false);
      if (keep) fs::remove(part, ec);
      if (sink.resumed())
        throw RestartRelease{"the resumed download of " + set.file + " does not match its MANIFEST checksum"};
      throw std::runtime_error(set.file + " does not match its SHA-256 in the MANIFEST (expected " + set.sha256 +
                               ", got " + got + ", from " + url + "): the mirror's copy is corrupt or truncated, or the MANIFEST belongs to another build; nothing was installed");
    }
    if (keep) fs::rename(part, done);
    finish_extraction(set, extractor);
  }

  void extract_cached(const ManifestEntry& set, const fs::path& file, const fs::path& root, const sdk::ExtractPolicy& policy) {
    auto owned = m_ctx.archiver().stream_extractor(root, policy);
    sdk::StreamExtractor& extractor = *owned;
    SetSink sink(set.file, std::nullopt, extractor, m_progress);
    sdk::UniqueFd in(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!in) throw std::runtime_error("cannot read " + file.string() + ": " + std::strerror(errno));
    struct stat st {};
    ::fstat(in.get(), &st);
    sink.start(0, static_cast<std::uint64_t>(st.st_size));
    std::vector<char> buf(1 << 20);
    for (;;) {
      ssize_t n = ::read(in.get(), buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw std::runtime_error("cannot read " + file.string() + ": " + std::strerror(errno));
      if (n == 0) break;
      sink.data(buf.data(), static_cast<std::size_t>(n));
    }
    if (sink.digest() != set.sha256) {
      extractor.abort();
      m_progress.end(false);
      std::error_code ec;
      fs::remove(file, ec);
      throw RestartRelease{"the downloaded " + set.file + " in " + m_download.string() +
                           " does not match the MANIFEST (changed on the mirror?); fetching it again"};
    }
    finish_extraction(set, extractor);
  }

  void finish_extraction(const ManifestEntry& set, sdk::StreamExtractor& extractor) {
    sdk::ExtractStats stats;
    try {
      stats = extractor.finish();
    } catch (const std::exception& e) {
      m_progress.end(false);
      throw std::runtime_error("cannot extract " + set.file + ": " + e.what());
    }
    m_progress.end(true);
    for (const auto& w : stats.warnings) m_ctx.host().log->warn("{}: {}", set.file, w);
    m_extracted.push_back(set.file);
  }

  void patch(const fs::path& root) {
    m_patched = false;
    if (m_ctx.os() != sdk::HostOs::FreeBSD) {
      m_progress.info("skipping freebsd-update: not a FreeBSD host");
      return;
    }
    if (!has_binary_updates(m_plan.release)) {
      m_progress.info("skipping freebsd-update: it serves no binary updates for " + m_plan.release);
      return;
    }
    if (m_plan.local) {
      m_progress.info("skipping freebsd-update: the sets came from a local directory (ftplocaldir)");
      return;
    }
    sdk::Updater* updater = nullptr;
    try {
      updater = &m_ctx.updater(root);
    } catch (const Refused& e) {
      m_progress.info(std::string("not patching: ") + e.what());
      return;
    }
    m_progress.info("applying the latest patches of " + m_plan.release + " (" + updater->name() + ")");
    updater->update_release(root, m_plan.release);
    m_patched = true;
  }

  void write_release_json() {
    nlohmann::json j{{"release", m_plan.release},
                     {"source", m_plan.source},
                     {"files", m_extracted},
                     {"fetched_at", static_cast<std::int64_t>(std::time(nullptr))},
                     {"patched", m_patched}};
    write_file_atomic(m_storage.mountpoint(m_staging) / "release.json", j.dump(2) + "\n");
  }

  void discard_staging() {
    if (!m_staged) return;
    m_extracted.clear();
    try {
      if (m_storage.exists(m_staging)) m_storage.destroy(m_staging);
      m_staged = false;
    } catch (const std::exception& e) {
      m_ctx.host().log->warn("cannot remove {}: {}; iocell clean removes it", m_staging, e.what());
    }
  }

  Context& m_ctx;
  Plan m_plan;
  sdk::Progress& m_progress;
  sdk::Storage& m_storage;
  std::unique_ptr<sdk::Fetcher> m_fetcher;
  fs::path m_download;
  std::string m_staging, m_final;
  bool m_staged = false, m_patched = false;
  std::vector<std::string> m_extracted;
};

// Messages when no progress renderer was installed.
class Silent : public sdk::Progress {
 public:
  void begin(const std::string&, std::uint64_t) override {}
  void advance(std::uint64_t) override {}
  void end(bool) override {}
  void info(const std::string&) override {}
};

Plan make_plan(Context& ctx, const FetchRequest& req) {
  Plan plan;
  std::string rel = req.release;
  if (rel.empty()) {
    rel = ctx.host_release();
    if (rel.empty())
      throw UsageError("fetch needs release=NAME on this host: Linux has no FreeBSD release of its own to default to "
                       "(for example: iocell fetch release=14.3-RELEASE)");
  }
  plan.release = normalize_release_name(rel);
  plan.source = release_source_url(ctx, req, plan.release);
  const PropertyValues defaults = read_defaults(ctx);
  plan.local = !unset(setting(defaults, req.ftplocaldir, "ftplocaldir"));
  const std::string files = setting(defaults, req.ftpfiles, "ftpfiles");
  plan.default_files = req.ftpfiles.empty() && !defaults.count("ftpfiles");
  plan.files = split_files(files);
  if (plan.files.empty()) throw UsageError("ftpfiles is empty: name the sets to fetch, such as ftpfiles=\"base.txz lib32.txz\"");
  for (const auto& f : plan.files) {
    if (f.find('/') != std::string::npos || f == "." || f == ".." || f == "MANIFEST" || f[0] == '.')
      throw UsageError("invalid set '" + f + "' in ftpfiles: sets are plain file names such as base.txz");
  }
  return plan;
}

}  // namespace

std::string release_source_url(Context& ctx, const FetchRequest& req, const std::string& release) {
  const PropertyValues defaults = read_defaults(ctx);
  const std::string localdir = setting(defaults, req.ftplocaldir, "ftplocaldir");
  if (!unset(localdir)) {
    if (localdir[0] != '/') throw UsageError("ftplocaldir must be an absolute path, not '" + localdir + "'");
    std::string dir = localdir;
    if (dir.back() != '/') dir += '/';
    return "file://" + percent_encode_path(dir);
  }
  std::string host = setting(defaults, req.ftphost, "ftphost");
  if (unset(host)) throw UsageError("ftphost is not set: give ftphost=HOST or a URL");
  std::string base;
  if (host.find("://") != std::string::npos) {
    if (scheme_of(host).empty()) throw UsageError("ftphost '" + host + "' is not a URL of the form scheme://host[/path]");
    base = host;
  } else {
    static const std::regex host_re("^[A-Za-z0-9]([A-Za-z0-9.-]*)(:[0-9]{1,5})?$");
    if (!std::regex_match(host, host_re))
      throw UsageError("ftphost '" + host + "' is neither a host name (ftp.hostname.org) nor a URL (https://host/path)");
    // FreeBSD's download service speaks https; the mirrors are named in
    // bsdinstall's mirrorselect as ftp://ftpN.CC.freebsd.org, and many of
    // them serve no https at all.
    base = (is_download_service(host) ? "https://" : "ftp://") + host;
  }
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string dir = setting(defaults, req.ftpdir, "ftpdir");
  if (unset(dir)) {
    auto [m, p] = machine(ctx);
    // The mirrors keep the installer's tree under /pub/FreeBSD/ (mirrorselect:
    // $MIRROR/pub/FreeBSD/${RELDIR}/`uname -m`/`uname -p`/${_UNAME_R});
    // download.freebsd.org serves the same tree from its top.
    const std::string top = is_download_service(base) ? "/" : "/pub/FreeBSD/";
    dir = top + (is_snapshot_release(release) ? "snapshots" : "releases") + "/" + m + "/" + p + "/" + release + "/";
  }
  if (dir[0] != '/') throw UsageError("ftpdir must start with '/', not '" + dir + "'");
  if (dir.find("/../") != std::string::npos || dir.find('?') != std::string::npos || dir.find('#') != std::string::npos)
    throw UsageError("ftpdir '" + dir + "' must be a plain directory path");
  if (dir.back() != '/') dir += '/';
  return base + percent_encode_path(dir);
}

FetchResult fetch_release(Context& ctx, const FetchRequest& req) {
  Silent silent;
  sdk::Progress& progress = ctx.host().progress ? *ctx.host().progress : silent;
  Plan plan = make_plan(ctx, req);
  plan.pkgbase = req.pkgbase;

  if (ctx.dry_run()) {
    progress.info("would fetch " + plan.release + " from " + plan.source + " (MANIFEST, then each of:");
    for (const auto& f : plan.files) progress.info("  " + plan.source + f);
    progress.info(") into " + (ctx.root() / "releases" / plan.release / "root").string());
    return FetchResult{plan.release, false, ctx.root() / "releases" / plan.release / "root"};
  }

  const fs::path lock_file = ctx.locks_dir() / ("release-" + plan.release);
  std::optional<FileLock> lock;
  lock.emplace(FileLock::try_lock(lock_file, "release " + plan.release));
  if (!lock->held()) {
    progress.info("waiting for another fetch of " + plan.release + " to finish");
    lock.reset();
    lock.emplace(lock_file, "release " + plan.release);
  }
  if (release_fetched(ctx, plan.release)) {
    FetchResult res;
    res.release = plan.release;
    res.already_present = true;
    res.root = ctx.storage().mountpoint("releases/" + plan.release + "/root");
    progress.info(plan.release + " is already fetched (" + res.root.string() + ")");
    return res;
  }
  progress.info("fetching " + plan.release + " from " + plan.source);
  ReleaseFetch fetch(ctx, plan, progress);
  FetchResult res = fetch.run();
  progress.info(plan.release + " fetched: " + res.root.string());
  return res;
}

}  // namespace iocell::core
