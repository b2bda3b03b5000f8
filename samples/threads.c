/* dbgremote's threaded sample: main starts two threads that each call work(n),
 * joins them and exits with 3. `threads segv` makes the second thread write
 * through a null pointer (a signal stop). Tests find lines by the LINE: markers. */
#include <pthread.h>
#include <string.h>

static int crash;

static int work(int n) {
  int twice = n * 2; /* LINE:work */
  if (crash && n == 2) *(volatile int *)0 = twice; /* LINE:segv */
  return twice;
}

static void *run(void *arg) {
  work((int)(long)arg);
  return 0;
}

int main(int argc, char **argv) {
  crash = argc > 1 && strcmp(argv[1], "segv") == 0;
  pthread_t t[2];
  for (long i = 0; i < 2; i++) pthread_create(&t[i], 0, run, (void *)(i + 1));
  for (int i = 0; i < 2; i++) pthread_join(t[i], 0);
  return 3; /* LINE:exit */
}
