#!/usr/bin/env python3
"""Read the log of an Odoo 11 run with ``--test-enable`` and say whether the
addon's tests passed: ``odoo_test_log.py LOG``.

Odoo 11's runner has traps (see README "Tests"): it exits 0 when the tests
package fails to import (one ``Can not `import`` line), and a test module
whose classes are all skipped or wrongly tagged simply does not run. This
counts the tests each module ran ("Ran N tests" lines of unittest's runner,
logged by ``odoo.addons.<module>.tests.*``), and fails on a failure, on the
import trap, on any other ERROR or CRITICAL line (except the "Unmet
dependencies" of the bridge addons the wheels ship) and when no test ran.
Prints one closing line: ``odoo: N passed, M failed``.
"""
import re
import sys

RAN = re.compile(r" odoo\.addons\.(\w+)\.tests\.(\w+): Ran (\d+) tests? in ")
FAILED = re.compile(r" odoo\.addons\.\w+\.tests\.\w+: FAILED \(([^)]*)\)")
COUNT = re.compile(r"(failures|errors)=(\d+)")
# unittest's own lines for a failing test, logged at ERROR by Odoo's runner
TEST_LINE = re.compile(r" ERROR \S+ odoo\.addons\.\w+\.tests\.\w+: (` |FAIL|ERROR"
                       r"|Traceback|=+$|-+$)")
MODULE = "kam_management"


def parse(text, module=MODULE):
    ran, failed, problems = {}, 0, []
    for line in text.splitlines():
        match = RAN.search(line)
        if match and match.group(1) == module:
            ran[match.group(2)] = ran.get(match.group(2), 0) + int(
                match.group(3))
            continue
        match = FAILED.search(line)
        if match:
            failed += sum(int(n) for _k, n in COUNT.findall(match.group(1)))
            continue
        if "Can not `import" in line:
            problems.append(line)
        elif (" ERROR " in line or " CRITICAL " in line) and \
                "Unmet dependencies" not in line and \
                not TEST_LINE.search(line):
            problems.append(line)
    return ran, failed, problems


def main(path):
    with open(path, errors="replace") as log:
        text = log.read()
    ran, failed, problems = parse(text)
    total = sum(ran.values())
    for name in sorted(ran):
        print("  %-28s %4d tests" % (name, ran[name]))
    for line in problems[:30]:
        print("  problem: " + line[:400])
    if not total:
        print("  no test of %s ran (see %s)" % (MODULE, path))
    print("odoo: %d passed, %d failed" % (total - failed, failed))
    return 0 if total and not failed and not problems else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
