// The rctl resource list has one home (support/rctl.hpp); the property
// table's rows and the core's list are that list, in its order.
#include <gtest/gtest.h>

#include <iocell/core/properties.hpp>
#include <iocell/support/rctl.hpp>

namespace iocell::core {
namespace {

TEST(VocabRctl, PropertyTableRowsAreTheSupportList) {
  std::vector<std::string> rows;
  for (const auto& d : property_table())
    if (d.type == PropType::Rctl) rows.emplace_back(d.name);
  std::vector<std::string> listed;
  for (const auto& r : support::kRctlResources) listed.emplace_back(r.name);
  EXPECT_EQ(rows, listed);
  EXPECT_EQ(rctl_resources(), listed);
  ASSERT_EQ(rctl_resource_names().size(), listed.size());
  for (const auto& r : support::kRctlResources) EXPECT_FALSE(r.meaning.empty()) << r.name;
}

}  // namespace
}  // namespace iocell::core
