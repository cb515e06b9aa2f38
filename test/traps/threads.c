/* Creates a thread (glibc's pthread_create: __clone_internal tries clone3, then clone). Built with
 * -DDIRECT_CLONE3 it also makes clone3 itself through syscall(2), without any fallback: then a
 * policy must allow clone3. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static void *run(void *arg) { return arg; }

int main(int argc, char **argv) {
  pthread_t t;
  if (pthread_create(&t, NULL, run, NULL) != 0) return 1;
  pthread_join(t, NULL);
#ifdef DIRECT_CLONE3
  if (argc > 1) printf("%ld\n", syscall(SYS_clone3, (void *)0, (size_t)0));
#else
  (void)argc;
  (void)argv;
#endif
  return 0;
}
