"""dbgremote's threaded sample in Python, as samples/threads.c: two threads each
call work(n), the main thread joins them and exits with 3."""
import sys
import threading


def work(n):
    twice = n * 2  # LINE:work
    return twice


def main():
    threads = [threading.Thread(target=work, args=(i + 1,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return 3  # LINE:exit


if __name__ == "__main__":
    sys.exit(main())
