"""CapStack core: the deal model, the cash-flow engine and file formats. Imports no Qt."""
