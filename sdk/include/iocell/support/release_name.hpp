// The one grammar of release names, shared by the core (the release
// property, fetch) and the plugins (updaters, pkgbase), so that a name one
// accepts no other refuses.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace iocell::support {

/// MAJOR.MINOR-BRANCH[N][-pPATCH]: BRANCH is a word of capital letters, N
/// its number, as uname -r and the FreeBSD mirrors spell them (14.3-RELEASE,
/// 14.3-RELEASE-p2, 15.0-BETA1, 15.0-RC2, 14.2-ALPHA1, 14.3-STABLE,
/// 15.0-CURRENT, 14.3-PRERELEASE). Releases built for other hosts name
/// their own branch (1.36-BUSYBOX); freebsd() says whether it is FreeBSD's.
struct ReleaseName {
  int major = 0;
  int minor = 0;
  std::string branch;     ///< RELEASE, CURRENT, STABLE, PRERELEASE, ALPHA, BETA, RC, or another word
  int branch_number = 0;  ///< the N of ALPHAn, BETAn, RCn; 0 without one
  int patch = 0;          ///< the N of -pN; 0 without one

  /// The name without its patch level: 14.3-RELEASE-p2 -> 14.3-RELEASE.
  std::string base() const {
    std::string s = std::to_string(major) + "." + std::to_string(minor) + "-" + branch;
    if (branch_number > 0) s += std::to_string(branch_number);
    return s;
  }
  /// One of FreeBSD's branches: ALPHA, BETA and RC with their number, the
  /// others without; patch levels only where freebsd-update serves them.
  bool freebsd() const {
    const bool numbered = branch == "ALPHA" || branch == "BETA" || branch == "RC";
    const bool plain = branch == "RELEASE" || branch == "CURRENT" || branch == "STABLE" || branch == "PRERELEASE";
    if (numbered != (branch_number > 0)) return false;
    if (patch > 0 && branch != "RELEASE" && branch != "BETA" && branch != "RC") return false;
    return numbered || plain;
  }
  /// Kept under snapshots/ on the mirrors, not releases/: bsdinstall's
  /// mirrorselect puts only *-ALPHA*, *-CURRENT, *-STABLE and *-PRERELEASE
  /// there; BETA and RC builds are releases/ (and freebsd-update serves them).
  bool snapshot() const {
    return branch == "ALPHA" || branch == "CURRENT" || branch == "STABLE" || branch == "PRERELEASE";
  }
  /// freebsd-update.8, BINARY UPDATES AVAILABILITY: "available for ALPHA,
  /// BETA, RC, and RELEASE versions", not for PRERELEASE, STABLE, CURRENT.
  bool binary_updates() const { return branch == "ALPHA" || branch == "BETA" || branch == "RC" || branch == "RELEASE"; }
};

/// What the grammar allows, for error messages.
inline constexpr const char* kReleaseNameHelp =
    "a release name MAJOR.MINOR-BRANCH[N][-pN] such as 14.3-RELEASE, 14.3-RELEASE-p2, 15.0-BETA1, 15.0-RC2, "
    "14.2-ALPHA1, 14.3-STABLE, 15.0-CURRENT or 14.3-PRERELEASE";

namespace detail {
// A decimal number without a leading zero, at most 6 digits (no overflow).
inline bool take_number(std::string_view& s, int& out) {
  std::size_t n = 0;
  while (n < s.size() && s[n] >= '0' && s[n] <= '9') ++n;
  if (n == 0 || n > 6 || (n > 1 && s[0] == '0')) return false;
  out = 0;
  for (std::size_t i = 0; i < n; ++i) out = out * 10 + (s[i] - '0');
  s.remove_prefix(n);
  return true;
}
}  // namespace detail

inline std::optional<ReleaseName> parse_release_name(std::string_view s) {
  ReleaseName r;
  if (!detail::take_number(s, r.major) || s.substr(0, 1) != ".") return std::nullopt;
  s.remove_prefix(1);
  if (!detail::take_number(s, r.minor) || s.substr(0, 1) != "-") return std::nullopt;
  s.remove_prefix(1);
  std::size_t word = 0;
  while (word < s.size() && s[word] >= 'A' && s[word] <= 'Z') ++word;
  if (word == 0) return std::nullopt;
  r.branch = std::string(s.substr(0, word));
  s.remove_prefix(word);
  if (!s.empty() && s[0] >= '0' && s[0] <= '9' && (!detail::take_number(s, r.branch_number) || r.branch_number == 0))
    return std::nullopt;
  if (s.substr(0, 2) == "-p") {
    s.remove_prefix(2);
    if (!detail::take_number(s, r.patch) || r.patch == 0) return std::nullopt;
  }
  if (!s.empty()) return std::nullopt;
  return r;
}

inline bool is_release_name(std::string_view s) { return parse_release_name(s).has_value(); }

/// A FreeBSD release name (ReleaseName::freebsd()), nullopt otherwise.
inline std::optional<ReleaseName> parse_freebsd_release(std::string_view s) {
  auto r = parse_release_name(s);
  if (!r || !r->freebsd()) return std::nullopt;
  return r;
}

}  // namespace iocell::support
