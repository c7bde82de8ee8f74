"""The ``lima-curate`` command line: parses arguments and calls the library, nothing more.

``main.app`` is the typer app (the console entry point); one module per command
(``build``, ``author``, ``review``, ``report``; ``train`` lives with the trainer in
:mod:`lima_curate.train.cli`); ``common`` holds what they share: the default pipeline and
one-line errors. Modules import lightly: ``lima-curate --help`` loads no heavy library.
"""
