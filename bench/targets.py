"""The closing lines of every benchmark of ``make bench``: one per target.

Not named ``bench_*.py``: ``scripts/bench.sh`` runs those, this one is only
imported by them.
"""


def report(checks):
    """Print ``<name>: <measured> (target <target>) PASS|FAIL`` for each
    ``(name, measured, target, ok)`` of ``checks``; return the exit code of
    the benchmark: 1 when any target failed, else 0."""
    for name, measured, target, ok in checks:
        print("%s: %s (target %s) %s"
              % (name, measured, target, "PASS" if ok else "FAIL"))
    return 0 if all(check[3] for check in checks) else 1
