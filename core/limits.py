"""The documented size limits (``docs/limits.md``), checked up front wherever input arrives.

One table, one message style: a size beyond a limit is refused before any work starts, with a
:class:`LimitError` (a :class:`~core.model.errors.DealError`, so every command exits 2 with it)
naming the field, file or option, the value found and the limit. Commands, the GUI and the
file readers call these checks instead of keeping their own numbers; a new command that reads
a deal, a workbook or a path count uses the same functions.

The limits are set where a deal stops being a plausible financing and the time or memory a
run needs stops being interactive (figures in BENCHMARKS.md, "Limits").
"""

from __future__ import annotations

import os
import re
import stat

#: a deal file (JSON) larger than this is refused before it is parsed
MAX_DEAL_FILE_BYTES = 20 * 1024 * 1024
#: blocks in one deal (all kinds together)
MAX_BLOCKS = 200
#: connections in one deal
MAX_CONNECTIONS = 1_000
#: tranches in one deal
MAX_TRANCHES = 20
#: periods of a deal's timeline (the SPV's horizon is at most 50 years: 600 months)
MAX_PERIODS = 600
#: numbers in one list term (a custom schedule or rate curve: at most one a period)
MAX_LIST_ITEMS = MAX_PERIODS
#: characters in one text term or id (an Excel cell holds at most 32,767)
MAX_TEXT_CHARS = 1_000
#: characters in the deal's description
MAX_DESCRIPTION_CHARS = 30_000
#: a block's position on the canvas, either coordinate, in scene units
MAX_POSITION = 1_000_000.0
#: dates: closing dates and other date terms lie in these years (a 50-year horizon from the
#: latest closing still ends long before the calendar's year 9999)
EARLIEST_YEAR, LATEST_YEAR = 1950, 2200
#: values on one axis of a stress grid (stress --grid): at most 50 x 50 deterministic runs
MAX_GRID_AXIS = 50
#: Monte Carlo paths in one run (montecarlo, report, export)
MAX_PATHS = 2_000_000
#: a portfolio (python main.py portfolio): deals and holdcos in a book, and paths x deals of a
#: run (every deal runs its waterfall on every path; ~400 bytes a path are kept for a book of
#: 20 deals, so 5,000,000 deal-paths stay within a few hundred MB: BENCHMARKS.md)
MAX_BOOK_DEALS = 50
MAX_HOLDCOS = 10
MAX_PORTFOLIO_DEAL_PATHS = 5_000_000
#: an Excel workbook to import: file size, cells in the rows the import reads (the first 2,000
#: of each sheet; later rows are never parsed) of all sheets together, shared strings
MAX_WORKBOOK_BYTES = 200 * 1024 * 1024
MAX_WORKBOOK_CELLS = 500_000
MAX_SHARED_STRINGS = 1_000_000

#: control characters (other than tab, line feed, carriage return): not
#: allowed in any text of a deal (Excel cannot hold them and they hide in a name)
_BAD_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

#: the rows of docs/limits.md, in order: (what, limit, where it is checked)
TABLE: tuple[tuple[str, str, str], ...] = (
    ("deal file size", f"{MAX_DEAL_FILE_BYTES // 2**20} MB", "reading a deal file"),
    ("blocks in a deal", f"{MAX_BLOCKS:,}", "reading a deal, every run"),
    ("connections in a deal", f"{MAX_CONNECTIONS:,}", "reading a deal, every run"),
    ("tranches in a deal", f"{MAX_TRANCHES:,}", "reading a deal, every run"),
    ("periods of a timeline", f"{MAX_PERIODS:,}", "every run"),
    ("numbers in a list term", f"{MAX_LIST_ITEMS:,}", "every field check"),
    ("characters in a text term or id", f"{MAX_TEXT_CHARS:,}", "every field check"),
    ("characters in the description", f"{MAX_DESCRIPTION_CHARS:,}", "reading a deal"),
    ("canvas position, each coordinate", f"+-{MAX_POSITION:,.0f}", "reading a deal"),
    ("years of a date term", f"{EARLIEST_YEAR}-{LATEST_YEAR}", "every field check"),
    ("values on a stress-grid axis", f"{MAX_GRID_AXIS:,}", "stress --grid"),
    ("Monte Carlo paths", f"{MAX_PATHS:,}", "montecarlo, report, export"),
    ("deals in a portfolio file", f"{MAX_BOOK_DEALS:,}", "reading a portfolio"),
    ("holdcos in a portfolio file", f"{MAX_HOLDCOS:,}", "reading a portfolio"),
    ("portfolio paths x deals", f"{MAX_PORTFOLIO_DEAL_PATHS:,}", "portfolio"),
    ("workbook file size", f"{MAX_WORKBOOK_BYTES // 2**20} MB", "import"),
    ("workbook cells (first 2,000 rows of every sheet)", f"{MAX_WORKBOOK_CELLS:,}", "import"),
    ("workbook shared strings", f"{MAX_SHARED_STRINGS:,}", "import"),
)


def check_count(path: str, count: int, what: str, limit: int) -> None:
    """Refuse ``count`` above ``limit``; ``what`` says what was counted."""
    from core.model.errors import LimitError  # core.model imports these limits

    if count > limit:
        raise LimitError(path, count, what, limit)


def check_paths(n_paths: int, option: str = "--paths") -> None:
    """Refuse a Monte Carlo path count above :data:`MAX_PATHS`."""
    from core.model.errors import LimitError

    if isinstance(n_paths, int) and n_paths > MAX_PATHS:
        raise LimitError(option, n_paths, "the number of Monte Carlo paths", MAX_PATHS)


def check_portfolio_size(n_paths: int, n_deals: int) -> None:
    """Refuse a portfolio run of more than :data:`MAX_PORTFOLIO_DEAL_PATHS` paths x deals."""
    from core.model.errors import LimitError

    check_paths(n_paths)
    if isinstance(n_paths, int) and n_paths * n_deals > MAX_PORTFOLIO_DEAL_PATHS:
        raise LimitError(
            "--paths", n_paths, f"paths x deals ({n_deals} deals)", MAX_PORTFOLIO_DEAL_PATHS
        )


def text_problem(value: str, limit: int = MAX_TEXT_CHARS) -> str | None:
    """Why ``value`` cannot be a text of a deal (too long, a control character), or None."""
    if len(value) > limit:
        return f"must be at most {limit:,} characters long (docs/limits.md)"
    bad = _BAD_TEXT.search(value)
    if bad:
        return (
            f"holds the control character U+{ord(bad.group()):04X} at position "
            f"{bad.start() + 1}; remove it"
        )
    return None


def check_readable_file(path: str | os.PathLike[str]) -> os.stat_result:
    """Refuse an input that is not a regular file (a FIFO, a device, a folder) BEFORE it is
    opened: opening a FIFO for reading blocks until someone writes to it. Returns its stat."""
    from core.model.errors import FileRefused

    name = os.fspath(path)
    try:
        st = os.stat(name)
    except OSError as exc:
        raise FileRefused(name, f"cannot be read: {exc.strerror}") from None
    if stat.S_ISDIR(st.st_mode):
        raise FileRefused(name, "cannot be read: it is a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise FileRefused(name, "cannot be read: it is a pipe or a device, not a regular file")
    return st


def read_text_file(path: str | os.PathLike[str], max_bytes: int = MAX_DEAL_FILE_BYTES) -> str:
    """The UTF-8 text of a small input file (a scenario set, a market model, a mapping),
    refused with a message naming the file when it is not a regular file, larger than
    ``max_bytes`` or not UTF-8."""
    from core.model.errors import FileRefused

    name = os.fspath(path)
    st = check_readable_file(name)
    if st.st_size > max_bytes:
        raise FileRefused(name, f"is larger than {max_bytes // 2**20} MB; refused")
    try:
        with open(name, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise FileRefused(name, f"cannot be read: {exc.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRefused(name, f"is not UTF-8 text (invalid byte at offset {exc.start})") from None
