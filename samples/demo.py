"""dbgremote's sample program in Python: the same shape as demo.c (a local that
changes, a call), so the engine contract runs the same steps on it. Tests find
lines by the LINE: markers, never by number. `demo.py loop` spins forever."""
import sys
import time


def add(a, b):
    total = a + b  # LINE:in-add
    return total


def main(argv):
    x = 1  # LINE:x-first
    x = x + 41  # LINE:after-x
    x = add(x, 8)  # LINE:call-add
    print(f"demo: x is {x}", flush=True)  # LINE:print
    if len(argv) > 1 and argv[1] == "loop":
        while True:
            time.sleep(0.01)  # LINE:loop
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))  # LINE:call-main
