"""Live results of the deal being edited: docks with charts and tables, recomputed off the UI
thread on every change, and the scenario bar. Entry point: :class:`gui.results.docks.ResultsDocks`.
"""
