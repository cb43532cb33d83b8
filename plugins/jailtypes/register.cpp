#include "basejail.hpp"
#include "jailtypes_plugin.hpp"
#include "simple_types.hpp"

namespace iocell::plugins::jailtypes {

namespace {
template <class T>
std::unique_ptr<sdk::JailType> make(const sdk::HostContext& host) {
  return std::make_unique<T>(host);
}
}  // namespace

void register_plugin(sdk::Registrar& r) noexcept {
  r.add_jail_type("thickjail", sdk::kAnyOs, &make<ThickJail>);
  r.add_jail_type("clonejail", sdk::kAnyOs, &make<CloneJail>);
  r.add_jail_type("basejail", sdk::kAnyOs, &make<BaseJail>);
  r.add_jail_type("emptyjail", sdk::kAnyOs, &make<EmptyJail>);
}

}  // namespace iocell::plugins::jailtypes
