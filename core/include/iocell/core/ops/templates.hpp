// Templates: a jail with template=yes, kept under templates/ and never started.
#pragma once

namespace iocell::core {

class Context;
struct JailRecord;

/// template=yes moves a stopped jail under templates/; template=no moves it
/// back, refused while clones depend on it (naming them).
void set_template(Context& ctx, const JailRecord& rec, bool to_template);

}  // namespace iocell::core
