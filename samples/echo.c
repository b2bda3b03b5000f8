/* dbgremote's terminal sample: says what its terminal is, prints its arguments,
 * then echoes each line it reads until end of input, and exits with 40 plus the
 * number of lines read (so tests can tell the exit code is the program's).
 * `echo --spew MB` writes MB megabytes of ordinary 80-character lines instead
 * (for bench/). Tests find lines by the LINE: markers, never by number. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int spew(long megabytes) {
  char line[81];
  memset(line, 'x', 79);
  line[79] = '\n';
  line[80] = 0;
  long lines = megabytes * 1024 * 1024 / 80;
  for (long i = 0; i < lines; i++) fputs(line, stdout);
  fflush(stdout);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "--spew") == 0) return spew(atol(argv[2]));
  struct winsize ws = {0};
  ioctl(0, TIOCGWINSZ, &ws);
  const char *term = getenv("TERM");
  printf("echo: stdin %s a terminal, %dx%d, TERM=%s\n", isatty(0) ? "is" : "is not", ws.ws_col,
         ws.ws_row, term ? term : "(unset)");
  printf("echo: %d args:", argc - 1);
  for (int i = 1; i < argc; i++) printf(" [%s]", argv[i]);
  printf("\n");
  fflush(stdout);
  char line[4096];
  int n = 0;
  while (fgets(line, sizeof line, stdin)) { /* LINE:read */
    n++;
    line[strcspn(line, "\n")] = 0;
    printf("echo: line %d: [%s]\n", n, line);
    fflush(stdout);
  }
  printf("echo: end of input after %d lines\n", n);
  return 40 + n;
}
