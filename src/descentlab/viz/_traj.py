"""Labels and inputs shared by the pictures of trajectories."""
from __future__ import annotations

from typing import Mapping

from ..errors import ConfigError, expected


def optimizer_label(tr) -> str:
    """``"adam (lr=0.1)"`` from a trajectory's settings (``"lr=schedule"`` for a schedule)."""
    opt = tr.meta.get("optimizer", {}) if hasattr(tr, "meta") else {}
    name = opt.get("name", "run")
    hyper = opt.get("hyper", {})
    lr = hyper.get("lr") if isinstance(hyper, dict) else None
    if isinstance(lr, (int, float)):
        return f"{name} (lr={lr:.3g})"
    if isinstance(lr, dict):
        return f"{name} (lr schedule)"
    return name


def as_labelled(trajectories) -> dict:
    """``{label: Trajectory}`` from a dict, a list of trajectories, a RaceResult, or one trajectory."""
    if hasattr(trajectories, "racers"):  # a RaceResult: the run from the default start, tuned lr in the label
        return {r.label: r.trajectory for r in trajectories.racers}
    if hasattr(trajectories, "x") and hasattr(trajectories, "stop"):
        trajectories = [trajectories]
    if isinstance(trajectories, Mapping):
        out = dict(trajectories)
    else:
        out = {}
        for tr in trajectories:
            label = optimizer_label(tr)
            while label in out:
                label += "′"
            out[label] = tr
    if not out:
        raise ConfigError(expected("at least one trajectory", "none", "run minimize() first"))
    return out


def stop_note(tr, sep: str = ", ") -> str:
    """A short suffix for a legend, after ``sep``: where a run diverged or converged."""
    if tr.stop.kind == "diverged":
        if tr.stop.details.get("quantity") == "params" and "bound" in tr.stop.details:
            return f"{sep}|x| > {tr.stop.details['bound']:g} at step {tr.stop.step}"
        return f"{sep}diverged at step {tr.stop.step}"
    if tr.stop.kind == "converged":
        return f"{sep}converged at step {tr.stop.step}"
    return ""
