# iocell_plugin(NAME SOURCES...): a plugin module named iocell-NAME.so, built
# the way the core expects (hidden visibility, no undefined symbols, no "lib"
# prefix). Shared by the in-tree plugins and by third parties through
# find_package(iocell-sdk).
function(iocell_plugin name)
  add_library(iocell-${name} MODULE ${ARGN})
  target_link_libraries(iocell-${name} PRIVATE iocell::sdk)
  set_target_properties(iocell-${name} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  target_link_options(iocell-${name} PRIVATE -Wl,--no-undefined)
endfunction()
