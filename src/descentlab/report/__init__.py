"""The HTML report written by ``descentlab tour``."""
