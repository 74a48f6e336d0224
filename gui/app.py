"""Start the desktop application: ``run_app(argv)``.

``python main.py``                        the built-in sample deal
``python main.py DEAL.json``              that deal (a bad file: a message, then an empty deal)
``python main.py DEAL.json --screenshot OUT.png``  render the window (after the first
recompute) to a PNG and exit; a bad deal file prints the error and exits 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QThread
from PySide6.QtWidgets import QApplication, QMessageBox

from core.files.deal_json import load_deal
from core.model.deal import Deal
from core.model.errors import DealError

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
SAMPLE_DEAL = RESOURCES / "deals" / "hyperion_jv.json"
STYLESHEET = RESOURCES / "style.qss"
RESULT_TIMEOUT_MS = 60_000


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="main.py", description="CapStack desktop application")
    parser.add_argument("deal", nargs="?", help="deal file (JSON) to open")
    parser.add_argument("--screenshot", metavar="OUT.png", help="render the window and exit")
    parser.add_argument(
        "--size",
        metavar="WxH",
        default="1600x1000",
        help="window size of --screenshot (e.g. 1280x720: the laptop arrangement)",
    )
    return parser.parse_args(argv)


def application(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created once) with CapStack's names and stylesheet."""
    app = QApplication.instance() or QApplication(argv or ["capstack"])
    QCoreApplication.setOrganizationName("CapStack")
    QCoreApplication.setApplicationName("CapStack")
    if STYLESHEET.exists():
        app.setStyleSheet(STYLESHEET.read_text(encoding="utf-8"))
    return app


def load_or_explain(path: str) -> tuple[Deal | None, str | None]:
    """``(deal, None)``, or ``(None, message)`` naming the file, field and value."""
    try:
        return load_deal(path, check=False), None
    except (DealError, OSError) as exc:
        return None, str(exc)


def settle(app: QApplication, ms: int) -> None:
    """Process events for ``ms`` milliseconds (lets layouts and the first paint happen)."""
    timer = QElapsedTimer()
    timer.start()
    while timer.elapsed() < ms:
        app.processEvents()
        QThread.msleep(10)


def make_window(path: str | None, *, screenshot: bool = False):  # noqa: ANN201 - MainWindow
    """The main window on ``path`` (None: the built-in sample); a bad file gives an empty
    deal and the error message. Returns ``(window, error or None)``."""
    from gui.main_window import MainWindow  # after QApplication: widgets need it
    from gui.menus import is_sample

    sample = path is None or is_sample(path)  # a shipped sample opens as a template
    deal, error = load_or_explain(str(SAMPLE_DEAL) if path is None else path)
    window = MainWindow(
        deal,
        None if sample or deal is None else path,
        offer_recovery=not screenshot,
        restore_layout=not screenshot,
        autosave_enabled=not screenshot,
    )
    if error and not screenshot:
        QMessageBox.warning(window, "Cannot open deal", f"{error}\n\nStarting with an empty deal.")
    return window, error


def run_app(argv: list[str]) -> int:
    args = parse_args(argv)
    app = application([sys.argv[0] if sys.argv else "capstack"])
    if args.screenshot and args.deal:
        _, error = load_or_explain(args.deal)
        if error:
            print(f"capstack: cannot open deal: {error}", file=sys.stderr)
            return 2
    window, _ = make_window(args.deal, screenshot=bool(args.screenshot))
    if args.screenshot:
        try:
            width, height = (int(v) for v in args.size.lower().split("x"))
        except ValueError:
            print(f"capstack: --size {args.size!r}: expected WIDTHxHEIGHT, e.g. 1280x720",
                  file=sys.stderr)  # fmt: skip
            return 2
        return screenshot(app, window, args.screenshot, (width, height))
    window.show()
    return app.exec()


def screenshot(app: QApplication, window, out: str, size: tuple[int, int] = (1600, 1000)) -> int:  # noqa: ANN001, E501 - MainWindow
    """Show the window at ``size``, wait for the first recompute, save it as a PNG; 0 on
    success. A low size gets the laptop arrangement (gui.screen_layout)."""
    from gui import screen_layout

    window.resize(*size)
    window.show()
    screen_layout.arrange(window, size[1] < screen_layout.COMPACT_HEIGHT)
    settle(app, 300)
    window.view.fit_to_view()
    if window.results is not None and not window.results.wait_for_result(RESULT_TIMEOUT_MS):
        print("capstack: the first recompute did not finish in time", file=sys.stderr)
    settle(app, 500)
    ok = window.grab().save(out)
    window.document.undo_stack.setClean()
    window.close()
    if not ok:
        print(f"capstack: cannot write {out}", file=sys.stderr)
        return 1
    print(f"wrote {out}")
    return 0
