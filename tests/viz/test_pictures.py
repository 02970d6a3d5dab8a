"""Every picture function writes a non-empty file of the expected pixel size, headless."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

PIL = pytest.importorskip("PIL.Image", reason="Pillow is part of the plot extra")
pytest.importorskip("matplotlib", reason="matplotlib is part of the plot extra")

from descentlab.errors import ConfigError  # noqa: E402
from descentlab.train.minimize import minimize  # noqa: E402
from descentlab.train.race import race  # noqa: E402


def _size(path):
    with PIL.open(path) as im:
        return im.size, getattr(im, "n_frames", 1)


@pytest.fixture(scope="module")
def small_race():
    return race("booth", ["sgd", "momentum", "adam"], steps=30, lr_grid=[1e-2, 1e-1])


def test_contours_and_race_plot(tmp_path, small_race):
    from descentlab.viz import plot_contours, plot_race

    tr = minimize("rosenbrock", None, "adam", lr=0.05, steps=20)
    p = plot_contours("rosenbrock", [tr], tmp_path / "c.png", size=(4, 3), dpi=50, grid=30)
    assert p.stat().st_size > 1000 and _size(p) == ((200, 150), 1)
    p = plot_race(small_race, tmp_path / "deep" / "r.png", size=(5, 4), dpi=40, grid=30)
    assert _size(p) == ((200, 160), 1)


def test_curves_and_descent_1d(tmp_path, small_race):
    from descentlab.viz import plot_curves, plot_descent_1d

    p = plot_curves(small_race, tmp_path / "curves.png", surface="booth", size=(6, 3), dpi=40)
    assert _size(p) == ((240, 120), 1)
    p = plot_descent_1d(out=tmp_path / "d.png", lr=0.2, steps=5, size=(4, 3), dpi=40)
    assert _size(p) == ((160, 120), 1)
    saddle = minimize("saddle", None, "sgd", lr=0.2, steps=10)
    p = plot_curves([saddle], tmp_path / "s.png", surface="saddle", size=(4, 2), dpi=40)  # f < 0: symlog
    assert p.stat().st_size > 0


def test_lr_effects_and_schedules(tmp_path):
    from descentlab.viz import plot_lr_effects, plot_schedules

    p = plot_lr_effects(tmp_path / "lr.png", steps=4, steps_2d=5, size=(8, 4), dpi=30)
    assert _size(p) == ((240, 120), 1)
    p = plot_schedules(["exp:k=0.1", "step:every=3,gamma=0.5"], tmp_path / "s.png", steps=10, size=(4, 2), dpi=40)
    assert _size(p) == ((160, 80), 1)
    p = plot_schedules(out=tmp_path / "all.png", steps=10, dpi=20)  # every kind, default layout 5 x 3 panels
    assert _size(p) == ((300, 144), 1)


def test_animation_gif_has_the_frames_and_size(tmp_path, small_race):
    from descentlab.viz import animate_race

    p = animate_race(small_race, tmp_path / "race.gif", frames=5, fps=5, size=(4, 3), dpi=40, grid=20)
    assert _size(p) == ((160, 120), 5)
    assert not list(tmp_path.glob(".*"))  # no temporary files left


def test_gif_keeps_the_optimizer_colours(tmp_path):
    from matplotlib.colors import to_rgb

    from descentlab.viz import animate_trajectories
    from descentlab.viz._mpl import color_for

    tr = minimize("booth", None, "adam", lr=0.5, steps=40)
    p = animate_trajectories("booth", {"adam": tr}, tmp_path / "a.gif", frames=3, size=(4, 3), dpi=60, grid=20)
    want = np.array([round(255 * v) for v in to_rgb(color_for("adam", 0))])

    def pixels_of_the_colour(frame):
        im.seek(frame)
        rgb = np.asarray(im.convert("RGB")).reshape(-1, 3).astype(int)
        return int(np.sum(np.all(np.abs(rgb - want) <= 3, axis=1)))

    with PIL.open(p) as im:
        first, last = pixels_of_the_colour(0), pixels_of_the_colour(im.n_frames - 1)
    # the legend's sample line has the colour in every frame; the path drawn by the last
    # frame must add many more pixels of it
    assert first > 0 and last > first + 50, (first, last)


@pytest.mark.parametrize("call,pattern", [
    (lambda d: __import__("descentlab.viz", fromlist=["x"]).plot_contours("x2", [], d / "a.png"), r"2-D surface"),
    (lambda d: __import__("descentlab.viz", fromlist=["x"]).plot_descent_1d(out=d / "a.png", surface="booth"), r"1-D surface"),
    (lambda d: __import__("descentlab.viz", fromlist=["x"]).plot_schedules(out=d / "a.jpg"), r"ending in .png"),
    (lambda d: __import__("descentlab.viz", fromlist=["x"]).plot_schedules(out=d / "a.png", size=(0, 1)), r"positive size"),
    (lambda d: __import__("descentlab.viz", fromlist=["x"]).plot_schedules(out=d / "a.png", dpi=0), r"integer dpi >= 10, got 0"),
    (lambda d: __import__("descentlab.viz", fromlist=["x"]).plot_schedules(["nope:k=1"], d / "a.png"), r"schedule name"),
    (lambda d: __import__("descentlab.viz", fromlist=["x"]).animate_trajectories(
        "booth", [minimize("booth", None, "sgd", lr=0.01, steps=3)], d / "a.gif", frames=1), r"frames >= 2"),
])
def test_bad_input(tmp_path, call, pattern):
    with pytest.raises(ConfigError, match=pattern):
        call(tmp_path)


def test_mp4_without_an_ffmpeg_writer_asks_for_a_gif_and_writes_nothing(tmp_path, monkeypatch):
    from descentlab.viz import animation

    monkeypatch.setattr(animation, "mp4_available", lambda: False)
    run = minimize("booth", None, "sgd", lr=0.01, steps=3)
    with pytest.raises(ConfigError, match=r"ffmpeg for an \.mp4, got no ffmpeg writer\. Fix: write a \.gif"):
        animation.animate_trajectories("booth", [run], tmp_path / "a.mp4", frames=2, dpi=20, grid=10)
    assert list(tmp_path.iterdir()) == []
    # the same call with a .gif works without ffmpeg (Pillow)
    p = animation.animate_trajectories("booth", [run], tmp_path / "a.gif", frames=2, size=(2, 2), dpi=20, grid=10)
    with PIL.open(p) as im:
        assert im.format == "GIF" and im.size == (40, 40) and im.n_frames == 2


def test_importing_viz_does_not_import_matplotlib():
    code = "import sys, descentlab.viz; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


def test_symlog_axis_of_a_runaway_f_keeps_few_labelled_decades():
    # f on the saddle runs to −10¹²: every decade labelled would be 17 labels below 0
    from descentlab.viz._mpl import pyplot
    from descentlab.viz.curves import _LINTHRESH, _sparse_symlog_ticks

    plt = pyplot()
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [1.0, -5.0, -1e12])
    ax.set_yscale("symlog", linthresh=_LINTHRESH)
    lo, hi = ax.get_ylim()
    _sparse_symlog_ticks(ax, most=5)
    ticks = ax.get_yticks()
    plt.close(fig)
    assert 0.0 in ticks and len(ticks) <= 2 * 5 + 1
    assert min(ticks) <= -1e11 and all(lo <= t <= hi for t in ticks)


def test_the_view_holds_every_point_of_every_path_but_grows_at_most_by_the_window_span():
    from descentlab.functions import get_surface
    from descentlab.viz.contours import view_limits

    s = get_surface("rosenbrock")                      # window x [-2, 2], y [-1, 3]
    assert view_limits(s, []) == ((-2.0, 2.0), (-1.0, 3.0))
    out = minimize(s, None, "adagrad", lr=3.16, steps=500, tol=None)
    assert out.x[-1, 1] > 3.0                          # it ends above the window
    (x0, x1), (y0, y1) = view_limits(s, [out])
    assert (x0, y0) == (-2.0, -1.0)                   # the sides no run passed stay put
    assert out.x[:, 0].max() <= x1 <= 6.0 and out.x[:, 1].max() <= y1 <= 7.0   # at most one span more
    far = minimize("x2", [3.0], "sgd", lr=0.1, steps=1, tol=None)
    far.x = np.array([[1e9, -1e9], [np.nan, np.nan]])  # a run thrown far away, then NaN
    assert view_limits(s, [far]) == ((-2.0, 6.0), (-5.0, 3.0))
    # on the saddle escaping is the point: the window stays
    saddle = get_surface("saddle")
    assert view_limits(saddle, [far]) == ((-1.5, 1.5), (-1.5, 1.5))


@pytest.mark.parametrize("kw,title", [
    (dict(lr=0.2), "gradient descent on f(x) = x²: γ = 0.2, x_t = (0.6)^t·x₀"),
    (dict(lr=0.1, momentum=0.9), "gradient descent with momentum 0.9 on f(x) = x²: γ = 0.1"),  # no closed form claimed
    (dict(lr="schedule"), "gradient descent on f(x) = x²: γ from a schedule"),
])
def test_descent_1d_title_claims_the_closed_form_only_for_plain_gd(tmp_path, monkeypatch, kw, title):
    import matplotlib.axes

    from descentlab.optim.schedules import Exponential
    from descentlab.viz import plot_descent_1d

    if kw["lr"] == "schedule":
        kw = dict(lr=Exponential(lr=0.1, k=0.1))
    lr = kw.pop("lr")
    seen = []
    real = matplotlib.axes.Axes.set_title
    monkeypatch.setattr(matplotlib.axes.Axes, "set_title", lambda self, t, **k: seen.append(t) or real(self, t, **k))
    # the title is read from the trajectory's settings, whether drawn from a run or given one
    tr = minimize("x2", [2.0], "sgd", lr=lr, steps=4, tol=None, **kw)
    plot_descent_1d(out=tmp_path / "a.png", lr=lr, steps=4, size=(3, 2), dpi=20, **kw)
    plot_descent_1d(tr, tmp_path / "b.png", size=(3, 2), dpi=20)
    assert seen == [title, title]


def test_curves_draw_an_exact_zero_as_a_marker_under_the_positive_values(tmp_path, monkeypatch):
    # GD at γ = ½ on x² lands on 0 in one step: a log axis would drop that point silently
    from descentlab.viz import curves

    figs = []
    monkeypatch.setattr(curves, "save_png", lambda fig, out: figs.append(fig))
    tr = minimize("x2", [2.0], "sgd", lr=0.5, steps=3, tol=None)
    assert tr.f.tolist() == [4.0, 0.0, 0.0, 0.0]
    curves.plot_curves([tr], tmp_path / "z.png", surface="x2")
    a1, a2 = figs[0].axes
    line = a1.get_lines()[0]
    np.testing.assert_allclose(line.get_ydata(), [4.0, 0.4, 0.4, 0.4])  # a decade under 4 (‖∇f‖ = 4 too)
    assert [tx.get_text() for tx in a2.texts] == ["▼ exactly 0"]
    assert a1.get_yscale() == a2.get_yscale() == "log"


def test_every_viz_function_takes_data_then_out_then_keyword_options():
    import inspect

    import descentlab.viz as viz

    for name in viz.__all__:
        params = list(inspect.signature(getattr(viz, name)).parameters.values())
        names = [p.name for p in params]
        assert "out" in names, name
        i = names.index("out")
        assert all(p.kind is p.POSITIONAL_OR_KEYWORD for p in params[:i + 1]), name
        assert all(p.kind in (p.KEYWORD_ONLY, p.VAR_KEYWORD) for p in params[i + 1:]), name


def test_out_none_returns_the_figure_and_a_path_in_the_data_slot_is_refused(tmp_path):
    from descentlab.viz import plot_descent_1d, plot_schedules

    fig = plot_schedules(["exp:k=0.1"], steps=5, size=(3, 2), dpi=20)
    assert type(fig).__name__ == "Figure" and fig.axes
    with pytest.raises(ValueError, match=r"first argument of plot_descent_1d.*out="):
        plot_descent_1d(tmp_path / "old-order.png")
    assert not (tmp_path / "old-order.png").exists()


def test_the_view_holds_newtons_excursion_on_rosenbrock():
    # pure Newton from (-1.2, 1) visits y ~ -3.2 on its way to (1, 1): the figure must show it
    from descentlab.functions import get_surface
    from descentlab.viz.contours import view_limits

    s = get_surface("rosenbrock")
    newton = minimize(s, [-1.2, 1.0], "newton", steps=20, tol=1e-10)
    assert newton.x[:, 1].min() < -3.0
    (x0, x1), (y0, y1) = view_limits(s, [newton])
    assert np.all((newton.x[:, 0] >= x0) & (newton.x[:, 0] <= x1))
    assert np.all((newton.x[:, 1] >= y0) & (newton.x[:, 1] <= y1))


def test_titles_name_datasets_in_words_not_identifiers():
    from descentlab.data.registry import dataset_title

    assert dataset_title("linear_regression") == "the chapter's linear regression"
    assert dataset_title("mnist_5k") == "MNIST-5000"
    assert dataset_title("my_data.csv") == "my data.csv"      # an unknown name loses its underscores
    assert "_" not in "".join(dataset_title(k) for k in ("breast_cancer", "two_moons"))


def test_a_saved_png_records_its_dpi_and_its_smallest_text_from_what_is_drawn(tmp_path):
    """The smallest text is the font of the strings actually drawn (points × dpi / 72); hidden ones do not count."""
    from descentlab.report.html import picture_info
    from descentlab.viz._mpl import LOG_TICK_PT, pyplot, save_png

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(3, 2), dpi=120)
    ax.tick_params(labelsize=11)
    ax.set_title("title", fontsize=14)
    ax.text(0.5, 0.5, "a note", fontsize=9)
    ax.text(0.2, 0.2, "hidden", fontsize=4).set_visible(False)
    ax.text(0.2, 0.8, "   ", fontsize=3)           # nothing to see
    ax.set_xscale("log")
    ax.set_xlim(1e-3, 1e1)  # tick labels 10^{-3} …: enlarged to LOG_TICK_PT on save, superscripts at 0.7 of it
    notes = picture_info(save_png(fig, tmp_path / "t.png").read_bytes())["notes"]
    assert notes["descentlab.dpi"] == "120"
    assert float(notes["descentlab.min_text_px"]) == pytest.approx(9 * 120 / 72, abs=0.01)
    assert float(notes["descentlab.min_script_px"]) == pytest.approx(0.7 * LOG_TICK_PT * 120 / 72, abs=0.01)


def test_the_race_gif_records_its_text_size_in_its_comment(tmp_path, small_race):
    from descentlab.report.html import picture_info
    from descentlab.viz import animate_race

    p = animate_race(small_race, tmp_path / "race.gif", frames=3, fps=5, size=(4, 3), dpi=50, grid=20)
    info = picture_info(p.read_bytes())
    assert (info["width"], info["height"]) == (200, 150)
    assert info["notes"]["descentlab.dpi"] == "50"
    assert float(info["notes"]["descentlab.min_text_px"]) == pytest.approx(9 * 50 / 72, abs=0.01)


def test_race_paths_have_distinct_markers_in_the_picture_and_the_legend(small_race):
    """Colour alone does not tell the paths apart in grey: each has its own marker, shown in the legend too."""
    from descentlab.viz import plot_contours, plot_race

    fig = plot_race(small_race, grid=20)
    try:
        handles = {t.get_text().split(" (")[0]: h for t, h in zip(fig.legends[0].get_texts(),
                                                                   fig.legends[0].legend_handles)}
        markers = [handles[r.label.split(" (")[0]].get_marker() for r in small_race.racers]
        assert len(markers) == 3 and len(set(markers)) == 3, markers
        assert not {"s", "*", "x", "None", "", None} & set(markers)   # start, minimum, a diverged end
    finally:
        fig.clf()
    tr = minimize("booth", None, "adam", lr=0.5, steps=10)
    fig = plot_contours("booth", {"adam (lr=0.5)": tr, "adam (lr=0.1)": tr}, grid=20)  # one name twice
    assert len({h.get_marker() for h in fig.legends[0].legend_handles[1:3]}) == 2


class _FakeMovieWriter:
    """Stands in for ffmpeg (absent on many machines): counts the frames, writes them as text."""

    def __new__(cls, fps, fail=False):
        from matplotlib import animation

        class Writer(animation.AbstractMovieWriter):
            def setup(self, fig, outfile, dpi=None):
                super().setup(fig, outfile, dpi)
                self.n = 0

            def grab_frame(self, **kw):
                self.n += 1
                if fail:
                    raise RuntimeError("ffmpeg died")

            def finish(self):
                with open(self.outfile, "wb") as fh:
                    fh.write(f"{self.n} frames".encode())

        return Writer(fps=fps)


@pytest.mark.parametrize("fail", [False, True])
def test_mp4_through_a_symlink_replaces_the_target_atomically(tmp_path, monkeypatch, fail):
    from matplotlib import animation as mpl_animation

    from descentlab.viz import animation

    monkeypatch.setattr(animation, "mp4_available", lambda: True)
    monkeypatch.setattr(mpl_animation, "FFMpegWriter", lambda fps: _FakeMovieWriter(fps, fail))
    real = tmp_path / "films" / "race.mp4"
    real.parent.mkdir()
    real.write_bytes(b"old film")
    link = tmp_path / "race.mp4"
    link.symlink_to(real)
    run = minimize("booth", None, "sgd", lr=0.01, steps=3)
    if fail:
        with pytest.raises(RuntimeError, match="ffmpeg died"):
            animation.animate_trajectories("booth", [run], link, frames=3, size=(2, 2), dpi=20, grid=10)
        assert real.read_bytes() == b"old film"
    else:
        animation.animate_trajectories("booth", [run], link, frames=3, size=(2, 2), dpi=20, grid=10)
        assert real.read_bytes() == b"3 frames"
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert sorted(p.name for p in real.parent.iterdir()) == ["race.mp4"]  # no temporary left beside the target
    assert sorted(p.name for p in tmp_path.iterdir()) == ["films", "race.mp4"]


def test_the_race_animation_gives_each_path_head_its_own_marker_and_shows_it_in_the_legend(tmp_path, monkeypatch,
                                                                                           small_race):
    from descentlab.viz import animate_race, animation

    seen = {}
    monkeypatch.setattr(animation, "_save_gif_blitted", lambda fig, ax, artists, *a: seen.update(fig=fig, artists=artists))
    animate_race(small_race, tmp_path / "race.gif", frames=3, size=(4, 3), dpi=40, grid=20)
    heads = [a.get_marker() for a in seen["artists"][len(small_race.racers):]]
    assert len(heads) == 3 and len(set(heads)) == 3 and "s" not in heads, heads
    shown = [t.get_text() for t in seen["fig"].legends[0].get_texts()]
    assert shown[0] == "minimum" and shown[-1] == "start" and shown[1:-1] == [r.label for r in small_race.racers]


def test_log_axis_ticks_are_enlarged_never_shrunk():
    from descentlab.viz._mpl import LOG_TICK_PT, legible_log_ticks, pyplot

    plt = pyplot()
    fig, (a, b, c) = plt.subplots(1, 3)
    a.set_yscale("log")
    a.tick_params(labelsize=8)
    b.set_xscale("log")
    b.tick_params(labelsize=14)
    c.tick_params(labelsize=8)  # linear: left alone
    legible_log_ticks(fig)
    fig.canvas.draw()
    assert {t.get_fontsize() for t in a.get_yticklabels()} == {LOG_TICK_PT}
    assert {t.get_fontsize() for t in b.get_xticklabels()} == {14}
    assert {t.get_fontsize() for t in c.get_xticklabels()} == {8}
    plt.close(fig)
