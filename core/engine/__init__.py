"""The cash-flow engine: deal -> arrays -> waterfall kernel -> results."""
