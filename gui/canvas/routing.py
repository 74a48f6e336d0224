"""Where a link runs: the straight line between two cards when nothing is in its way,
otherwise an orthogonal route (horizontal-vertical-horizontal or vertical-horizontal-vertical,
through the gap between the cards' columns or rows) that passes no other card, so that
Sponsor -> SPV never reads as Sponsor -> GPU fleet -> SPV."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF

#: a route keeps this far (scene units) from the cards it passes
CLEARANCE = 6.0


def _segment_hits(a: QPointF, b: QPointF, rect: QRectF) -> bool:
    """True when the segment a-b crosses ``rect`` (Liang-Barsky clipping)."""
    dx, dy = b.x() - a.x(), b.y() - a.y()
    t0, t1 = 0.0, 1.0
    for p, q in (
        (-dx, a.x() - rect.left()),
        (dx, rect.right() - a.x()),
        (-dy, a.y() - rect.top()),
        (dy, rect.bottom() - a.y()),
    ):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return False
    return True


def route_clear(points: list[QPointF], obstacles: list[QRectF]) -> bool:
    grown = [r.adjusted(-CLEARANCE, -CLEARANCE, CLEARANCE, CLEARANCE) for r in obstacles]
    return not any(
        _segment_hits(a, b, r) for a, b in zip(points, points[1:], strict=False) for r in grown
    )


def _edge(rect: QRectF, towards: QPointF) -> QPointF:
    """Where the line from the rectangle's centre to ``towards`` leaves it."""
    c = rect.center()
    dx, dy = towards.x() - c.x(), towards.y() - c.y()
    if dx == 0 and dy == 0:
        return c
    sx = (rect.width() / 2) / abs(dx) if dx else math.inf
    sy = (rect.height() / 2) / abs(dy) if dy else math.inf
    s = min(sx, sy, 1.0)
    return QPointF(c.x() + dx * s, c.y() + dy * s)


def _sides(rect: QRectF) -> list[QPointF]:
    c = rect.center()
    return [QPointF(rect.left(), c.y()), QPointF(rect.right(), c.y()),
            QPointF(c.x(), rect.top()), QPointF(c.x(), rect.bottom())]  # fmt: skip


def _fractions() -> tuple[float, ...]:
    return (0.5, 0.35, 0.65, 0.2, 0.8)


def candidates(src: QRectF, dst: QRectF) -> list[list[QPointF]]:
    """Routes from ``src`` to ``dst`` in order of preference: the straight line between the
    centres, straight lines between side midpoints (shortest first), then orthogonal routes
    through the gap between the cards, then around both."""
    a, b = src.center(), dst.center()
    routes = [[_edge(src, b), _edge(dst, a)]]
    pairs = sorted(
        ((p, q) for p in _sides(src) for q in _sides(dst)),
        key=lambda pq: math.hypot(pq[1].x() - pq[0].x(), pq[1].y() - pq[0].y()),
    )
    routes += [[p, q] for p, q in pairs[:6]]
    right = b.x() >= a.x()
    sx = src.right() if right else src.left()
    tx = dst.left() if right else dst.right()
    if (right and tx > sx) or (not right and tx < sx):  # side by side: H-V-H through the gap
        for f in _fractions():
            mx = sx + (tx - sx) * f
            routes.append([QPointF(sx, a.y()), QPointF(mx, a.y()), QPointF(mx, b.y()),
                           QPointF(tx, b.y())])  # fmt: skip
    down = b.y() >= a.y()
    sy = src.bottom() if down else src.top()
    ty = dst.top() if down else dst.bottom()
    if (down and ty > sy) or (not down and ty < sy):  # one above the other: V-H-V
        for f in _fractions():
            my = sy + (ty - sy) * f
            routes.append([QPointF(a.x(), sy), QPointF(a.x(), my), QPointF(b.x(), my),
                           QPointF(b.x(), ty)])  # fmt: skip
    for below in (True, False):  # a U under (or over) both cards: along the row gap
        y = (max(src.bottom(), dst.bottom()) + 16) if below else (min(src.top(), dst.top()) - 16)
        y0 = src.bottom() if below else src.top()
        y1 = dst.bottom() if below else dst.top()
        routes.append([QPointF(a.x(), y0), QPointF(a.x(), y), QPointF(b.x(), y),
                       QPointF(b.x(), y1)])  # fmt: skip
    for side in (1, -1):  # around: along a channel beside both cards
        x = (max(src.right(), dst.right()) + 18) if side > 0 else (min(src.left(), dst.left()) - 18)
        sx2 = src.right() if side > 0 else src.left()
        tx2 = dst.right() if side > 0 else dst.left()
        routes.append([QPointF(sx2, a.y()), QPointF(x, a.y()), QPointF(x, b.y()),
                       QPointF(tx2, b.y())])  # fmt: skip
    return routes


Segment = tuple[QPointF, QPointF]


def _overlaps(points: list[QPointF], taken: list[Segment], gap: float = 4.0) -> bool:
    """True when a leg of ``points`` runs along a leg already taken (same line, shared span):
    two links on one bus cannot be told apart."""
    for a, b in zip(points, points[1:], strict=False):
        for c, d in taken:
            if abs(a.y() - b.y()) < 0.5 and abs(c.y() - d.y()) < 0.5 and abs(a.y() - c.y()) < gap:
                lo, hi = sorted((a.x(), b.x()))
                lo2, hi2 = sorted((c.x(), d.x()))
                if min(hi, hi2) - max(lo, lo2) > gap:
                    return True
            if abs(a.x() - b.x()) < 0.5 and abs(c.x() - d.x()) < 0.5 and abs(a.x() - c.x()) < gap:
                lo, hi = sorted((a.y(), b.y()))
                lo2, hi2 = sorted((c.y(), d.y()))
                if min(hi, hi2) - max(lo, lo2) > gap:
                    return True
    return False


def route(
    src: QRectF, dst: QRectF, obstacles: list[QRectF], taken: list[Segment] | None = None
) -> list[QPointF]:
    """The first candidate route that passes no obstacle and runs along no ``taken`` leg;
    the straight line between the centres if none does."""
    options = candidates(src, dst)
    for points in options:
        if route_clear(points, obstacles) and not _overlaps(points, taken or []):
            return points
    for points in options:
        if route_clear(points, obstacles):
            return points
    return min(options, key=lambda pts: _hits(pts, obstacles))


def _hits(points: list[QPointF], obstacles: list[QRectF]) -> int:
    return sum(
        _segment_hits(a, b, r) for a, b in zip(points, points[1:], strict=False) for r in obstacles
    )
