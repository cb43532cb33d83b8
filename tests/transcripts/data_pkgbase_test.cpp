// A release built from FreeBSD-base packages (plugins/pkg/pkgbase_release.hpp,
// asked through sdk::Packages::build_base_tree): the transcript of the pkg
// commands and the choice of packages.
#include <gtest/gtest.h>

#include <iocell/sdk/errors.hpp>
#include <iocell/sdk/packages.hpp>

#include "pkgbase_release.hpp"

#include "support/data_freebsd_host.hpp"

using iocell::test::data::error_of;
using iocell::test::data::FreebsdHost;
using iocell::test::storage::read;
using iocell::test::storage::write;
namespace core = iocell::core;
namespace fs = std::filesystem;

TEST(DataPkgbase, ReleaseFromFreebsdBasePackages) {
  iocell::test::storage::ScratchDir d("data-pkgbase");
  const fs::path stage = d.path() / "stage", work = d.path() / "work", keys = d.path() / "keys";
  fs::create_directories(stage);
  write(keys / "pkgbase-15/trusted/pkgbase.freebsd.org.2024", "function: \"sha256\"\nfingerprint: \"abc\"\n");
  FreebsdHost h("pkgbase/release.txt", {{"STAGE", stage.string()}, {"WORK", work.string()}});
  iocell::sdk::BaseTreeRequest req;
  req.release = "15.0-RELEASE";
  req.root = stage;
  req.workdir = work;
  req.keys = keys;
  ASSERT_TRUE(h.ctx->packages().builds_base_trees());
  auto packages = h.ctx->packages().build_base_tree(req);
  EXPECT_EQ(packages, (std::vector<std::string>{"FreeBSD-set-minimal-jail", "FreeBSD-set-base-jail", "pkg"}));
  h.finish();
  // The key pkg checks signatures with, read relative to --rootdir.
  EXPECT_TRUE(fs::exists(stage / "usr/share/keys/pkgbase-15/trusted/pkgbase.freebsd.org.2024"));
  const std::string conf = read(work / "repos/FreeBSD-base.conf");
  EXPECT_NE(conf.find("url: \"pkg+https://pkg.FreeBSD.org/${ABI}/base_release_0\""), std::string::npos) << conf;
  EXPECT_NE(conf.find("fingerprints: \"/usr/share/keys/pkgbase-15\""), std::string::npos) << conf;
  EXPECT_EQ(read(stage / "usr/local/etc/pkg/repos/FreeBSD.conf"), "FreeBSD-base: { enabled: yes }\n");
}

TEST(DataPkgbase, WhatIsRefused) {
  iocell::test::storage::ScratchDir d("data-pkgbase-refused");
  FreebsdHost h("pkgbase/refused.txt", {});
  iocell::sdk::BaseTreeRequest req;
  req.root = d.path();
  req.workdir = d.path() / "work";
  req.release = "14.3-RELEASE";
  auto& packages = h.ctx->packages();
  EXPECT_THROW(packages.build_base_tree(req), iocell::sdk::InvalidRequest) << "no FreeBSD-base before 15.0";
  req.release = "latest";
  EXPECT_THROW(packages.build_base_tree(req), iocell::sdk::InvalidRequest);
  req.release = "15.0-RELEASE";
  req.arch = "amd64";
  req.keys = d.path() / "no-keys";
  const std::string err = error_of([&] { packages.build_base_tree(req); });
  EXPECT_NE(err.find("pkgbase-15"), std::string::npos) << err;
  h.finish();
}

TEST(DataPkgbase, PackageChoice) {
  const std::vector<std::string> catalogue = {"FreeBSD-set-minimal", "FreeBSD-set-base", "FreeBSD-set-devel", "FreeBSD-set-kernels",
                                              "FreeBSD-kernel-generic", "FreeBSD-runtime"};
  // Without jail variants, the plain sets; no pkg in this repository.
  EXPECT_EQ(iocell::plugins::pkg::choose_pkgbase_packages(catalogue, {}), (std::vector<std::string>{"FreeBSD-set-minimal", "FreeBSD-set-base"}));
  EXPECT_EQ(iocell::plugins::pkg::choose_pkgbase_packages(catalogue, {"minimal", "devel"}),
            (std::vector<std::string>{"FreeBSD-set-minimal", "FreeBSD-set-devel"}));
  EXPECT_THROW(iocell::plugins::pkg::choose_pkgbase_packages(catalogue, {"kernels"}), iocell::sdk::InvalidRequest);
  const std::string err = error_of([&] { iocell::plugins::pkg::choose_pkgbase_packages(catalogue, {"lib32"}); });
  EXPECT_NE(err.find("no set 'lib32'"), std::string::npos) << err;
  EXPECT_NE(err.find("minimal, base, devel"), std::string::npos) << "names the sets it has, without kernels: " << err;
  EXPECT_THROW(iocell::plugins::pkg::choose_pkgbase_packages({"FreeBSD-runtime"}, {}), iocell::sdk::InvalidRequest);
}
