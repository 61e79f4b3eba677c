"""What every integration test prints: one line per check, then `N passed, N failed`."""
import sys

failures = []
passed = 0


def check(name, ok, detail=""):
    """Records one check; a failure prints its detail (cut to 2,000 characters)."""
    global passed
    if ok:
        passed += 1
        print("ok   %s" % name)
    else:
        failures.append(name)
        print("FAIL %s %s" % (name, str(detail)[:2000]))
    sys.stdout.flush()


def finish():
    """The tally line; the exit status for main()."""
    print("%d passed, %d failed" % (passed, len(failures)))
    return 1 if failures else 0
