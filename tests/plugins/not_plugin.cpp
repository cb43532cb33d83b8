// A shared object that is not an iocell plugin at all.
extern "C" __attribute__((visibility("default"))) int some_unrelated_function() { return 42; }
