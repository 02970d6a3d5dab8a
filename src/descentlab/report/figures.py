"""Figures of the worked examples that no other part of descentlab draws.

Each function takes a lecture :class:`~descentlab.lecture.Account` (or plain numbers)
and returns PNG bytes. matplotlib is imported inside the functions, with the headless
Agg backend. The surface plots, learning-rate figures, races and schedule plots come
from :mod:`descentlab.viz`; these are the lecture-specific pictures: the limit as h
shrinks, the step-size runs on x², the batch-size paths and the back-prop network with
its numbers.
"""
from __future__ import annotations

import numpy as np

__all__ = ["png_bytes", "derivative_limits", "gd_x2_runs", "batch_size_paths", "backprop_network", "slide_comparison"]


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def png_bytes(fig) -> bytes:
    """Save a matplotlib figure as PNG bytes and close it.

    No timestamp, so equal figures give equal bytes; the PNG carries its dpi and its
    smallest text size (:func:`descentlab.viz._mpl.picture_notes`), which the page
    uses to show it at a size where that text can be read.
    """
    from ..viz._mpl import png_of

    plt = _plt()
    try:
        return png_of(fig)
    finally:
        plt.close(fig)


def derivative_limits(acc) -> bytes:
    """Left: error of the forward and central quotients against h. Right: ∂g/∂l against the direction."""
    plt = _plt()
    d = acc.data
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10.8, 4.2), dpi=100, layout="constrained")
    hs = np.array([r["h"] for r in d["limit"]])
    fe = np.array([max(r["forward_error"], 1e-17) for r in d["limit"]])
    ce = np.array([max(r["central_error"], 1e-17) for r in d["limit"]])
    a1.loglog(hs, fe, "o-", label="forward [f(x+h) − f(x)]/h")
    a1.loglog(hs, ce, "s-", label="central [f(x+h) − f(x−h)]/2h")
    a1.loglog(hs, hs * 3, ":", color="gray", label="slope 1 (∝ h)")
    a1.loglog(hs, 2.2e-16 / hs, "--", color="gray", label="round-off ≈ ε/h")
    a1.set_xlabel("h")
    a1.set_ylabel("|quotient − f'(x0)|")
    a1.set_title(f"f(x) = x³ at x0 = {d['x0']:g}: the limit as h → 0", fontsize=10)
    a1.invert_xaxis()
    a1.legend(fontsize=9)
    a1.grid(True, which="both", alpha=0.3)
    ang = np.array(d["directions"]["angles_deg"])
    val = np.array(d["directions"]["values"])
    a2.plot(ang, val, "-", label="∂g/∂l = g_x cos α + g_y sin α")
    norm = d["gradient_norm"]
    a2.axhline(norm, color="C3", ls="--", lw=1, label=f"‖∇g‖ = {norm:.4f}")
    a2.axhline(-norm, color="C3", ls=":", lw=1)
    a2.axvline(d["directions"]["gradient_angle_deg"], color="C2", lw=1,
               label=f"direction of ∇g ({d['directions']['gradient_angle_deg']:.2f}°)")
    a2.plot([d["directions"]["best_angle_deg"]], [d["directions"]["best_value"]], "o", color="C3")
    a2.set_xlabel("direction α (degrees)")
    a2.set_ylabel("directional derivative")
    a2.set_xlim(0, 360)
    a2.set_title(f"g = x² + xy + 2y² at {tuple(d['point'])}: steepest ascent is along ∇g", fontsize=10)
    a2.legend(fontsize=9, loc="lower left")
    a2.grid(True, alpha=0.3)
    return png_bytes(fig)


def gd_x2_runs(acc) -> bytes:
    """Left: x_t for the first steps (signs visible). Right: |x_t| on a log scale, to the stop or divergence."""
    plt = _plt()
    d = acc.data
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10.8, 4.6), dpi=100, layout="constrained")
    styles = ["-", "-", "-", "--", "-", "-"]
    for i, (key, r) in enumerate(d["step_sizes"].items()):
        xs = np.array(r["x"], dtype=float)
        label = f"γ = {key}: {r['regime']}"
        t = np.arange(min(xs.size, 13))
        a1.plot(t, xs[: t.size], "o" + styles[i % len(styles)], ms=3, lw=1.2, color=f"C{i}", label=label)
        tail = np.abs(xs[:80])
        tail = np.where(tail == 0, np.nan, tail)
        a2.semilogy(np.arange(tail.size), tail, styles[i % len(styles)], lw=1.6, color=f"C{i}", label=label)
    a1.axhline(0, color="k", lw=0.6)
    a1.set_ylim(-1.2 * d["x0"] - 1, 1.2 * d["x0"] + 1)
    a1.set_xlabel("step t")
    a1.set_ylabel("x_t")
    a1.set_title(f"x_t = (1 − 2γ)^t · {d['x0']:g}: the first 12 steps", fontsize=10)
    a1.grid(True, alpha=0.3)
    a2.axhline(d["eps"] / 2, color="k", ls=":", lw=1, label=f"stop: 2|x| ≤ ε = {d['eps']:g}")
    a2.set_xlabel("step t")
    a2.set_ylabel("|x_t|")
    a2.set_title("|x_t| on a log scale (γ = 0.1 and 0.9 coincide; 0.5 hits 0 at t = 1)", fontsize=10)
    # below both panels, in the page's reading size: beside them it covered the right title
    fig.legend(*a2.get_legend_handles_labels(), loc="outside lower center", ncol=4, fontsize=9, frameon=False)
    a2.grid(True, which="both", alpha=0.3)
    return png_bytes(fig)


def batch_size_paths(seed: int = 0, epochs: int = 6) -> bytes:
    """SGD, batch GD and mini-batch GD from w = 0 on the example's loss contours, and the loss per update."""
    from ..data import full, minibatch, stochastic
    from ..lecture.batch_size import ETA, W0, YS, design, grad_half, loss_half

    plt = _plt()
    X, y = design(), YS
    paths = {}
    for name, b in (("SGD", stochastic(seed)), ("batch GD", full(seed)), ("mini-batch GD, k = 2", minibatch(2, seed=seed))):
        w = W0.copy()
        ws = [w.copy()]
        for _ in range(epochs):
            for idx in b.epoch(X.shape[0]):
                w = w - ETA * grad_half(w, X[idx], y[idx])
                ws.append(w.copy())
        paths[name] = np.array(ws)
    w_ls = np.linalg.lstsq(X, y, rcond=None)[0]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10.8, 4.2), dpi=100, layout="constrained")
    g0 = np.linspace(-0.5, 2.0, 120)
    g1 = np.linspace(-0.2, 2.6, 120)
    L = np.array([[loss_half(np.array([a, b]), X, y) for a in g0] for b in g1])
    a1.contour(g0, g1, np.log10(L), levels=20, cmap="Greys", linewidths=0.6)
    for i, (name, ws) in enumerate(paths.items()):
        a1.plot(ws[:, 0], ws[:, 1], ".-", ms=3, lw=1, color=f"C{i}", label=name)
        a2.semilogy(np.arange(len(ws)), [loss_half(w, X, y) for w in ws], ".-", ms=3, lw=1, color=f"C{i}", label=name)
    a1.plot(*w_ls, "*", color="k", ms=10, label="least squares w*")
    a1.set_xlabel("w0 (bias)")
    a1.set_ylabel("w1 (slope)")
    a1.set_title(f"{epochs} epochs from w = (0, 0), η = {ETA:g}", fontsize=10)
    a1.legend(fontsize=9)
    a2.set_xlabel("update")
    a2.set_ylabel("L(w) = 1/(2M) Σ (f − y)²")
    a2.set_title("loss on all samples after each update", fontsize=10)
    a2.legend(fontsize=9)
    a2.grid(True, which="both", alpha=0.3)
    return png_bytes(fig)


def backprop_network(acc) -> bytes:
    """The slides' 2-2-1 network with every weight, the forward values and the new weights."""
    plt = _plt()
    d = acc.data
    w, new, fw = d["weights"], d["new_weights"], d["forward"]
    fig, ax = plt.subplots(figsize=(10, 5.0), dpi=100, layout="constrained")
    pos = {"x1": (0.0, 1.0), "x2": (0.0, 0.0), "3": (1.2, 1.0), "4": (1.2, 0.0), "5": (2.4, 0.5)}
    # (from, to, weight, position along the edge, label offset in y)
    edges = [("x1", "3", "w31", 0.5, 0.07), ("x2", "4", "w42", 0.5, -0.1), ("x2", "3", "w32", 0.22, 0.0),
             ("x1", "4", "w41", 0.22, 0.0), ("3", "5", "w53", 0.5, 0.1), ("4", "5", "w54", 0.5, -0.12)]
    for a, b, k, t, dy in edges:
        (x0, y0), (x1, y1) = pos[a], pos[b]
        ax.annotate("", xy=(x1 - 0.08 * (x1 - x0), y1 - 0.08 * (y1 - y0)), xytext=(x0, y0),
                    arrowprops=dict(arrowstyle="->", color="0.45", lw=1.2))
        mx, my = x0 + t * (x1 - x0), y0 + t * (y1 - y0) + dy
        ax.text(mx, my, f"{k} = {w[k]:g} → {new[k]:.6f}", ha="center", va="center", fontsize=9,
                bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="0.8", alpha=0.95), zorder=5)
    labels = {"3": f"z3 = {fw['z3']:.4f}\ny3 = {fw['y3']:.6f}", "4": f"z4 = {fw['z4']:.4f}\ny4 = {fw['y4']:.6f}",
              "5": f"z5 = {fw['z5']:.6f}\ny5 = {fw['y5']:.6f}"}
    for n, (x, y) in pos.items():
        ax.add_patch(plt.Circle((x, y), 0.09, color="#2456a6" if n.startswith("x") else "#e07b00", zorder=3))
        ax.text(x, y, n, ha="center", va="center", color="white", fontsize=10, fontweight="bold", zorder=4)
        if n.startswith("x"):
            ax.text(x - 0.14, y, f"{n} = {d['inputs'][n]:g}", ha="right", va="center", fontsize=9)
        else:
            ax.text(x, y - 0.16 if n != "3" else y + 0.16, labels[n], ha="center", va="top" if n != "3" else "bottom",
                    fontsize=9)
    ax.text(2.4, 0.95, f"target ya = {d['target']:g}\nE = ½(y5 − ya)² = {fw['E']:.8f}\n"
            f"after one step (η = {d['lr']:g}): E = {d['after']['E']:.8f}", ha="center", va="bottom", fontsize=9)
    ax.set_xlim(-0.75, 3.0)
    ax.set_ylim(-0.5, 1.55)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("Example II: weights (old → new after one update), forward values, error", fontsize=10)
    return png_bytes(fig)


def slide_comparison(acc) -> bytes:
    """Relative difference of each slide figure from the float64 value, coloured by its classification."""
    plt = _plt()
    rows = acc.data["slide"]
    names = [r["quantity"] for r in rows]
    rel = [abs(float(r["slide"]) - r["value"]) / abs(r["value"]) if r["value"] else 0.0 for r in rows]
    colors = {"exact": "#23803b", "rounded": "#5b9bd5", "truncated": "#e0a000", "wrong": "#b3261e"}
    fig, ax = plt.subplots(figsize=(9, 4.0), dpi=100, layout="constrained")
    ax.bar(range(len(rows)), [max(v, 1e-12) for v in rel], color=[colors[r["status"]] for r in rows])
    ax.set_yscale("log")
    ax.set_xticks(range(len(rows)), names, rotation=60, ha="right", fontsize=9)
    ax.set_ylabel("|slide − exact| / |exact|")
    for status, c in colors.items():
        ax.bar([0], [0], color=c, label=status)
    ax.legend(fontsize=9, ncols=4, loc="upper left")
    ax.set_title("The slide's figures against float64 (bars at 1e-12 are exact)", fontsize=10)
    ax.grid(True, axis="y", which="both", alpha=0.3)
    return png_bytes(fig)

