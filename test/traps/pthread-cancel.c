/* Cancelling a thread makes glibc dlopen libgcc_s.so.1 to unwind the thread's stack. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static int fds[2];

static void *reader(void *arg) {
  char c;
  (void)arg;
  for (;;) (void)read(fds[0], &c, 1);
  return NULL;
}

int main(void) {
  pthread_t t;
  void *result;
  if (pipe(fds) != 0) return 1;
  if (pthread_create(&t, NULL, reader, NULL) != 0) return 1;
  usleep(50000);
  pthread_cancel(t);
  pthread_join(t, &result);
  puts(result == PTHREAD_CANCELED ? "cancelled" : "not cancelled");
  return 0;
}
