"""dbgremote's terminal sample in Python, as samples/echo.c: says what its terminal
is, prints its arguments, echoes each line it reads until end of input, and exits
with 40 plus the number of lines read."""
import os
import sys


def main(argv):
    tty = os.isatty(0)
    cols, rows = os.get_terminal_size(0) if tty else (0, 0)
    print(f"echo: stdin {'is' if tty else 'is not'} a terminal, {cols}x{rows}, "
          f"TERM={os.environ.get('TERM', '(unset)')}", flush=True)
    print(f"echo: {len(argv) - 1} args:" + "".join(f" [{a}]" for a in argv[1:]), flush=True)
    n = 0
    for line in sys.stdin:  # LINE:read
        n += 1
        print(f"echo: line {n}: [{line.rstrip(chr(10))}]", flush=True)
    print(f"echo: end of input after {n} lines", flush=True)
    return 40 + n


if __name__ == "__main__":
    sys.exit(main(sys.argv))
