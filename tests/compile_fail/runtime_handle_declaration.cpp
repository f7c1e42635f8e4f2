// Must NOT compile: the member function runtime::handle() hides the nested
// class runtime::handle from an ordinary qualified lookup (see the comment
// on runtime::handle). The test passes when the compiler rejects the line
// below with the diagnostic that says so; if a compiler ever accepts it,
// the test fails and the spelling can be adopted in tests and docs.
#include "kyoto/runtime/runtime.hpp"

void declare(kyoto::runtime& rt) {
  kyoto::runtime::handle h = rt.handle();
  (void)h;
}
