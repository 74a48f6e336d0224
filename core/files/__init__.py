"""File formats: the JSON deal file (``deal_json``) and its JSON Schema (``schema``)."""

from core.files.deal_json import (
    FORMAT,
    FORMAT_VERSION,
    MAX_FILE_BYTES,
    DealFileError,
    deal_to_dict,
    dump_deal,
    load_deal,
    loads_deal,
    save_deal,
)

__all__ = ["FORMAT", "FORMAT_VERSION", "MAX_FILE_BYTES", "DealFileError", "deal_to_dict",
           "dump_deal", "load_deal", "loads_deal", "save_deal"]  # fmt: skip
