"""Name the preset and conventions a recorded trajectory follows, or where it departs.

Given recordings (parameters and gradients per step, from any framework or a student's
function), every :class:`~descentlab.interop.space.Variant` of the optimizer is replayed
on the recorded gradients and compared with the recorded parameters. The result:

* ``match``: ``{"preset", "presets", "conventions"}`` of the variant that reproduces
  the run to rounding (``tol``), or None;
* ``nearest``: the closest variant, a known mistake included, and its error;
* ``first_departure``: ``{"step", "index", "got", "expected", ...}``, the first update
  (0-based) and coordinate where the run leaves the reference (the expected preset
  when one is given, else the nearest right variant), or None;
* ``max_rel_error``: the largest relative difference from that reference;
* ``likely_mistake``: a sentence on what the departure means.

The relative difference at step k is ``|got - expected| / max|expected|`` over the
parameter's coordinates at that step.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..errors import ConfigError, expected
from ..optim.registry import _canonical
from .space import MISTAKES, SEARCHED, Recording, Variant, describe_convention, replay, variants

__all__ = ["identify", "compare", "load_recording", "TOL"]

#: the largest relative difference that still counts as the same rule, per dtype
TOL = {"float64": 1e-9, "float32": 1e-4}


def _errors(rec: Recording, traj: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per parameter, the relative error of each step's result, shape ``(T, *shape)``."""
    out = {}
    for n, want in traj.items():
        got = np.asarray(rec.params[n][1:], dtype=np.float64)
        ref = want[1:]
        scale = np.max(np.abs(ref.reshape(len(ref), -1)), axis=1) if ref.ndim > 1 else np.abs(ref)
        scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0).reshape((-1,) + (1,) * (ref.ndim - 1))
        with np.errstate(all="ignore"):
            err = np.abs(got - ref) / scale
        both_nan = np.isnan(got) & np.isnan(ref)
        err = np.where(both_nan, 0.0, np.where(np.isfinite(err), err, np.inf))
        out[n] = err
    return out


def compare(recs: Sequence[Recording], variant: Variant, hyper: dict[str, Any], tol: float) -> dict[str, Any]:
    """The variant against the recordings: its largest error and the first departure beyond ``tol``."""
    worst, first = 0.0, None
    for rec in recs:
        traj = replay(variant, rec, hyper)
        for n, err in _errors(rec, traj).items():
            worst = max(worst, float(np.max(err)) if err.size else 0.0)
            bad = np.argwhere(err > tol)
            if len(bad):
                k = int(bad[0][0])
                idx = tuple(int(i) for i in bad[0][1:])
                cand = {"step": k, "index": list(idx), "param": n, "run": rec.name,
                        "got": _num(rec.params[n][k + 1][idx]), "expected": _num(traj[n][k + 1][idx]),
                        "rel_error": _num(err[(k,) + idx])}
                if first is None or k < first["step"]:
                    first = cand
    return {"max_rel_error": worst, "first_departure": first}


def _num(x) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None  # JSON has no NaN; None reads as 'not a number'


def identify(recs: Sequence[Recording], optimizer: str | None = None, hyper: dict[str, Any] | None = None,
             preset: str | None = None, tol: float | None = None,
             fixed: dict[str, Any] | None = None) -> dict[str, Any]:
    """Search the convention space for the rule the recordings follow (see the module docstring).

    ``optimizer`` None searches every optimizer of :data:`~.space.SEARCHED`; ``preset``
    names the expected one, against which the departure is reported.
    """
    hyper = dict(hyper or {})
    names = [_canonical(optimizer)] if optimizer else list(SEARCHED)
    if preset is not None:
        from ..optim.conventions import preset_defaults

        for n in names:
            preset_defaults(preset, n)  # an unknown preset, or one without this optimizer, is refused
    if tol is None:
        dtype = np.result_type(*[np.asarray(p).dtype for r in recs for p in r.params.values()])
        tol = TOL.get(str(dtype), TOL["float64"])
    results = [(compare(recs, v, hyper, tol), v) for n in names for v in variants(n, hyper, fixed=fixed)]
    # within tol every variant reproduces the run: a right one goes before a mistake that
    # happens to coincide with it (LAMB without its trust ratio is Adam when wd = 0)
    results.sort(key=lambda r: (r[0]["max_rel_error"] if r[0]["max_rel_error"] > tol else 0.0,
                                r[1].mistake is not None, r[0]["max_rel_error"], len(r[1].conventions)))
    best_res, best = results[0]
    right = [(r, v) for r, v in results if v.mistake is None and v.optimizer == best.optimizer]
    matched = best_res["max_rel_error"] <= tol and best.mistake is None
    # the reference the departure is measured against
    if preset is not None:
        ref = next(((r, v) for r, v in right if preset in v.presets), None)
        if ref is None:  # the preset's own forms with these hyperparameters
            ref = next(((r, v) for r, v in right if v.preset == preset and not v.conventions), right[0])
    elif best.mistake is not None:
        base = next(((r, v) for r, v in right if v.preset == best.preset and not v.conventions), None)
        ref = base or right[0]
    else:  # the nearest variant that some framework uses
        ref = next(((r, v) for r, v in right if v.presets), right[0])
    ref_res, ref_v = ref
    out: dict[str, Any] = {
        "optimizer": best.optimizer,
        "match": ({"preset": best.presets[0] if best.presets else None, "presets": list(best.presets),
                   "conventions": _forms(best)} if matched else None),
        "nearest": {**best.to_dict(), "max_rel_error": best_res["max_rel_error"]},
        "reference": {**ref_v.to_dict(), **({"name": f"{ref_v.optimizer}:{preset}"} if preset and not ref_v.conventions
                                            and not ref_v.mistake else {})},
        "first_departure": ref_res["first_departure"],
        "max_rel_error": ref_res["max_rel_error"],
        "tol": tol,
        "likely_mistake": None,
        "ranking": [{"name": v.name, "max_rel_error": r["max_rel_error"]} for r, v in results[:5]],
    }
    if not (matched and ref_v is best):
        out["likely_mistake"] = _sentence(best, ref_v, matched, out["first_departure"])
    return out


def _forms(v: Variant) -> dict[str, Any]:
    """Every searched convention's form in ``v`` (its preset's, changed by its own)."""
    from ..optim.conventions import PRESETS

    own = PRESETS[v.preset][v.optimizer]
    return {k: v.conventions.get(k, own[k]) for k in SEARCHED[v.optimizer]}


def _sentence(best: Variant, ref: Variant, matched: bool, first: dict | None) -> str:
    where = ""
    if first is not None:
        where = f" (first at step {first['step']}, {first['param']}{first['index']})"
    if best.mistake is not None:
        return f"The run looks like {best.optimizer} with {MISTAKES[best.mistake][1]}{where}."
    if matched:
        a, b = _forms(best), _forms(ref)
        o = best.optimizer
        diffs = [f"{describe_convention(k, a[k], o)} where {ref.preset} has {describe_convention(k, b[k], o)}"
                 for k in a if a[k] != b.get(k)]
        if not diffs:
            return f"The run is {ref.preset}'s rule{where}."
        return f"The run follows {best.presets[0] if best.presets else 'a valid variant'}'s conventions: " + \
            "; ".join(diffs) + where + "."
    return ("No known variant reproduces the run; the nearest is " + best.name + where +
            ". Check the update equations line by line against the reference.")


def check_recording_shapes(rec: Recording) -> None:
    """A recording's params are one step longer than its grads, parameter by parameter."""
    if rec.params.keys() != rec.grads.keys() or not rec.grads:
        raise ConfigError(expected("params and grads for the same parameters", f"params {sorted(rec.params)}, "
                                   f"grads {sorted(rec.grads)}", "save params/NAME and grads/NAME for each"))
    for n in rec.grads:
        p, g = np.shape(rec.params[n]), np.shape(rec.grads[n])
        if len(p) < 1 or p[1:] != g[1:] or p[0] != g[0] + 1:
            raise ConfigError(expected(f"params of shape (T + 1, ...) and grads (T, ...) for {n!r}",
                                       f"params {p}, grads {g}", "record the parameters before every update and "
                                       "after the last, and each update's gradient"))
    if rec.lr is not None and np.shape(rec.lr) != (rec.steps,):
        raise ConfigError(expected(f"lr with one value per update ({rec.steps})", f"shape {np.shape(rec.lr)}",
                                   "save lr as a 1-D array of the learning rate of each update"))


def load_recording(path: str) -> tuple[Recording, dict[str, Any]]:
    """``(recording, hyper)`` from an .npz: ``params``/``grads`` (or ``params/NAME``, ``grads/NAME``),
    optional ``lr`` per update and ``hyper`` as a JSON string."""
    import json
    import os
    import zipfile

    if not os.path.isfile(path):
        raise ConfigError(expected("a recorded run (.npz) that exists", path, "check the path"))
    try:
        with np.load(path, allow_pickle=False) as z:
            data = {k: z[k] for k in z.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise ConfigError(expected("an .npz file written by numpy.savez", f"{path} ({exc})",
                                   "save the run with np.savez(path, params=..., grads=...)")) from None
    params = {k.split("/", 1)[1]: v for k, v in data.items() if k.startswith("params/")}
    grads = {k.split("/", 1)[1]: v for k, v in data.items() if k.startswith("grads/")}
    if "params" in data or "grads" in data:
        params.setdefault("w", data.get("params"))
        grads.setdefault("w", data.get("grads"))
    if not params or any(v is None for v in (*params.values(), *grads.values())):
        raise ConfigError(expected("arrays params and grads (or params/NAME and grads/NAME)", sorted(data),
                                   "save np.savez(path, params=P, grads=G) with P (T+1, ...) and G (T, ...)"))
    for n, a in (*params.items(), *grads.items()):
        if a.dtype.kind not in "fiu":
            raise ConfigError(expected(f"numbers in {n!r}", f"dtype {a.dtype}", "save float arrays"))
    hyper: dict[str, Any] = {}
    if "hyper" in data:
        try:
            hyper = dict(json.loads(str(data["hyper"])))
        except (ValueError, TypeError):
            raise ConfigError(expected("hyper as a JSON object string", str(data["hyper"])[:60],
                                       'save hyper=json.dumps({"beta1": 0.9, ...})')) from None
    lr = np.asarray(data["lr"], dtype=np.float64) if "lr" in data else None
    rec = Recording(params, grads, lr, os.path.basename(path))
    check_recording_shapes(rec)
    return rec, hyper
