/* dbgremote's sample program: small, with a local that changes and a call,
 * so `break main`, `run`, `next`, `print x`, `break add`, `bt` and `continue`
 * all show something. Tests find lines by the LINE: markers, never by number.
 * `demo loop` spins forever (for interrupt tests). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int add(int a, int b) {
  int sum = a + b; /* LINE:in-add */
  return sum;
}

int main(int argc, char **argv) {
  int x = 1; /* LINE:x-first */
  x = x + 41; /* LINE:after-x */
  x = add(x, 8); /* LINE:call-add */
  printf("demo: x is %d\n", x); /* LINE:print */
  fflush(stdout);
  if (argc > 1 && strcmp(argv[1], "loop") == 0) {
    for (;;) {
      usleep(10000); /* LINE:loop */
    }
  }
  return 0;
}
