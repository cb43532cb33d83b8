// Default visibility for every SDK type that crosses the plugin boundary.
//
// A plugin throws sdk::FetchError and the core catches it by type; the core
// calls a plugin's Storage through its vtable. Both need one type identity
// on both sides: the type_info and vtable must be visible symbols (clang and
// libc++ compare type_info by address for types whose key function is not
// exported). Each such class also has an out-of-line key function (its
// destructor), defined once in libiocell-sdk, which both the binary and
// every plugin link: that library is the one home of their type_info.
#pragma once

#define IOCELL_SDK_EXPORT __attribute__((visibility("default")))
