"""The ``descentlab`` command line. See :mod:`descentlab.cli.main`."""
