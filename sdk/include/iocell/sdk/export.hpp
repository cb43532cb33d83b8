// Default visibility for every SDK type that crosses the plugin boundary.
//
// A plugin throws sdk::FetchError and the core catches it by type; the core
// calls a plugin's Storage through its vtable. Both need one type identity
// on both sides: clang with libc++ compares type_info by address. The SDK is
// headers only, so each type's type_info and vtable are emitted, weak, in
// every object that uses them; marked visible here, and exported by the
// iocell binary (ENABLE_EXPORTS, cli/CMakeLists.txt), the binary's copy is
// the one home the dynamic linker binds every plugin's references to. A
// host program that loads plugins must link the same way; tests/boundary
// proves it with each toolchain.
#pragma once

#define IOCELL_SDK_EXPORT __attribute__((visibility("default")))
