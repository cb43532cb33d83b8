// The jail's passwd and group files, parsed as text. A process that has
// entered the jail must never ask NSS (it would load libraries from the
// jail's root into a privileged process), so users are looked up here, from
// files read through the host before anything enters.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace iocell::plugins::linux_ns {

struct UserEntry {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home = "/";
  std::string shell = "/bin/sh";
};

/// The passwd(5) line of `name` (a user name or a numeric uid), if any.
std::optional<UserEntry> find_user(const std::string& passwd_text, const std::string& name);
/// Groups of group(5) that list `user` as a member, plus `primary`.
std::vector<gid_t> groups_of(const std::string& group_text, const std::string& user, gid_t primary);

}  // namespace iocell::plugins::linux_ns
