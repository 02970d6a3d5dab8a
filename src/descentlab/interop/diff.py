"""Two "same" optimizers on the same problem: where they part, how far, and why.

:func:`diff` runs ``adam:keras`` and ``adam:pytorch`` (any ``optimizer:preset`` pair)
from the same start on the same test surface, with the same hyperparameters where
given, and reports the first step where their iterates differ beyond rounding and the
distance between them at the end.

The ablation explains the gap: for every setting in which the two differ (a
convention such as ``eps_placement``, or a default such as ``eps``), A is run again
with that one setting taken from B. The share of the final distance that the switch
removes is that setting's part of the gap; the shares need not sum to one when
settings interact.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ConfigError, expected
from ..optim.registry import make_optimizer
from .space import _rule_key

__all__ = ["diff", "parse_spec", "ROUNDING"]

#: relative distance below which two iterates count as equal
ROUNDING = 1e-12


def parse_spec(spec: str) -> tuple[str, str | None]:
    """``"adam:keras"`` -> ``("adam", "keras")``; ``"adam"`` -> ``("adam", None)``."""
    name, _, preset = str(spec).partition(":")
    if not name.strip():
        raise ConfigError(expected("OPTIMIZER:PRESET, e.g. adam:keras", repr(spec), "write adam:keras adam:pytorch"))
    return name.strip(), (preset.strip() or None)


def _run(opt, surface, steps: int) -> np.ndarray:
    params = {"x": surface.check_start().astype(np.float64)}
    state = opt.init(params)
    xs = [params["x"].copy()]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            opt.step(params, {"x": surface.grad(params["x"])}, state)
            xs.append(params["x"].copy())
            if not np.all(np.isfinite(params["x"])):
                break
    return np.array(xs)


def _distance(xa: np.ndarray, xb: np.ndarray) -> np.ndarray:
    n = min(len(xa), len(xb))
    with np.errstate(all="ignore"):
        scale = np.maximum(np.max(np.abs(xb[:n]), axis=1), 1e-300)
        return np.linalg.norm(xa[:n] - xb[:n], axis=1) / scale


def diff(a: str, b: str, problem: str = "rosenbrock", steps: int = 200, **hyper: Any) -> dict[str, Any]:
    """Compare ``a`` and ``b`` (``optimizer:preset``) on ``problem`` (see the module docstring)."""
    from ..functions import get_surface

    if not (isinstance(steps, int) and steps >= 1):
        raise ConfigError(expected("steps >= 1", steps, "pass --steps 200"))
    surface = get_surface(problem)
    (na, pa), (nb, pb) = parse_spec(a), parse_spec(b)
    oa = make_optimizer(na, preset=pa, **hyper)
    ob = make_optimizer(nb, preset=pb, **hyper)
    xa, xb = _run(oa, surface, steps), _run(ob, surface, steps)
    dist = _distance(xa, xb)
    apart = np.flatnonzero(dist > ROUNDING)
    first = int(apart[0]) - 1 if len(apart) else None  # the update after which they differ
    final = float(dist[-1])
    ablation = []
    if oa.name == ob.name:
        ka, kb = dict(_rule_key(oa)), dict(_rule_key(ob))
        for key in sorted(set(ka) | set(kb)):
            if ka.get(key) == kb.get(key) or key not in ob.hyper:
                continue
            try:
                switched = make_optimizer(oa.name, preset=oa.preset, **{**hyper, key: ob.hyper[key]})
            except ConfigError:
                continue
            d = _distance(_run(switched, surface, steps), xb)
            ablation.append({"setting": key, "a": oa.hyper.get(key), "b": ob.hyper[key], "final_distance": float(d[-1]),
                             "share_of_gap": (1.0 - float(d[-1]) / final) if final > 0 else 0.0,
                             "distance": d.tolist()})
    return {
        "a": f"{oa.name}:{oa.preset}", "b": f"{ob.name}:{ob.preset}", "problem": surface.name, "steps": steps,
        "first_difference_step": first, "final_distance": final, "max_distance": float(np.max(dist)),
        "distance": dist.tolist(), "ablation": ablation, "rounding": ROUNDING,
        "path_a": xa.tolist(), "path_b": xb.tolist(),
        # a run that left the finite numbers stops there; the step is its last update
        "diverged_a": (len(xa) - 2) if not np.all(np.isfinite(xa[-1])) else None,
        "diverged_b": (len(xb) - 2) if not np.all(np.isfinite(xb[-1])) else None,
        "hyper_a": {k: v for k, v in oa.hyper.items() if not callable(v)},
        "hyper_b": {k: v for k, v in ob.hyper.items() if not callable(v)},
    }


def format_diff(r: dict[str, Any]) -> str:
    lines = [f"{r['a']} vs {r['b']} on {r['problem']}, {r['steps']} steps"]
    for side in ("a", "b"):
        if r[f"diverged_{side}"] is not None:
            lines.append(f"{r[side]} diverged at update {r[f'diverged_{side}']} (non-finite iterate); "
                         "compared up to there. Fix: a smaller --lr")
    if r["first_difference_step"] is None:
        lines.append(f"identical to rounding ({r['rounding']:g}) at every step")
    else:
        lines.append(f"first difference beyond rounding: after update {r['first_difference_step']}")
        lines.append(f"relative distance at the end: {r['final_distance']:.3g} (largest {r['max_distance']:.3g})")
    if r["ablation"]:
        lines.append("ablation (A with one setting of B):")
        for ab in sorted(r["ablation"], key=lambda x: -x["share_of_gap"]):
            lines.append(f"  {ab['setting']:<20} {ab['a']!r} -> {ab['b']!r}: distance {ab['final_distance']:.3g}, "
                         f"{100 * ab['share_of_gap']:.0f}% of the gap")
    return "\n".join(lines)
