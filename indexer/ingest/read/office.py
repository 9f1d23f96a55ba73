"""Word 97 ``.doc``, Kingsoft ``.wps``, ``.rtf`` and ``.odt`` files to text with LibreOffice (headless).

One ``soffice`` process converts many files in a row (it starts once, which takes
seconds, then converts each file in well under one), to UTF-8 text. It announces
each file (``convert A -> B``) as it finishes loading it: a file not announced
within :data:`FILE_TIMEOUT` seconds of the one before is taken as hanging, the
process is killed, that file is reported and a new process goes on with the
rest. Without LibreOffice each such file is skipped with the Debian package to
install named. Inputs are linked under numbered names in a private folder, so
files of one name in different folders never overwrite each other's text.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

from indexer.errors import SourceError
from indexer.ingest.read.conversions import ConversionInterrupted
from indexer.ingest.read.encodings import decode

OFFICE_SUFFIXES = (".doc", ".wps", ".rtf", ".odt")
PACKAGE = "libreoffice-writer-nogui"
FILE_TIMEOUT = 60.0  # seconds one file may take to load
STARTUP_TIMEOUT = 60.0  # seconds LibreOffice may take to start, on top of the first file's time
_FILTER = "txt:Text (encoded):UTF8"


def soffice_missing() -> str | None:
    """Why LibreOffice cannot convert here (naming the Debian package), or None when it can."""
    if _soffice() is None:
        return f"needs LibreOffice to read it: install the Debian package {PACKAGE}"
    return None


def converter_identity(timeout: float) -> str:
    """Which LibreOffice converts here and with what time limit (installed, upgraded or moved: another identity)."""
    soffice = _soffice()
    if soffice is None:
        return "LibreOffice: none"
    program = os.path.realpath(soffice)
    try:
        changed = os.stat(program).st_mtime_ns
    except OSError:
        changed = 0
    return f"LibreOffice {program} {changed} timeout={timeout:g}"


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_all(paths: list[Path], timeout: float = FILE_TIMEOUT) -> dict[Path, str | SourceError]:
    """The text of each file, or the SourceError saying why it could not be converted."""
    why = soffice_missing()
    if why:
        return {p: SourceError(str(p), why) for p in paths}
    results: dict[Path, str | SourceError] = {}
    with tempfile.TemporaryDirectory(prefix="jianbao-office-") as work:
        work_dir = Path(work)
        inputs = work_dir / "in"
        inputs.mkdir()
        links = []
        for n, path in enumerate(paths):
            link = inputs / f"{n:06d}{path.suffix.lower()}"
            os.symlink(os.path.abspath(path), link)
            links.append(link)
        todo = list(range(len(paths)))
        while todo:
            done, hung, ended = _run(links, todo, work_dir, timeout)
            for n in done:
                output = work_dir / "out" / f"{n:06d}.txt"
                results[paths[n]] = (_output(output, str(paths[n])) if ended == 0 or output.exists() else
                                     ConversionInterrupted(str(paths[n]), f"LibreOffice ended abnormally (exit "
                                                                          f"status {ended}) before writing it"))
            if hung is None:
                break
            results[paths[hung]] = ConversionInterrupted(str(paths[hung]), f"LibreOffice took longer than "
                                                                           f"{timeout:g} s to read it (stopped)")
            todo = todo[todo.index(hung) + 1:]
    return results


def _run(links: list[Path], todo: list[int], work: Path, timeout: float) -> tuple[list[int], int | None, int]:
    """Convert files ``todo`` in one process; return those announced, the one that hung (or None) and the
    process's exit status (0 also when it refused a file or was stopped for hanging; another: crashed, killed)."""
    command = [_soffice(), f"-env:UserInstallation=file://{work}/profile", "--headless", "--norestore",
               "--nologo", "--nodefault", "--nolockcheck", "--convert-to", _FILTER, "--outdir", str(work / "out"),
               *(str(links[n]) for n in todo)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                            text=True, encoding="utf-8", errors="replace", start_new_session=True)
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True).start()
    announced: list[int] = []
    names = {links[n].name: n for n in todo}
    limit = timeout + STARTUP_TIMEOUT
    try:
        while True:
            try:
                line = lines.get(timeout=limit)
            except queue.Empty:
                return announced, todo[len(announced)] if len(announced) < len(todo) else None, 0
            if line is None:  # the process ended: every file it could read is written
                return [n for n in todo], None, proc.wait()
            if line.startswith("convert "):
                name = Path(line.split(" -> ")[0][len("convert "):].strip()).name
                if name in names:
                    announced.append(names[name])
                    limit = timeout
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _pump(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def _output(path: Path, source: str) -> str | SourceError:
    """The text LibreOffice wrote for a file, or why there is none."""
    try:
        data = path.read_bytes()
    except OSError:
        return SourceError(source, "LibreOffice could not read it (damaged, encrypted or not a document)")
    try:
        return decode(data, source)
    except SourceError as e:
        return e
