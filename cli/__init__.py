"""The command line: ``python main.py COMMAND ...``. A view over core, like the GUI."""
