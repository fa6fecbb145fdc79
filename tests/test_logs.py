"""The log reader: every source kind, every wrapper CI systems add, and input that must not crash it."""

from __future__ import annotations

import gzip
import io
import os
import resource
import subprocess
import sys
import zipfile

import pytest

from fixbot import logs
from fixbot.errors import BadInput


def texts(path) -> list[str]:
    return [line.text for line in logs.read_lines(str(path))]


@pytest.mark.parametrize(
    "raw, text",
    [
        pytest.param(b"ValueError: x\r", "ValueError: x", id="crlf"),
        pytest.param(b"\x1b[1;31mValueError\x1b[0m: x", "ValueError: x", id="ansi colours"),
        pytest.param(b"\x1b]8;;http://x\x07link\x1b]8;;\x07", "link", id="osc hyperlink"),
        pytest.param(b"2026-03-01T10:00:00.1234567Z ValueError: x", "ValueError: x", id="github timestamp"),
        pytest.param(b"2026-03-01T10:00:00.1234567Z ##[group]Run ./deploy.sh", "Run ./deploy.sh", id="group"),
        pytest.param(b"##[error]Process completed with exit code 1.", "Process completed with exit code 1.",
                     id="error marker"),
        pytest.param(b"bad \xff\xfe bytes", "bad \ufffd\ufffd bytes", id="invalid utf-8"),
        pytest.param(b"10%\r50%\r100% done", "100% done", id="progress redraws"),
        pytest.param(b"2026 was a year", "2026 was a year", id="digits that are no timestamp"),
    ],
)
def test_normalise(raw, text):
    assert logs.normalise(raw) == text


def test_line_numbers_count_every_line(tmp_path):
    path = tmp_path / "x.log"
    path.write_bytes(b"one\n\ntwo\r\nthree")
    assert [(l.number, l.text) for l in logs.read_lines(str(path))] == [(1, "one"), (2, ""), (3, "two"), (4, "three")]


def test_gzip_is_read_transparently(tmp_path):
    path = tmp_path / "x.log.gz"
    path.write_bytes(gzip.compress(b"a\nb\n"))
    assert texts(path) == ["a", "b"]


def test_run_zip_reads_job_logs_once(tmp_path):
    # GitHub's archive: each job's whole log at the top, the same lines again per step in a folder.
    path = tmp_path / "logs.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("0_deploy.txt", "2026-03-01T10:00:00.0000000Z step one\n2026-03-01T10:00:01.0Z step two\n")
        archive.writestr("deploy/1_Set up job.txt", "step one\n")
        archive.writestr("deploy/2_Run deploy.txt", "step two\n")
    found = list(logs.read_lines(str(path)))
    assert [(l.source, l.text) for l in found] == [("0_deploy.txt", "step one"), ("0_deploy.txt", "step two")]


def test_zip_without_top_level_logs_reads_the_step_files(tmp_path):
    path = tmp_path / "logs.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("deploy/1_a.txt", "a\n")
        archive.writestr("deploy/2_b.txt", "b\n")
    assert texts(path) == ["a", "b"]


def test_truncated_zip_is_bad_input(tmp_path):
    whole = io.BytesIO()
    with zipfile.ZipFile(whole, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("0_deploy.txt", "line\n" * 10000)
    path = tmp_path / "logs.zip"
    path.write_bytes(whole.getvalue()[: len(whole.getvalue()) // 2])
    with pytest.raises(BadInput, match="zip"):
        texts(path)


def test_truncated_gzip_is_bad_input(tmp_path):
    data = gzip.compress(b"line\n" * 100000)
    path = tmp_path / "x.log.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(BadInput, match="truncated or corrupt"):
        texts(path)


def test_missing_file_and_directory_are_bad_input(tmp_path):
    with pytest.raises(BadInput, match="no such file"):
        texts(tmp_path / "nope.log")
    with pytest.raises(BadInput, match="is a directory"):
        texts(tmp_path)


def test_an_endless_line_is_cut_and_the_next_line_survives(tmp_path, monkeypatch):
    monkeypatch.setattr(logs, "CHUNK", 1024)  # many chunks inside the one long line
    path = tmp_path / "x.log"
    path.write_bytes(b"start\n" + b"x" * (logs.MAX_LINE * 3 + 17) + b"\nValueError: after\n")
    lines = texts(path)
    assert lines[0] == "start"
    assert lines[1] == "x" * logs.MAX_LINE
    assert lines[2:] == ["ValueError: after"]


@pytest.mark.parametrize("chunk", [7, 64, 4096])
def test_chunks_reassemble_to_the_lines(chunk, monkeypatch):
    monkeypatch.setattr(logs, "CHUNK", chunk)
    data = b"".join(b"line %d %s\n" % (i, b"y" * (i % 50)) for i in range(300))
    joined = b"\n".join(logs.chunks(io.BytesIO(data)))
    assert joined.split(b"\n") == data.split(b"\n")[:-1]


# --- sources that never end: each is refused (exit 2, one line) or read to its end, never waited on ---------

FIXBOT = [sys.executable, "-m", "fixbot.cli"]
# Generous for a shared CI machine; a source that hangs is killed here, which fails the test.
PROMPTLY = 60
# fixbot's reading is bounded: past this much address space (Python, its imports and a few MiB of buffers
# need ~300 MiB), an unbounded buffer would fail with MemoryError instead of growing.
ADDRESS_SPACE = 1 << 30


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def assert_refused(result: subprocess.CompletedProcess, *words: str) -> None:
    err = result.stderr.decode(errors="replace")
    assert result.returncode == 2, (result.returncode, err[-2000:])
    assert err.count("\n") == 1 and "Traceback" not in err and all(w in err for w in words), err


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_a_device_is_not_a_log_file(device):
    result = subprocess.run([*FIXBOT, "diagnose", device], capture_output=True, timeout=PROMPTLY)
    assert_refused(result, device, "not a regular file")


def test_a_fifo_with_no_writer_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "deploy.log"
    os.mkfifo(fifo)
    for command in (["diagnose", str(fifo)], ["apply", "--log", str(fifo), "--repo", str(tmp_path), "--dry-run"]):
        result = subprocess.run([*FIXBOT, *command], capture_output=True, timeout=PROMPTLY)
        assert_refused(result, str(fifo), "not a regular file")


def test_a_symlink_to_a_device_is_not_a_log_file(tmp_path):
    link = tmp_path / "deploy.log"
    link.symlink_to("/dev/zero")
    assert_refused(subprocess.run([*FIXBOT, "diagnose", str(link)], capture_output=True, timeout=PROMPTLY),
                   "not a regular file")


@pytest.mark.skipif(not os.access("/proc/kmsg", os.R_OK), reason="/proc/kmsg is readable only by root")
def test_a_kernel_file_that_looks_regular_is_refused_without_reading(tmp_path):
    link = tmp_path / "deploy.log"  # a committed symlink, say: /proc/kmsg is "regular" and blocks until the kernel logs
    link.symlink_to("/proc/kmsg")
    for path in ("/proc/kmsg", str(link)):
        assert_refused(subprocess.run([*FIXBOT, "diagnose", path], capture_output=True, timeout=PROMPTLY),
                       "a kernel file")


def test_zeros_on_stdin_are_refused_as_binary_on_the_first_block():
    with open("/dev/zero", "rb") as zeros:  # no newline ever: the check cannot wait for the first line
        result = subprocess.run([*FIXBOT, "diagnose", "-"], stdin=zeros, capture_output=True, timeout=PROMPTLY,
                                preexec_fn=_limit_memory)
    assert_refused(result, "binary")


def test_endless_stdin_without_a_newline_ends_in_bounded_memory():
    writer = subprocess.Popen(
        [sys.executable, "-c", "import sys\nblock = b'y' * 65536\nwhile True: sys.stdout.buffer.write(block)"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )
    try:
        result = subprocess.run([*FIXBOT, "diagnose", "-"], stdin=writer.stdout, capture_output=True,
                                timeout=PROMPTLY, preexec_fn=_limit_memory)
    finally:
        writer.kill()
        writer.wait()
        writer.stdout.close()
    assert_refused(result, "no newline")


def test_a_long_line_under_the_cap_is_still_read(tmp_path, monkeypatch):
    monkeypatch.setattr(logs, "CHUNK", 1024)
    monkeypatch.setattr(logs, "MAX_LINE", 2048)
    monkeypatch.setattr(logs, "MAX_RAW_LINE", 10 * 1024)
    path = tmp_path / "x.log"
    path.write_bytes(b"start\n" + b"x" * (10 * 1024) + b"\nValueError: after\n")
    assert texts(path)[1:] == ["x" * 2048, "ValueError: after"]
    path.write_bytes(b"start\n" + b"x" * (10 * 1024 + 1) + b"\nValueError: after\n")
    with pytest.raises(BadInput, match=r"x.log: a line runs past 10\.0 KiB with no newline"):
        texts(path)
