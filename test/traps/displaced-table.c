/* A table indexed from far before its start (`letters[c - 'a']`): built non-PIE, gcc addresses it as
 * `call *letters-776(,%rdx,8)`, a displacement that may land in another object or between sections.
 * An unreached function also refers to the table, so "nothing refers to it" cannot keep it live:
 * only the rule for position-dependent code (no data regions at all) does. */
#include <unistd.h>

static long call_getpid(void) { return getpid(); }
static long call_sync(void) { sync(); return 0; }

static long (*letters[])(void) = {call_getpid, call_sync};

__attribute__((noinline, used)) long dead_first(void) { return letters[0](); }

int main(int argc, char **argv) {
  long c = argc > 1 ? argv[1][0] : 'a';
  if (c < 'a' || c > 'b') return 2;
  /* A call, not a tail jump: a jump through the table would be followed as a switch's jump table. */
  long r = letters[c - 'a']();
  return r < -1000 ? 1 : 0;
}
