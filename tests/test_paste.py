"""The paste un-collapser is linear in a line's length (issue 20: a long run of spaces made it quadratic)."""

from __future__ import annotations

import time

from fixbot import paste
from tests.support import bounded, hostile


def test_a_collapsed_traceback_splits_where_its_lines_ended():
    line = ('Traceback (most recent call last):   File "/app/x.py", line 3, in <module>     main()  '
            "FileNotFoundError: [Errno 2] No such file or directory: '/var/log/x/a.log'")
    assert paste.split(line) == ["Traceback (most recent call last):", '  File "/app/x.py", line 3, in <module>',
                                 "    main()", "FileNotFoundError: [Errno 2] No such file or directory: '/var/log/x/a.log'"]


def test_a_long_run_of_spaces_costs_linear_time():
    times = {}
    for size in (25_000, 400_000):
        start = time.process_time()
        lines = paste.split(hostile.collapsed_spaces(size).rstrip("\n"))
        times[size] = time.process_time() - start
        assert lines[-1].startswith("FileNotFoundError")
    assert times[400_000] < 0.5, times  # 16x the text; quadratic was 5 s at 10 KB


def test_diagnose_answers_on_long_lines(tmp_path):
    log = tmp_path / "collapsed.log"
    log.write_text(hostile.collapsed_spaces(60_000))  # under logs.MAX_LINE: read whole, the cause found
    ran = bounded.assert_bounded(bounded.fixbot("diagnose", str(log)))
    assert ran.returncode == 1 and "FileNotFoundError" in ran.stdout, ran
    log.write_text(hostile.collapsed_spaces(1_000_000))  # cut at logs.MAX_LINE, so the cause is gone
    ran = bounded.assert_bounded(bounded.fixbot("diagnose", str(log)))
    assert ran.returncode == 1 and ran.stdout == "No known failure found in the log.\n", ran
