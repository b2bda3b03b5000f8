"""dbgremote's sample for the structured side, as samples/shapes.c: an object holding an
object, passed to a function. Tests find lines by the LINE: markers. `shapes.py loop` spins
forever after the call."""
import sys
import time


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y


class Shape:
    def __init__(self, at, sides):
        self.at = at
        self.sides = sides


def area(s, k):
    r = s.sides * k  # LINE:in-area
    return r


def main(argv):
    sq = Shape(Point(3, 4), 4)
    n = 2
    n = area(sq, n)  # LINE:call
    if len(argv) > 1 and argv[1] == "loop":
        while True:
            time.sleep(0.01)  # LINE:loop
    return n


if __name__ == "__main__":
    sys.exit(main(sys.argv))
