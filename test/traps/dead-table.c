/* Data-object liveness (design rule 9): function pointers in a table only dead code refers to are
 * not address-taken; those reached through a chain of data, a section walked by its __start_/__stop_
 * symbols, or a one-based index (`table - 8`) are. */
#include <sched.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static long call_getgid(void) { return getgid(); }
static long call_umask(void) { return umask(022); }
static long call_sync(void) { sync(); return 0; }
static long call_getsid(void) { return getsid(0); }
static long call_getppid(void) { return getppid(); }
static long call_getpgrp(void) { return getpgrp(); }
static long call_yield(void) { return sched_yield(); }

/* Writable, so the compiler cannot fold a load of them into a direct call. Defined first, so that gcc
 * places dead_table last in .data.rel.ro: no live object follows it (a reference to the start of one
 * would also count as one past dead_table's end). */
static long (*dead_table[])(void) = {call_sync, call_getsid};
static long (*live_table[])(void) = {call_getgid, call_umask};

/* A chain: main reads ops_list, which points to ops_a, which holds the function. */
struct ops { long (*run)(void); long pad; };
static struct ops ops_a = {call_getppid, 1};
static struct ops ops_b = {call_getgid, 2};
static struct ops *ops_list[] = {&ops_a, &ops_b};

/* Entries the linker gathers into one section, walked from its start to its stop symbol. */
__attribute__((section("confine_hooks"), used)) static long (*const hook)(void) = call_getpgrp;
extern long (*const __start_confine_hooks[])(void);
extern long (*const __stop_confine_hooks[])(void);

/* Indexed from 1: the compiler may address it as one_based - 8. */
static long (*one_based[])(void) = {call_yield, call_umask};

/* Never called: the only code that refers to dead_table. */
__attribute__((noinline, used)) long dead_dispatch(int i) { return dead_table[i & 1](); }

int main(int argc, char **argv) {
  int i = argc > 1 ? atoi(argv[1]) : 0;
  long r = live_table[i & 1]();
  r += ops_list[i & 1]->run();
  for (long (*const *h)(void) = __start_confine_hooks; h < __stop_confine_hooks; h++) r += (*h)();
  if (argc > 2) r += one_based[atoi(argv[2]) - 1]();
  return (int)(r & 1);
}
