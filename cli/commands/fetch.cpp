// iocell fetch [release=R] [ftphost=H] [ftpdir=/dir/] [ftpfiles="base.txz lib32.txz"] [ftplocaldir=/dir] [-q]
#include <iocell/core/errors.hpp>
#include <iocell/core/release/fetch.hpp>
#include <iocell/core/release/progress.hpp>

#include "../args.hpp"
#include "../command.hpp"

namespace iocell::cli {
namespace {

// Restores the context's progress renderer when the command ends, even by
// an exception: the renderer dies with this scope.
struct ProgressScope {
  ProgressScope(core::Context& ctx, sdk::Progress* p) : m_ctx(ctx), m_saved(ctx.host().progress) { ctx.host().progress = p; }
  ~ProgressScope() { m_ctx.host().progress = m_saved; }
  core::Context& m_ctx;
  sdk::Progress* m_saved;
};

int fetch_command(Invocation& inv) {
  auto p = parse_args(inv);
  if (!p.words.empty())
    throw core::UsageError("fetch: unexpected '" + p.words.front() + "'; properties are given as name=value, such as release=14.3-RELEASE");
  core::FetchRequest req;
  for (const auto& [key, value] : p.assignment_list) {
    if (value.empty()) throw core::UsageError("fetch: " + key + "= needs a value");
    if (key == "release") req.release = value;
    else if (key == "ftphost") req.ftphost = value;
    else if (key == "ftpdir") req.ftpdir = value;
    else if (key == "ftpfiles") req.ftpfiles = value;
    else if (key == "ftplocaldir") req.ftplocaldir = value;
    else if (key == "pkgbase") {
      if (value != "yes" && value != "no") throw core::UsageError("fetch: invalid pkgbase=" + value + ": allowed: yes or no");
      req.pkgbase = value == "yes";
    } else
      throw core::UsageError("fetch: unknown property '" + key + "'; fetch takes release, ftphost, ftpdir, ftpfiles, ftplocaldir and pkgbase");
  }
  const bool quiet = p.flag("quiet") || inv.ctx.options().quiet;
  auto progress = core::make_progress(inv.ctx.out(), core::progress_style(quiet));
  ProgressScope scope(inv.ctx, progress.get());
  core::fetch_release(inv.ctx, req);
  return 0;
}

IOCELL_COMMAND({"fetch",
                "[release=R] [ftphost=HOST|URL] [ftpdir=/dir/] [ftpfiles=\"base.txz lib32.txz\"] [ftplocaldir=/dir] [pkgbase=yes]",
                "download a FreeBSD release, check it against its MANIFEST and install it under releases/",
                fetch_command, {}, false, false, {{"quiet", 'q', "", "print nothing but errors"}}});

}  // namespace
}  // namespace iocell::cli
