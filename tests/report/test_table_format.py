"""Report tables round to 4 significant digits and show accuracies as percent."""
import math

import numpy as np
import pytest

from descentlab.report.html import TableBlock, table_cell


@pytest.mark.parametrize("value, header, shown", [
    (0.001196543, "final train loss", "0.001197"),
    (1.23456789, "", "1.235"),
    (0.98667, "final val accuracy", "98.67 %"),
    (0.5, "best val accuracy", "50 %"),
    (60000, "updates", "60000"),
    (np.int64(123456), "", "123456"),
    (0.0, "", "0"),
    ("-", "epochs to target", "-"),
    (float("nan"), "final val accuracy", "nan"),
    (float("inf"), "", "inf"),
    (12345.6, "samples/s", "12,350"),
    (-98765.4, "", "-98,770"),
    (9999.5, "", "10,000"),
    (9999.4, "", "9999"),
    (2.5e12, "", "2.5e+12"),
    ([0.123456, 2.0], "x", "[0.1235, 2]"),
])
def test_table_cell(value, header, shown):
    assert table_cell(value, header) == shown


def test_table_rounds_but_keeps_source_values():
    rows = [["adam", 0.001196543, 0.98667, 7]]
    block = TableBlock("t", ["optimizer", "final train loss", "final val accuracy", "best epoch"], rows)
    page = block.html()
    assert "<td>0.001197</td><td>98.67 %</td><td>7</td>" in page
    assert "0.0011965" not in page
    assert rows[0][1] == 0.001196543 and math.isclose(rows[0][2], 0.98667)
