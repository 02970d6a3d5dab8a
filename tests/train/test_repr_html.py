"""Trajectory and History show a small, escaped HTML table in notebooks."""
import dataclasses
import re

from descentlab.optim.stopping import StopReason
from descentlab.train.history import History
from descentlab.train.minimize import minimize


def _cells(page):
    return dict(re.findall(r"<th[^>]*>(.*?)</th><td>(.*?)</td>", page))


def test_trajectory_repr_html():
    tr = minimize("rosenbrock", None, "adam", preset="keras", steps=3)
    page = tr._repr_html_()
    assert isinstance(page, str) and page.startswith("<table>") and page.endswith("</table>")
    cells = _cells(page)
    assert cells["optimizer"] == "adam" and cells["preset"] == "keras" and cells["steps"] == "3"
    assert cells["final f"] == f"{float(tr.f[-1]):.6g}" and cells["stop"] == "max_steps"
    odd = dataclasses.replace(tr, meta={**tr.meta, "surface": "<b>f & g</b>"})
    page = odd._repr_html_()
    assert "&lt;b&gt;f &amp; g&lt;/b&gt;" in page and "<b>" not in page


def test_history_repr_html():
    h = History(config={"dataset": "<iris>", "optimizer": {"name": "sgd"}})
    h.epochs["loss"].append(0.25)
    h.stop = StopReason("converged", 7, 'loss <= 0.3 & "done"')
    page = h._repr_html_()
    assert "<table>" in page
    cells = _cells(page)
    assert cells["optimizer"] == "sgd" and cells["final loss"] == "0.25" and cells["stop"] == "converged"
    assert cells["dataset"] == "&lt;iris&gt;"
    assert cells["message"] == "loss &lt;= 0.3 &amp; &quot;done&quot;"
    assert "not run" in History()._repr_html_()
