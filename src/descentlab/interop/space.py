"""The space of conventions an optimizer can be written in, and the common mistakes.

A :class:`Variant` is one way to write one optimizer: a preset's forms with some
named conventions changed (:data:`descentlab.optim.hyperparams.CONVENTION_CHOICES`,
plus the initial accumulator), or a known mistake. :func:`variants` lists them all for
an optimizer; :func:`replay` runs one on recorded gradients.

The mistakes are what students and ports get wrong, each with the sentence that
explains it (:data:`MISTAKES`)::

    adam      no bias correction; t counted from 0 or from 2; beta and 1 - beta swapped;
              no square root; the two bias corrections swapped
    momentum  the gradient averaged, (1 - mu) g; the position moved with the old velocity
    nesterov  plain momentum; the -mu v_prev correction missing
    adagrad   no square root
    rmsprop   beta and 1 - beta swapped; no square root
    rprop     the gradient kept after a sign flip; the step sizes never clipped
    adamax    m without its bias correction; u bias-corrected as Adam's v
    adadelta  the step taken with the old average of g**2; no eps in the numerator
    radam     the un-rectified steps without m's bias correction; r_t without its root
    lion      no sign; the momentum updated before the step's interpolation
    lamb      no trust ratio; the weight decay beside the ratio instead of inside it
    adafactor no update clipping; the factored V = R C not divided by mean(R)

They are written here, in NumPy, as the wrong formula itself; the right formulas are
descentlab's own rules, built with :func:`~descentlab.optim.make_optimizer`.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ..errors import ConfigError, expected
from ..optim.conventions import PRESETS, REQUIRED
from ..optim.registry import make_optimizer

__all__ = ["Variant", "variants", "replay", "SEARCHED", "MISTAKES", "describe_convention", "Recording",
           "INITIAL_LR_ONLY"]

#: per optimizer, the conventions searched and the forms each may take
SEARCHED: dict[str, dict[str, tuple[Any, ...]]] = {
    "sgd": {},
    "momentum": {"momentum_form": ("lr_outside", "lr_inside")},
    "nesterov": {"momentum_form": ("lr_outside", "lr_inside"), "nesterov_form": ("transformed", "lookahead")},
    "adagrad": {"eps_placement": ("outside", "inside"), "initial_accumulator": (0.0, 0.1)},
    "rmsprop": {"eps_placement": ("outside", "inside"), "initial_accumulator": (0.0, 1.0),
                "centered": (False, True)},
    "adam": {"eps_placement": ("outside", "inside", "hat")},
    "adamw": {"eps_placement": ("outside", "inside", "hat")},
    "amsgrad": {"eps_placement": ("outside", "inside", "hat"), "amsgrad_form": ("max_raw", "max_corrected")},
    "nadam": {"eps_placement": ("outside", "inside"), "nadam_schedule": ("pytorch", "keras", "constant")},
    "rprop": {},
    "adamax": {"adamax_eps": ("in_max", "after_max")},
    "adadelta": {},
    "radam": {"eps_placement": ("outside", "inside", "hat")},
    "lion": {},
    "lamb": {"eps_placement": ("outside", "inside")},
    "adafactor": {"adafactor_eps": ("clamp", "add")},
}

#: rules whose lr is only the initial step size: a recorded lr per update replays as its first value
INITIAL_LR_ONLY = frozenset({"rprop"})

#: searched settings that are a framework's option rather than its form: the presets that offer them
OPTIONS: dict[str, tuple[str, ...]] = {"centered": ("pytorch", "keras", "optax")}

_FORMS = {
    ("eps_placement", "outside"): "eps outside the root, g / (sqrt(v) + eps)",
    ("eps_placement", "inside"): "eps inside the root, g / sqrt(v + eps)",
    ("eps_placement", "hat"): "Keras's eps-hat, lr_t * m / (sqrt(v) + eps) with lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t)",
    ("momentum_form", "lr_outside"): "lr outside the buffer, b = mu b + g; x -= lr b",
    ("momentum_form", "lr_inside"): "lr inside the buffer, v = mu v - lr g; x += v (a change of lr acts gradually)",
    ("nesterov_form", "transformed"): "Nesterov in the transformed form (gradient at the stored point)",
    ("nesterov_form", "lookahead"): "Nesterov in the look-ahead form, x += v",
    ("amsgrad_form", "max_raw"): "AMSGrad's maximum of the raw v, then bias-corrected",
    ("amsgrad_form", "max_corrected"): "AMSGrad's maximum of the bias-corrected v",
    ("nadam_schedule", "pytorch"): "PyTorch's NAdam momentum schedule",
    ("nadam_schedule", "keras"): "Keras's NAdam momentum schedule",
    ("nadam_schedule", "constant"): "a constant NAdam momentum (optax)",
    ("centered", True): "the centred variant (divides by the variance estimate)",
    ("centered", False): "the plain, uncentred variant",
    ("adamax_eps", "in_max"): "eps inside the maximum, u = max(beta2 u, |g| + eps) (remembered, it decays with beta2)",
    ("adamax_eps", "after_max"): "eps after the maximum, m / (u + eps) with u = max(beta2 u, |g|)",
    ("adafactor_eps", "clamp"): "eps1 as a floor, V >= eps1**2 and mean(R) >= eps1 (PyTorch)",
    ("adafactor_eps", "add"): "eps1 added to g**2 before it is averaged (the paper, Keras)",
}

#: forms whose words depend on the rule
_RULE_FORMS = {
    ("radam", "eps_placement", "hat"): "PyTorch's form, sqrt(1 - beta2^t) / (sqrt(v) + eps), eps on the raw v",
}


def describe_convention(name: str, value: Any, optimizer: str | None = None) -> str:
    """A few words on one convention's form (of ``optimizer``, where the words depend on it)."""
    if name == "initial_accumulator":
        return f"the accumulator starting at S_0 = {value:g}"
    return _RULE_FORMS.get((optimizer, name, value)) or _FORMS.get((name, value), f"{name} = {value!r}")


# -- recordings -----------------------------------------------------------------------
@dataclass
class Recording:
    """One trajectory: parameters before each update and after the last, and each update's gradient.

    ``params[name]`` has shape ``(T + 1, *shape)``, ``grads[name]`` shape ``(T, *shape)``;
    ``lr`` is the learning rate of each update, shape ``(T,)``, or None if unknown.
    """

    params: dict[str, np.ndarray]
    grads: dict[str, np.ndarray]
    lr: np.ndarray | None = None
    name: str = "run"

    @property
    def steps(self) -> int:
        return len(next(iter(self.grads.values())))


# -- variants -------------------------------------------------------------------------
@dataclass
class Variant:
    """One way to write ``optimizer``: ``preset``'s forms with ``conventions`` changed, or a mistake."""

    optimizer: str
    preset: str
    conventions: dict[str, Any]
    presets: list[str] = field(default_factory=list)  # the presets whose own forms these are
    mistake: str | None = None

    @property
    def name(self) -> str:
        text = f"{self.optimizer}:{self.preset}"
        if self.conventions:
            text += " with " + ", ".join(f"{k}={v}" for k, v in self.conventions.items())
        if self.mistake:
            text += f" but {MISTAKES[self.mistake][1]}"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "optimizer": self.optimizer, "preset": self.preset, "presets": self.presets,
                "conventions": dict(self.conventions), "mistake": self.mistake}


def _own_forms(optimizer: str, preset: str) -> dict[str, Any] | None:
    table = PRESETS[preset].get(optimizer)
    if table is None:
        return None
    return {k: table[k] for k in SEARCHED[optimizer]}


def _rule_key(opt) -> tuple:
    """What decides the rule: the hyperparameters, less the forms that these values make idle."""
    h = {k: v for k, v in opt.hyper.items() if k != "lr"}
    if h.get("weight_decay", None) == 0.0:
        h.pop("weight_decay_form", None)
    if not h.get("nesterov", True):
        h.pop("nesterov_form", None)
    if h.get("momentum", None) == 0.0:
        h.pop("momentum_form", None)
    if h.get("amsgrad", None) is False:
        h.pop("amsgrad_form", None)
    return tuple(sorted((k, repr(v)) for k, v in h.items()))


def variants(optimizer: str, hyper: dict[str, Any], mistakes: bool = True,
             fixed: dict[str, Any] | None = None) -> list[Variant]:
    """Every convention combination of ``optimizer`` (and its mistakes), each once.

    ``hyper`` are the values the run used (lr, betas, eps...); where two presets give
    the same rule with them, one variant stands for both and lists both presets.
    ``fixed`` holds conventions out of the search (e.g. look-ahead Nesterov, which an
    update function handed the gradient at ``w`` cannot implement).
    """
    if optimizer not in SEARCHED:
        raise ConfigError(expected(f"an optimizer whose conventions are searched ({', '.join(SEARCHED)})",
                                   optimizer, f"choose one of: {', '.join(SEARCHED)}"))
    space = {k: v for k, v in SEARCHED[optimizer].items() if k not in (fixed or {})}
    seen: dict[tuple, Variant] = {}
    for preset in PRESETS:
        own = _own_forms(optimizer, preset)
        if own is None:
            continue
        if any(own.get(k, v) != v for k, v in (fixed or {}).items()):
            continue  # this preset's own forms are out of the search
        for combo in itertools.product(*space.values()):
            forms = dict(zip(space, combo))
            try:
                opt = _build(optimizer, preset, forms, hyper)
            except ConfigError:
                continue
            key = _rule_key(opt)
            changed = {k: v for k, v in forms.items() if own[k] != v}
            v = seen.get(key)
            if v is None:
                v = seen[key] = Variant(optimizer, preset, changed)
            offered = all(k in OPTIONS and preset in OPTIONS[k] for k in changed)
            if offered and preset not in v.presets:
                v.presets.append(preset)
            if not changed and v.conventions:  # a preset's own forms name it best
                v.preset, v.conventions = preset, {}
    out = list(seen.values())
    if mistakes:
        for m, (opt_name, _, _) in MISTAKES.items():
            if opt_name == optimizer:
                out.append(Variant(optimizer, _MISTAKE_BASE.get(m, "pytorch"), {}, [], m))
    return out


def _build(optimizer, preset, forms, hyper):
    defaults = PRESETS[preset][optimizer]
    given = {k: v for k, v in hyper.items() if k in defaults}
    if defaults.get("lr") is REQUIRED and "lr" not in given:
        given["lr"] = 1e-3
    return make_optimizer(optimizer, preset=preset, **{**given, **forms})


def replay(variant: Variant, rec: Recording, hyper: dict[str, Any]) -> dict[str, np.ndarray]:
    """The variant's own trajectory on the recorded gradients, ``{name: (T + 1, *shape)}``."""
    lr_k = (lambda k: float(rec.lr[k])) if rec.lr is not None else None
    if lr_k is not None and variant.optimizer in INITIAL_LR_ONLY:
        first = float(rec.lr[0])
        lr_k = None
        hyper = {**hyper, "lr": first}
    params = {n: np.array(p[0], dtype=np.float64) for n, p in rec.params.items()}
    traj = {n: [p.copy()] for n, p in params.items()}
    if variant.mistake is None:
        h = dict(hyper)
        if lr_k is not None:
            h["lr"] = lr_k
        opt = _build(variant.optimizer, variant.preset, variant.conventions, h)
        state = opt.init(params)
        with np.errstate(all="ignore"):
            for k in range(rec.steps):
                opt.step(params, {n: np.asarray(g[k], dtype=np.float64) for n, g in rec.grads.items()}, state)
                for n in params:
                    traj[n].append(params[n].copy())
    else:
        rule = MISTAKES[variant.mistake][2]
        h = dict(PRESETS[variant.preset][variant.optimizer])
        h.update({k: v for k, v in hyper.items() if k in h})
        states: dict[str, dict] = {n: {} for n in params}
        with np.errstate(all="ignore"):
            for k in range(rec.steps):
                h["lr"] = lr_k(k) if lr_k is not None else hyper.get("lr", h["lr"])
                for n in params:
                    params[n] = rule(params[n], np.asarray(rec.grads[n][k], dtype=np.float64), states[n], k, h)
                    traj[n].append(params[n].copy())
    return {n: np.stack(t) for n, t in traj.items()}


# -- the mistakes, as the wrong formulas ---------------------------------------------------
def _zeros(s, w, *names):
    for n in names:
        s.setdefault(n, np.zeros_like(w))


def _adam(bc: Callable[[float, float, int], tuple[float, float]], swap=False, root=True):
    def rule(w, g, s, k, h):
        _zeros(s, w, "m", "v")
        b1, b2, eps = h["beta1"], h["beta2"], h["eps"]
        if swap:
            s["m"] = (1 - b1) * s["m"] + b1 * g
            s["v"] = (1 - b2) * s["v"] + b2 * g * g
        else:
            s["m"] = b1 * s["m"] + (1 - b1) * g
            s["v"] = b2 * s["v"] + (1 - b2) * g * g
        c1, c2 = bc(b1, b2, k)
        v_hat = s["v"] / c2
        return w - h["lr"] * (s["m"] / c1) / ((np.sqrt(v_hat) if root else v_hat) + eps)
    return rule


def _momentum_averaged(w, g, s, k, h):
    _zeros(s, w, "v")
    s["v"] = h["momentum"] * s["v"] + (1 - h["momentum"]) * g
    return w - h["lr"] * s["v"]


def _momentum_old_velocity(w, g, s, k, h):
    _zeros(s, w, "v")
    w = w + s["v"]
    s["v"] = h["momentum"] * s["v"] - h["lr"] * g
    return w


def _nesterov_plain(w, g, s, k, h):
    _zeros(s, w, "v")
    s["v"] = h["momentum"] * s["v"] - h["lr"] * g
    return w + s["v"]


def _nesterov_no_prev(w, g, s, k, h):
    _zeros(s, w, "v")
    s["v"] = h["momentum"] * s["v"] - h["lr"] * g
    return w + (1 + h["momentum"]) * s["v"]


def _adagrad_no_root(w, g, s, k, h):
    s.setdefault("S", np.full_like(w, h["initial_accumulator"]))
    s["S"] = s["S"] + g * g
    return w - h["lr"] * g / (s["S"] + h["eps"])


def _rmsprop(swap=False, root=True):
    def rule(w, g, s, k, h):
        s.setdefault("S", np.full_like(w, h["initial_accumulator"]))
        beta = h["beta"]
        s["S"] = (1 - beta) * s["S"] + beta * g * g if swap else beta * s["S"] + (1 - beta) * g * g
        d = np.sqrt(s["S"]) + h["eps"] if root else s["S"] + h["eps"]
        return w - h["lr"] * g / d
    return rule


def _rprop(reset=True, bounds=True):
    def rule(w, g, s, k, h):
        _zeros(s, w, "prev")
        s.setdefault("step", np.full_like(w, h["lr"]))
        c = np.sign(g * s["prev"])
        step = s["step"] * np.where(c > 0, h["eta_plus"], np.where(c < 0, h["eta_minus"], 1.0))
        if bounds:
            step = np.clip(step, h["step_size_min"], h["step_size_max"])
        if reset:
            g = np.where(c < 0, 0.0, g)
        s["step"], s["prev"] = step, g
        return w - np.sign(g) * step
    return rule


def _adamax(correct_m=True, correct_u=False):
    def rule(w, g, s, k, h):
        _zeros(s, w, "m", "u")
        b1, b2, t = h["beta1"], h["beta2"], k + 1
        s["m"] = b1 * s["m"] + (1 - b1) * g
        s["u"] = np.maximum(b2 * s["u"], np.abs(g) + h["eps"])
        m = s["m"] / (1 - b1 ** t) if correct_m else s["m"]
        u = s["u"] / (1 - b2 ** t) if correct_u else s["u"]
        return w - h["lr"] * m / u
    return rule


def _adadelta(old_average=False, eps_on_top=True):
    def rule(w, g, s, k, h):
        _zeros(s, w, "S", "D")
        beta, eps = h["beta"], h["eps"]
        S = beta * s["S"] + (1 - beta) * g * g
        top = np.sqrt(s["D"] + eps) if eps_on_top else np.sqrt(s["D"])
        d = top / np.sqrt((s["S"] if old_average else S) + eps) * g
        s["S"], s["D"] = S, beta * s["D"] + (1 - beta) * d * d
        return w - h["lr"] * d
    return rule


def _radam(correct_early=True, root=True):
    def rule(w, g, s, k, h):
        _zeros(s, w, "m", "v")
        b1, b2, eps, t = h["beta1"], h["beta2"], h["eps"], k + 1
        s["m"] = b1 * s["m"] + (1 - b1) * g
        s["v"] = b2 * s["v"] + (1 - b2) * g * g
        bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * t * b2 ** t / bc2
        if not rho_t > 5:
            return w - h["lr"] * (s["m"] / bc1 if correct_early else s["m"])
        r = (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
        r = np.sqrt(r) if root else r
        return w - h["lr"] * r * np.sqrt(bc2) / (np.sqrt(s["v"]) + eps) * (s["m"] / bc1)
    return rule


def _lion(sign=True, momentum_first=False):
    def rule(w, g, s, k, h):
        _zeros(s, w, "m")
        b1, b2 = h["beta1"], h["beta2"]
        if momentum_first:
            s["m"] = b2 * s["m"] + (1 - b2) * g
        c = b1 * s["m"] + (1 - b1) * g
        if not momentum_first:
            s["m"] = b2 * s["m"] + (1 - b2) * g
        return w - h["lr"] * (np.sign(c) if sign else c)
    return rule


def _lamb(trust=True, decay_inside=True):
    def rule(w, g, s, k, h):
        _zeros(s, w, "m", "v")
        b1, b2, eps, wd, t = h["beta1"], h["beta2"], h["eps"], h["weight_decay"], k + 1
        s["m"] = b1 * s["m"] + (1 - b1) * g
        s["v"] = b2 * s["v"] + (1 - b2) * g * g
        r = (s["m"] / (1 - b1 ** t)) / (np.sqrt(s["v"] / (1 - b2 ** t)) + eps)
        if decay_inside:
            r = r + wd * w
        ratio = 1.0
        if trust:
            wn, rn = float(np.linalg.norm(w)), float(np.linalg.norm(r))
            ratio = wn / rn if wn > 0 and rn > 0 else 1.0
        out = w - h["lr"] * ratio * r
        return out if decay_inside else out - h["lr"] * wd * w
    return rule


def _rms(a):
    return float(np.sqrt(np.mean(np.square(a)))) if a.size else 0.0


def _adafactor(clip=True, normalise=True):
    """Adafactor in PyTorch's form (eps1 a floor): V factored as R C / mean(R) for 2+ axes."""
    def rule(w, g, s, k, h):
        t = k + 1
        b = float(t) ** h["beta2_decay"]  # 1 - beta2_t
        eps1 = float(np.finfo(np.float64).eps) if h["eps1"] is None else h["eps1"]
        gsq = g * g
        if g.ndim >= 2:
            s.setdefault("R", np.zeros(g.shape[:-1] + (1,)))
            s.setdefault("C", np.zeros(g.shape[:-2] + (1,) + g.shape[-1:]))
            s["R"] = (1 - b) * s["R"] + b * np.mean(gsq, axis=-1, keepdims=True)
            s["C"] = (1 - b) * s["C"] + b * np.mean(gsq, axis=-2, keepdims=True)
            V = s["R"] * s["C"]
            if normalise:
                V = V / np.maximum(np.mean(s["R"], axis=-2, keepdims=True), eps1)
        else:
            _zeros(s, w, "V")
            s["V"] = (1 - b) * s["V"] + b * gsq
            V = s["V"]
        u = g / np.sqrt(np.maximum(V, eps1 * eps1))
        if clip:
            u = u / max(1.0, _rms(u) / h["clip_threshold"])
        alpha = max(h["eps2"], _rms(w)) * min(h["lr"], 1 / np.sqrt(t))
        return w - alpha * u - h["lr"] * h["weight_decay"] * w
    return rule


#: mistake -> (optimizer, what it does, the wrong rule (w, g, state, k, hyper) -> new w)
MISTAKES: dict[str, tuple[str, str, Callable]] = {
    "no_bias_correction": ("adam", "no bias correction (m and v used raw)",
                           _adam(lambda b1, b2, k: (1.0, 1.0))),
    "t_from_0": ("adam", "t counted from 0 in the bias corrections (1 - beta^0 = 0 divides by zero)",
                 _adam(lambda b1, b2, k: (1 - b1 ** k, 1 - b2 ** k))),
    "t_from_2": ("adam", "t counted from 2 (t incremented twice, or started at 1 and incremented first)",
                 _adam(lambda b1, b2, k: (1 - b1 ** (k + 2), 1 - b2 ** (k + 2)))),
    "adam_beta_swapped": ("adam", "beta and 1 - beta swapped in the moment averages",
                          _adam(lambda b1, b2, k: (1 - b1 ** (k + 1), 1 - b2 ** (k + 1)), swap=True)),
    "adam_no_root": ("adam", "no square root of v_hat",
                     _adam(lambda b1, b2, k: (1 - b1 ** (k + 1), 1 - b2 ** (k + 1)), root=False)),
    "bias_corrections_swapped": ("adam", "m divided by 1 - beta2^t and v by 1 - beta1^t",
                                 _adam(lambda b1, b2, k: (1 - b2 ** (k + 1), 1 - b1 ** (k + 1)))),
    "momentum_averaged": ("momentum", "the gradient scaled by 1 - mu (an average, not momentum's sum)",
                          _momentum_averaged),
    "momentum_old_velocity": ("momentum", "the position moved with the old velocity, before it was updated",
                              _momentum_old_velocity),
    "nesterov_is_momentum": ("nesterov", "plain momentum: Nesterov's -mu v_prev + (1 + mu) v is missing",
                             _nesterov_plain),
    "nesterov_no_correction": ("nesterov", "x += (1 + mu) v without the -mu v_prev correction",
                               _nesterov_no_prev),
    "adagrad_no_root": ("adagrad", "no square root of the accumulator", _adagrad_no_root),
    "rmsprop_beta_swapped": ("rmsprop", "beta and 1 - beta swapped in the squared-gradient average",
                             _rmsprop(swap=True)),
    "rmsprop_no_root": ("rmsprop", "no square root of the average", _rmsprop(root=False)),
    "rprop_no_reset": ("rprop", "the gradient kept after a sign flip (iRprop⁻ sets it to 0: the coordinate "
                       "stays put and is not shrunk again on the next update)", _rprop(reset=False)),
    "rprop_no_bounds": ("rprop", "the step sizes never clipped to [step_size_min, step_size_max]",
                        _rprop(bounds=False)),
    "adamax_no_bias_correction": ("adamax", "m used without its bias correction 1 - beta1^t",
                                  _adamax(correct_m=False)),
    "adamax_u_bias_corrected": ("adamax", "u divided by 1 - beta2^t as Adam's v (the maximum needs no correction)",
                                _adamax(correct_u=True)),
    "adadelta_old_average": ("adadelta", "the step divided by the RMS of the gradients before this update's g "
                             "joined it (the average of g**2 updated after the step)", _adadelta(old_average=True)),
    "adadelta_no_eps_on_top": ("adadelta", "no eps in the numerator, sqrt(D) / sqrt(S + eps): D starts at 0, "
                               "so the weights never move", _adadelta(eps_on_top=False)),
    "radam_early_uncorrected": ("radam", "the first, un-rectified updates taken with m raw, without its bias "
                                "correction", _radam(correct_early=False)),
    "radam_no_root": ("radam", "the rectification r_t without its square root", _radam(root=False)),
    "lion_no_sign": ("lion", "the interpolated momentum used as the step, without its sign (each coordinate "
                     "should move by exactly lr)", _lion(sign=False)),
    "lion_momentum_first": ("lion", "the momentum updated before the step's interpolation is taken",
                            _lion(momentum_first=True)),
    "lamb_no_trust_ratio": ("lamb", "no trust ratio ||x|| / ||r|| (that is Adam with the decay in its direction)",
                            _lamb(trust=False)),
    "lamb_decay_outside_ratio": ("lamb", "the weight decay applied beside the trust ratio, not inside r (the ratio "
                                 "then ignores it)", _lamb(decay_inside=False)),
    "adafactor_no_clipping": ("adafactor", "no update clipping: u = g / sqrt(V) used as it is, not divided by "
                              "max(1, rms(u) / clip_threshold)", _adafactor(clip=False)),
    "adafactor_no_row_normalisation": ("adafactor", "the factored second moment taken as R C, not R C / mean(R) "
                                       "(the rank-1 estimate's scale off by the mean of the row averages)",
                                       _adafactor(normalise=False)),
}

#: the preset whose defaults and forms a mistake departs from (CS231n's, for the lr-inside rules)
_MISTAKE_BASE = {"momentum_old_velocity": "cs231n", "nesterov_is_momentum": "cs231n",
                 "nesterov_no_correction": "cs231n"}
