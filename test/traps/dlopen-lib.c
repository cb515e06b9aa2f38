/* Loaded by dlopen-main: one syscall in the constructor, one in the function found by dlsym. */
#include <sched.h>

__attribute__((constructor)) static void on_load(void) { sched_yield(); }

int trap_entry(void) { return sched_getscheduler(0); }
