/* dbgremote's sample for the structured side (stack, scopes, variables): a local struct
 * with a struct inside, passed by pointer. Tests find lines by the LINE: markers.
 * `shapes loop` spins forever after the call (for tests of a running target). */
#include <string.h>
#include <unistd.h>

struct point {
  int x;
  int y;
};

struct shape {
  struct point at;
  int sides;
};

static int area(struct shape *s, int k) {
  int r = s->sides * k; /* LINE:in-area */
  return r;
}

int main(int argc, char **argv) {
  struct shape sq = {{3, 4}, 4};
  int n = 2;
  n = area(&sq, n); /* LINE:call */
  if (argc > 1 && strcmp(argv[1], "loop") == 0) {
    for (;;) {
      usleep(10000); /* LINE:loop */
    }
  }
  return n;
}
