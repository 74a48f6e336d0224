"""The external programs later tests drive must be installed (scripts/install.sh
installs them). A missing tool is a failure here, never a silent skip elsewhere."""

import shutil

import pytest

TOOLS = {
    "soffice": "libreoffice-calc-nogui",
    "pdftotext": "poppler-utils",
    "pdftoppm": "poppler-utils",
    "Xvfb": "xvfb",
}


@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_tool_on_path(tool):
    assert shutil.which(tool), (
        f"{tool} not on PATH: install the Debian package {TOOLS[tool]} (bash scripts/install.sh)"
    )
