"""One module per ``descentlab`` subcommand.

Each module here is discovered by :mod:`descentlab.cli.main` and must define::

    NAME = "minimize"                 # the subcommand
    HELP = "one line for --help"
    def add_arguments(parser): ...    # argparse; may add nested subparsers
    def run(args) -> int: ...         # the exit status

Import heavy things (matplotlib, datasets) inside ``run``, never at module level:
``descentlab --help`` imports every module here.
"""
