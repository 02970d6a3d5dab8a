/* descentlab playground: the page's state (kept in the URL fragment), the surfaces
 * view, and window.descentlab (run, backprop, state, bench).
 */
(function (root) {
  "use strict";
  var R = root.DLRules, S = root.DLSurfaces, V = root.DLViews;
  var data = JSON.parse(document.getElementById("dl-data").textContent);

  var COLORS = { sgd: "#222222", momentum: "#1f77b4", nesterov: "#17becf", adagrad: "#9467bd", rmsprop: "#ff7f0e",
                 adam: "#d62728", amsgrad: "#8c564b", adamw: "#e377c2", nadam: "#2ca02c", adamax: "#bcbd22",
                 radam: "#7f3f00", lion: "#008080", adadelta: "#6b6ecf", rprop: "#b8860b",
                 newton: "#4b0082", lamb: "#c71585" };
  var GOOD_LR = { quadratic: 0.05, saddle: 0.05, valley: 0.1, rosenbrock: 0.002, beale: 0.01, himmelblau: 0.01,
                  booth: 0.02, rastrigin: 0.002, linreg: 0.1 };
  var SURFACE_NAMES = Object.keys(data.surfaces).filter(function (n) { return data.surfaces[n].dim === 2; });
  var surfaces = {};
  Object.keys(data.surfaces).forEach(function (n) { surfaces[n] = S.surfaceFromData(data.surfaces[n]); });

  // ---------------------------------------------------------------- window.descentlab.run

  // The same run as `descentlab minimize SURFACE --optimizer O --preset P --lr .. --start ..
  // --steps N --tol T [--schedule S] --json`: {x, f, grad_norm, lr, stop}.
  function run(cfg) {
    var s = surfaces[cfg.surface];
    if (!s) throw R.ConfigError("expected a surface among " + Object.keys(surfaces).join(", ") + "; got " + cfg.surface);
    var preset = cfg.preset || data.default_preset;
    var opt = R.makeOptimizer(cfg.optimizer, preset, cfg.hyper || {}, data.presets, cfg.schedule || null,
                              { nesterovWithoutMomentum: data.nesterov_without_momentum });
    var start = cfg.start || s.start;
    if (start.length !== s.dim) throw R.ConfigError("expected a start with " + s.dim + " coordinates; got " + start.length);
    var tol = cfg.tol === undefined ? 1e-8 : cfg.tol;
    var res = R.minimize(s, start.slice(), opt, { steps: cfg.steps === undefined ? 100 : cfg.steps, tol: tol,
                                                   bound: cfg.bound, record: !!cfg.record });
    var out = { x: res.x, f: res.f, grad_norm: res.grad_norm, lr: res.lr, stop: res.stop };
    if (cfg.record) out.records = res.records;
    return out;
  }

  // ---------------------------------------------------------------- state and the URL fragment

  var DEFAULT = {
    view: "surfaces", surface: "valley", preset: data.default_preset, opts: ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"],
    lr: 0.1, mu: 0.9, b1: 0.9, b2: 0.999, eps: 1e-8, steps: 300, tol: 1e-8, sched: "constant", k: 0.01, every: 50,
    epsp: "preset", mf: "preset", nf: "preset", nfb: "preset", start: null, t: 0,
    quad: { l1: 1, l2: 10, qlr: 0.1, qmu: 0.5, qsteps: 100 },
    x2: { xlr: 0.1, xx0: data.x2.x0, xeps: data.x2.eps },
    bp: { stage: 3, values: null },
  };
  var state = JSON.parse(JSON.stringify(DEFAULT));

  var NUMERIC = ["lr", "mu", "b1", "b2", "eps", "steps", "tol", "k", "every", "t"];
  var QNUM = ["l1", "l2", "qlr", "qmu", "qsteps"], XNUM = ["xlr", "xx0", "xeps"];
  var BPKEYS = ["x1", "x2", "w31", "w32", "w41", "w42", "w53", "w54", "ya", "η"];

  function toHash() {
    var p = new URLSearchParams();
    p.set("view", state.view); p.set("surface", state.surface); p.set("preset", state.preset); p.set("opts", state.opts.join(","));
    NUMERIC.forEach(function (k) { p.set(k, String(state[k])); });
    ["sched", "epsp", "mf", "nf", "nfb"].forEach(function (k) { p.set(k, state[k]); });
    if (state.start) p.set("start", state.start.join(","));
    QNUM.forEach(function (k) { p.set(k, String(state.quad[k])); });
    XNUM.forEach(function (k) { p.set(k, String(state.x2[k])); });
    p.set("stage", String(state.bp.stage));
    if (state.bp.values) BPKEYS.forEach(function (k) { p.set("bp_" + (k === "η" ? "lr" : k), String(state.bp.values[k])); });
    return "#" + p.toString();
  }

  function fromHash(hash) {
    var p = new URLSearchParams((hash || "").replace(/^#/, ""));
    function n(v) { var x = parseFloat(v); return isFinite(x) ? x : null; }
    if (p.has("view") && ["surfaces", "quadratic", "x2", "backprop"].indexOf(p.get("view")) >= 0) state.view = p.get("view");
    if (p.has("surface") && SURFACE_NAMES.indexOf(p.get("surface")) >= 0) state.surface = p.get("surface");
    if (p.has("preset") && data.presets[p.get("preset")]) state.preset = p.get("preset");
    if (p.has("opts")) state.opts = p.get("opts").split(",").filter(function (o) { return data.optimizers.indexOf(o) >= 0; });
    NUMERIC.forEach(function (k) { if (p.has(k) && n(p.get(k)) !== null) state[k] = n(p.get(k)); });
    ["sched", "epsp", "mf", "nf", "nfb"].forEach(function (k) { if (p.has(k)) state[k] = p.get(k); });
    if (p.has("start")) {
      var st = p.get("start").split(",").map(n);
      state.start = st.length === 2 && st.every(function (v) { return v !== null; }) ? st : null;
    } else if (p.has("view")) state.start = null;
    QNUM.forEach(function (k) { if (p.has(k) && n(p.get(k)) !== null) state.quad[k] = n(p.get(k)); });
    XNUM.forEach(function (k) { if (p.has(k) && n(p.get(k)) !== null) state.x2[k] = n(p.get(k)); });
    if (p.has("stage")) state.bp.stage = Math.max(0, Math.min(3, Math.round(n(p.get("stage")) || 0)));
    if (p.has("bp_x1")) {
      var vals = {};
      BPKEYS.forEach(function (k) { var v = n(p.get("bp_" + (k === "η" ? "lr" : k))); vals[k] = v === null ? bpView.defaults()[k] : v; });
      state.bp.values = vals;
    }
  }

  var hashTimer = null, lastHash = "";
  function saveHash() {
    if (hashTimer) clearTimeout(hashTimer);
    hashTimer = setTimeout(function () {
      hashTimer = null;
      lastHash = toHash();
      history.replaceState(null, "", lastHash);
      document.getElementById("permalink").href = lastHash;
    }, 120);
  }

  // ---------------------------------------------------------------- surfaces view: runs

  function hyperFor(o) {
    var h = { lr: state.lr };
    var table = data.presets[state.preset][o];
    if (o === "momentum" || o === "nesterov") h.momentum = state.mu;
    if (["adam", "amsgrad", "adamw", "nadam", "adamax", "radam", "lion", "lamb"].indexOf(o) >= 0) { h.beta1 = state.b1; h.beta2 = state.b2; }
    if ("eps" in table) h.eps = state.eps;
    if (state.epsp !== "preset" && "eps_placement" in table && (state.epsp !== "hat" || ["adam", "amsgrad", "adamw", "radam"].indexOf(o) >= 0))
      h.eps_placement = state.epsp;
    if (state.mf !== "preset" && "momentum_form" in table) h.momentum_form = state.mf;
    if (state.nf !== "preset" && "nesterov_form" in table) h.nesterov_form = state.nf;
    if (state.nfb !== "preset" && "fallback" in table) h.fallback = state.nfb;
    return h;
  }

  function scheduleSpec() {
    if (state.sched === "step") return { kind: "step", every: Math.max(1, Math.round(state.every)), gamma: 0.5 };
    if (state.sched === "exp") return { kind: "exp", k: state.k };
    if (state.sched === "inv") return { kind: "inv", k: state.k };
    return null;
  }

  function startOf() { return state.start || surfaces[state.surface].start; }

  var runs = [];
  function recompute() {
    runs = state.opts.filter(function (o) { return data.presets[state.preset][o]; }).map(function (o) {
      try {
        return { name: o, res: run({ surface: state.surface, optimizer: o, preset: state.preset, hyper: hyperFor(o), start: startOf(),
                                     steps: Math.round(state.steps), tol: state.tol, schedule: scheduleSpec(), record: true }) };
      } catch (e) {
        return { name: o, error: e.message };
      }
    });
    return runs;
  }

  // ---------------------------------------------------------------- surfaces view: drawing

  var contourCache = {};
  function contourImage(name, w, h) {
    var key = name + ":" + w + "x" + h;
    if (contourCache[key]) return contourCache[key];
    var s = surfaces[name], win = s.window;
    var gw = Math.max(2, Math.round(w / 2)), gh = Math.max(2, Math.round(h / 2));
    var vals = new Float64Array(gw * gh), lo = Infinity, hi = -Infinity, i, j;
    for (j = 0; j < gh; j++) for (i = 0; i < gw; i++) {
      var x = win[0][0] + (i + 0.5) / gw * (win[0][1] - win[0][0]);
      var y = win[1][1] - (j + 0.5) / gh * (win[1][1] - win[1][0]);
      var v = s.value([x, y]); vals[j * gw + i] = v; if (v < lo) lo = v; if (v > hi) hi = v;
    }
    var q = new Float64Array(gw * gh), qs = [];
    for (i = 0; i < vals.length; i++) { q[i] = Math.log(1 + (vals[i] - lo)); qs.push(q[i]); }
    qs.sort(function (a, b) { return a - b; });
    var qmax = qs[Math.floor(0.98 * (qs.length - 1))] || 1, levels = 22;
    var band = new Int16Array(gw * gh);
    for (i = 0; i < q.length; i++) band[i] = Math.min(levels, Math.floor(q[i] / qmax * levels));
    var off = document.createElement("canvas"); off.width = gw; off.height = gh;
    var octx = off.getContext("2d"), img = octx.createImageData(gw, gh);
    for (j = 0; j < gh; j++) for (i = 0; i < gw; i++) {
      var b = band[j * gw + i], t = b / levels;
      var edge = (i + 1 < gw && band[j * gw + i + 1] !== b) || (j + 1 < gh && band[(j + 1) * gw + i] !== b);
      var r = 255 - 120 * t, g = 250 - 90 * t, bl = 235 - 20 * t;
      if (edge) { r *= 0.72; g *= 0.72; bl *= 0.75; }
      var k = 4 * (j * gw + i);
      img.data[k] = r; img.data[k + 1] = g; img.data[k + 2] = bl; img.data[k + 3] = 255;
    }
    octx.putImageData(img, 0, 0);
    contourCache[key] = off;
    return off;
  }

  var mapGeom = null;
  function drawSurface() {
    var canvas = document.getElementById("surface-canvas");
    var s = surfaces[state.surface], win = s.window;
    var aspect = Math.min(0.85, Math.max(0.55, (win[1][1] - win[1][0]) / (win[0][1] - win[0][0])));
    var g = V.fit(canvas, aspect), ctx = g.ctx;
    var X = function (x) { return (x - win[0][0]) / (win[0][1] - win[0][0]) * g.w; };
    var Y = function (y) { return (win[1][1] - y) / (win[1][1] - win[1][0]) * g.h; };
    mapGeom = { w: g.w, h: g.h, win: win };
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(contourImage(state.surface, Math.round(g.w), Math.round(g.h)), 0, 0, g.w, g.h);
    // minima
    ctx.fillStyle = "#000";
    (s.minima || []).forEach(function (m) {
      ctx.beginPath(); ctx.moveTo(X(m[0]), Y(m[1]) - 7); ctx.lineTo(X(m[0]) + 6, Y(m[1]) + 5); ctx.lineTo(X(m[0]) - 6, Y(m[1]) + 5); ctx.closePath(); ctx.fill();
    });
    var t = Math.round(state.t);
    runs.forEach(function (r) {
      if (r.error) return;
      var pts = r.res.x.map(function (x) { return [X(x[0]), Y(x[1])]; });
      V.polyline(ctx, pts, COLORS[r.name], 2.5);
      var at = r.res.x[Math.min(t, r.res.x.length - 1)];
      ctx.fillStyle = COLORS[r.name]; ctx.strokeStyle = "#fff"; ctx.lineWidth = 2;
      ctx.beginPath(); ctx.arc(X(at[0]), Y(at[1]), 6, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
    });
    var st = startOf();
    ctx.strokeStyle = "#000"; ctx.lineWidth = 2.5; ctx.fillStyle = "#f0a000";
    ctx.beginPath(); ctx.arc(X(st[0]), Y(st[1]), 8, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
    // ticks along the bottom (x) and the left (y) edge, inside the map
    ctx.save();
    ctx.font = "12px system-ui, sans-serif"; ctx.fillStyle = "#222"; ctx.strokeStyle = "rgba(255,255,255,0.85)"; ctx.lineWidth = 3;
    ctx.textAlign = "center"; ctx.textBaseline = "bottom";
    V.ticks(win[0][0], win[0][1], 8).forEach(function (t) {
      var px = X(t); if (px < 14 || px > g.w - 14) return;
      ctx.strokeText(V.num(t, 3), px, g.h - 3); ctx.fillText(V.num(t, 3), px, g.h - 3);
    });
    ctx.textAlign = "left"; ctx.textBaseline = "middle";
    V.ticks(win[1][0], win[1][1], 6).forEach(function (t) {
      var py = Y(t); if (py < 10 || py > g.h - 22) return;
      ctx.strokeText(V.num(t, 3), 4, py); ctx.fillText(V.num(t, 3), 4, py);
    });
    ctx.restore();
  }

  function fMin(s) {
    if (!s.minima || !s.minima.length) return null;
    return Math.min.apply(null, s.minima.map(function (m) { return s.value(m); }));
  }

  function drawCurves() {
    var canvas = document.getElementById("curves-canvas");
    var g = V.fit(canvas, 0.38), ctx = g.ctx, s = surfaces[state.surface], fmin = fMin(s);
    var T = Math.max(1, Math.round(state.steps));
    var left = { x: 0, y: 0, w: g.w / 2, h: g.h }, right = { x: g.w / 2, y: 0, w: g.w / 2, h: g.h };
    var fvals = [], gvals = [];
    runs.forEach(function (r) { if (!r.error) { fvals = fvals.concat(r.res.f); gvals = gvals.concat(r.res.grad_norm); } });
    // a log range over the finite positive values, at most 1e3 times the largest start value
    // (a diverging run would otherwise flatten every other curve)
    function range(vals, floor, first) {
      var lo = Infinity, hi = -Infinity, cap = first > 0 ? first * 1e3 : Infinity;
      vals.forEach(function (v) { if (isFinite(v) && v > 0 && v <= cap) { lo = Math.min(lo, v); hi = Math.max(hi, v); } });
      if (!isFinite(lo)) return [1e-8, 1];
      lo = Math.max(lo, floor); return [Math.pow(10, Math.floor(Math.log10(lo))), Math.pow(10, Math.ceil(Math.log10(hi)) + (hi === lo ? 1 : 0))];
    }
    var f0 = 0, g0 = 0;
    runs.forEach(function (r) { if (!r.error) { f0 = Math.max(f0, r.res.f[0] - (fmin || 0)); g0 = Math.max(g0, r.res.grad_norm[0]); } });
    var logF = fmin !== null, ff;
    if (logF) ff = V.frame(ctx, left, [0, T], range(fvals.map(function (v) { return v - fmin; }), 1e-16, f0), { yLog: true, xlabel: "step t", title: "f(x_t) − f_min" });
    else {
      var lo = Math.min.apply(null, fvals.filter(isFinite).concat([0])), hi = Math.max.apply(null, fvals.filter(isFinite).concat([1]));
      ff = V.frame(ctx, left, [0, T], [Math.max(lo, -1e3), Math.min(hi, 1e3)], { xlabel: "step t", title: "f(x_t)" });
    }
    var gr = range(gvals.concat([state.tol > 0 ? state.tol : 1e-8]), 1e-16, g0);
    var fg = V.frame(ctx, right, [0, T], gr, { yLog: true, xlabel: "step t", title: "‖∇f(x_t)‖" });
    V.clip(ctx, ff);
    runs.forEach(function (r) {
      if (r.error) return;
      V.polyline(ctx, r.res.f.map(function (v, t) { return [ff.X(t), ff.Y(logF ? Math.max(v - fmin, 1e-300) : v)]; }), COLORS[r.name], 2);
    });
    V.polyline(ctx, [[ff.X(state.t), ff.T], [ff.X(state.t), ff.T + ff.H]], "#555", 1, [1, 2]);
    ctx.restore();
    V.clip(ctx, fg);
    var stopLabels = 0;
    if (state.tol > 0) {
      V.polyline(ctx, [[fg.L, fg.Y(state.tol)], [fg.L + fg.W, fg.Y(state.tol)]], "#000", 1.5, [6, 4]);
      ctx.fillStyle = "#000"; ctx.font = "12px system-ui, sans-serif"; ctx.textAlign = "right"; ctx.textBaseline = "bottom";
      ctx.fillText("ε = " + V.num(state.tol, 3), fg.L + fg.W - 4, fg.Y(state.tol) - 2);
    }
    runs.forEach(function (r) {
      if (r.error) return;
      V.polyline(ctx, r.res.grad_norm.map(function (v, t) { return [fg.X(t), fg.Y(v)]; }), COLORS[r.name], 2);
      if (r.res.stop.kind !== "max_steps") {  // the stop step, labelled
        var x = fg.X(r.res.stop.step);
        V.polyline(ctx, [[x, fg.T], [x, fg.T + fg.H]], COLORS[r.name], 1.5, [2, 3]);
        ctx.save(); ctx.fillStyle = COLORS[r.name]; ctx.font = "12px system-ui, sans-serif"; ctx.textAlign = "left";
        ctx.textBaseline = "top";
        var right = x > fg.L + 0.6 * fg.W;
        ctx.textAlign = right ? "right" : "left";
        ctx.fillText((r.res.stop.kind === "converged" ? "‖∇f‖ ≤ ε at " : "diverged at ") + r.res.stop.step, right ? x - 3 : x + 3, fg.T + 24 + 14 * stopLabels++);
        ctx.restore();
      }
    });
    V.polyline(ctx, [[fg.X(state.t), fg.T], [fg.X(state.t), fg.T + fg.H]], "#555", 1, [1, 2]);
    ctx.restore();
  }

  // the state table's columns: m is the first-moment or velocity buffer, v the squared-gradient one
  function bufferOf(name, slots, which) {
    if (!slots) return null;
    var adamLike = "m" in slots;
    if (which === "m") return adamLike ? slots.m : (slots.b || (slots.S ? null : slots.v) || null);
    return adamLike ? slots.v : (slots.S || null);
  }

  function drawTable() {
    var t = Math.round(state.t);
    document.getElementById("scrub-out").textContent = String(t);
    var rows = runs.map(function (r) {
      if (r.error) return [r.name, r.error, "", "", "", "", ""];
      var res = r.res, T = res.x.length - 1, i = Math.min(t, T);
      var slots = i > 0 ? res.records[i - 1].slots : null;
      var rec = i < res.records.length ? res.records[i] : null;
      var m = bufferOf(r.name, slots, "m"), v = bufferOf(r.name, slots, "v");
      var stopped = i < t || res.stop.step === i;
      var mark = !stopped ? "" : res.stop.kind === "converged" ? " ✓" : res.stop.kind === "diverged" ? " ✗" : " ■";
      return [{ text: r.name + mark, attrs: { style: "color:" + COLORS[r.name] + ";font-weight:600",
                                              title: stopped ? res.stop.message : "running at step " + t } },
              { text: V.vec(res.x[i], 5), attrs: { "data-q": "x" } }, { text: V.num(res.f[i], 6), attrs: { "data-q": "f" } },
              V.num(res.grad_norm[i], 4), slots ? V.vec(m, 3) : "0", slots ? V.vec(v, 3) : "0",
              rec ? V.vec(rec.step_size, 3) : "—"];
    });
    V.table(document.getElementById("state-table"), ["optimizer", "x_t", "f", "‖∇f‖", "m", "v", "effective step"], rows);
    var lines = runs.filter(function (r) { return !r.error; }).map(function (r) { return r.name + ": " + r.res.stop.message; });
    document.getElementById("stop-line").textContent = "✓ converged (‖∇f‖ ≤ ε), ✗ diverged, ■ reached the step limit, by step t. " + lines.join(" · ");
    // Newton: which step it took at t (its fallback when H + λI is not positive definite), and how often
    var notes = runs.filter(function (r) { return !r.error && r.res.records.length && r.res.records[0].note !== undefined; }).map(function (r) {
      var recs = r.res.records, rec = recs[Math.min(t, recs.length - 1)];
      var k = recs.filter(function (q) { return q.note; }).length;
      return r.name + " at step " + Math.min(t, recs.length - 1) + ": " + (rec.note || "the Newton step (H + λI positive definite)") +
             "; a fallback at " + k + " of " + recs.length + " steps.";
    });
    document.getElementById("note-line").textContent = notes.join(" ");
  }

  var pending = false;
  function redraw() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; renderNow(); });
  }
  function renderNow() {
    if (state.view === "surfaces") {
      recompute();
      drawSurface(); drawCurves(); drawTable();
      var st = startOf();
      document.getElementById("start-out").textContent = V.vec(st, 4);
      document.getElementById("surface-formula").textContent = state.surface + ": f = " + surfaces[state.surface].formula;
      document.getElementById("preset-source").textContent = data.preset_sources[state.preset] || "";
      var scrub = document.getElementById("scrub");
      scrub.max = String(Math.round(state.steps)); scrub.value = String(Math.round(state.t));
    } else if (state.view === "quadratic") quadView.draw();
    else if (state.view === "x2") x2View.draw();
    else bpView.draw();
  }

  // ---------------------------------------------------------------- controls

  var sliders = {};
  function buildControls() {
    var sel = document.getElementById("surface");
    SURFACE_NAMES.forEach(function (n) { sel.appendChild(V.el("option", { value: n }, n)); });
    sel.addEventListener("change", function () {
      state.surface = sel.value; state.start = null; state.lr = GOOD_LR[state.surface] || state.lr;
      sliders.lr.set(state.lr); state.t = 0; redraw(); saveHash();
    });
    var ps = document.getElementById("preset");
    Object.keys(data.presets).forEach(function (p) { ps.appendChild(V.el("option", { value: p }, p)); });
    ps.addEventListener("change", function () { state.preset = ps.value; syncOptimizers(); redraw(); saveHash(); });
    document.getElementById("start-reset").addEventListener("click", function () { state.start = null; redraw(); saveHash(); });

    var box = document.getElementById("optimizers");
    data.optimizers.forEach(function (o) {
      var lab = V.el("label", { class: "opt" });
      var cb = V.el("input", { type: "checkbox", id: "opt-" + o, value: o });
      cb.addEventListener("change", function () {
        var set = data.optimizers.filter(function (n) { var c = document.getElementById("opt-" + n); return c.checked && !c.disabled; });
        state.opts = set; redraw(); saveHash();
      });
      var dot = V.el("span", { class: "dot", style: "background:" + COLORS[o] });
      lab.appendChild(cb); lab.appendChild(dot); lab.appendChild(document.createTextNode(o));
      box.appendChild(lab);
    });

    var sbox = document.getElementById("sliders");
    [{ key: "lr", label: "lr (log)", min: 1e-4, max: 3, log: true },
     { key: "mu", label: "momentum μ", min: 0, max: 0.999, step: 0.001 },
     { key: "b1", label: "β1", min: 0, max: 0.999, step: 0.001 },
     { key: "b2", label: "β2", min: 0.5, max: 0.9999, step: 0.0001 },
     { key: "eps", label: "optimizer ε", min: 1e-10, max: 1, log: true },
     { key: "steps", label: "steps", min: 10, max: 1000, step: 1, round: Math.round },
     { key: "tol", label: "stop ε (‖∇f‖)", min: 1e-12, max: 1, log: true }].forEach(function (s) {
      sliders[s.key] = V.slider(sbox, s, function (k, v) { state[k] = v; if (k === "steps") state.t = Math.min(state.t, v); redraw(); saveHash(); });
    });
    var tolOff = V.el("label", {}); var cbOff = V.el("input", { type: "checkbox", id: "tol-off" });
    tolOff.appendChild(cbOff); tolOff.appendChild(document.createTextNode(" no ‖∇f‖ stop (tol 0: run every step)"));
    sbox.appendChild(tolOff);
    cbOff.addEventListener("change", function () { state.tol = cbOff.checked ? 0 : sliders.tol.get(); sliders.tol.input.disabled = cbOff.checked; redraw(); saveHash(); });

    function choice(id, options) {
      var s = document.getElementById(id);
      options.forEach(function (o) { s.appendChild(V.el("option", { value: o[0] }, o[1])); });
      return s;
    }
    [["eps_placement", "epsp", [["preset", "as the preset"], ["outside", "outside: g/(√v + ε)"], ["inside", "inside: g/√(v + ε)"], ["hat", "hat (Adam): ε̂"]]],
     ["momentum_form", "mf", [["preset", "as the preset"], ["lr_outside", "lr outside: b = μb + g"], ["lr_inside", "lr inside: v = μv − lr·g"]]],
     ["nesterov_form", "nf", [["preset", "as the preset"], ["transformed", "transformed (at φ)"], ["lookahead", "look-ahead (at x + μv)"]]],
     ["newton_fallback", "nfb", [["preset", "as the preset"], ["regularize", "regularize: H + shift·I"], ["gradient", "gradient step"], ["none", "none: the indefinite step"]]]]
      .forEach(function (c) {
        var s = choice(c[0], c[2]);
        s.addEventListener("change", function () { state[c[1]] = s.value; redraw(); saveHash(); });
      });
    var sch = choice("schedule", [["constant", "constant"], ["step", "step: lr·0.5^⌊t/every⌋"], ["exp", "exponential: lr·e^(−kt)"], ["inv", "1/t: lr/(1 + kt)"]]);
    var schBox = document.getElementById("schedule-box");
    sliders.k = V.slider(schBox, { key: "k", label: "k", min: 1e-4, max: 1, log: true }, function (k, v) { state.k = v; redraw(); saveHash(); });
    sliders.every = V.slider(schBox, { key: "every", label: "every", min: 1, max: 500, step: 1, round: Math.round }, function (k, v) { state.every = v; redraw(); saveHash(); });
    sch.addEventListener("change", function () { state.sched = sch.value; syncSchedule(); redraw(); saveHash(); });

    var scrub = document.getElementById("scrub"), play = document.getElementById("play"), timer = null;
    function stopPlay() { if (timer) { clearInterval(timer); timer = null; play.textContent = "▶ play"; } }
    play.addEventListener("click", function () {
      if (timer) { stopPlay(); return; }
      if (state.t >= state.steps) state.t = 0;
      play.textContent = "❚❚ pause";
      var last = Math.max.apply(null, runs.map(function (r) { return r.res ? r.res.x.length - 1 : 0; }).concat([1]));
      timer = setInterval(function () {
        state.t = Math.min(Math.round(state.steps), state.t + Math.max(1, Math.round(last / 150)));
        scrub.value = String(state.t); drawSurface(); drawCurves(); drawTable();
        if (state.t >= Math.min(last, state.steps)) { stopPlay(); saveHash(); }
      }, 33);
    });
    scrub.addEventListener("input", function () {
      stopPlay(); state.t = +scrub.value; drawSurface(); drawCurves(); drawTable(); saveHash(); });

    var canvas = document.getElementById("surface-canvas");
    canvas.addEventListener("click", function (ev) {
      if (!mapGeom) return;
      var r = canvas.getBoundingClientRect(), win = mapGeom.win;
      var x = win[0][0] + (ev.clientX - r.left) / r.width * (win[0][1] - win[0][0]);
      var y = win[1][1] - (ev.clientY - r.top) / r.height * (win[1][1] - win[1][0]);
      state.start = [+x.toPrecision(4), +y.toPrecision(4)]; state.t = 0;
      redraw(); saveHash();
    });
    canvas.addEventListener("keydown", function (ev) {
      var d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[ev.key];
      if (!d || !mapGeom) return;
      ev.preventDefault();
      var win = mapGeom.win, st = startOf().slice();
      st[0] = +(st[0] + d[0] * (win[0][1] - win[0][0]) / 50).toPrecision(4);
      st[1] = +(st[1] + d[1] * (win[1][1] - win[1][0]) / 50).toPrecision(4);
      state.start = st; redraw(); saveHash();
    });

    document.querySelectorAll("nav button").forEach(function (b) {
      b.addEventListener("click", function () { setView(b.dataset.view); saveHash(); });
      b.addEventListener("keydown", function (ev) {
        var tabs = Array.prototype.slice.call(document.querySelectorAll("nav button")), i = tabs.indexOf(b);
        if (ev.key === "ArrowRight" || ev.key === "ArrowLeft") {
          ev.preventDefault();
          var next = tabs[(i + (ev.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
          next.focus(); setView(next.dataset.view); saveHash();
        }
      });
    });
    root.addEventListener("resize", function () { contourCache = {}; redraw(); });
    root.addEventListener("hashchange", function () {
      if (location.hash === lastHash) return;
      fromHash(location.hash); syncAll(); setView(state.view);
    });
  }

  function syncOptimizers() {
    data.optimizers.forEach(function (o) {
      var cb = document.getElementById("opt-" + o), has = !!data.presets[state.preset][o];
      cb.checked = state.opts.indexOf(o) >= 0; cb.disabled = !has;
      cb.parentNode.title = has ? "" : "preset " + state.preset + " has no " + o;
    });
  }
  function syncSchedule() {
    sliders.k.row.hidden = !(state.sched === "exp" || state.sched === "inv");
    sliders.every.row.hidden = state.sched !== "step";
  }
  function syncAll() {
    document.getElementById("surface").value = state.surface;
    document.getElementById("preset").value = state.preset;
    document.getElementById("eps_placement").value = state.epsp;
    document.getElementById("momentum_form").value = state.mf;
    document.getElementById("nesterov_form").value = state.nf;
    document.getElementById("newton_fallback").value = state.nfb;
    document.getElementById("schedule").value = state.sched;
    ["lr", "mu", "b1", "b2", "eps", "steps", "k", "every"].forEach(function (k) { sliders[k].set(state[k]); });
    var off = !(state.tol > 0);
    document.getElementById("tol-off").checked = off; sliders.tol.input.disabled = off;
    sliders.tol.set(off ? 1e-8 : state.tol);
    syncOptimizers(); syncSchedule();
    if (!state.bp.values) state.bp.values = bpView.defaults();
    quadView.sync(); x2View.sync(); bpView.sync();
  }

  function setView(v) {
    state.view = v;
    document.querySelectorAll("nav button").forEach(function (b) {
      var on = b.dataset.view === v;
      b.setAttribute("aria-selected", String(on)); b.tabIndex = on ? 0 : -1;
      document.getElementById("view-" + b.dataset.view).hidden = !on;
    });
    renderNow();
  }

  // ---------------------------------------------------------------- start

  var app = { data: data, state: state, saveHash: saveHash };
  var quadView = V.QuadraticView(app), x2View = V.X2View(app), bpView = V.BackpropView(app);
  buildControls();
  fromHash(location.hash);
  syncAll();
  document.getElementById("version").textContent = data.version;
  setView(state.view);
  lastHash = toHash();
  document.getElementById("permalink").href = lastHash;

  // 6 optimizers x 500 steps, recomputed as after a slider move; milliseconds per recompute
  function bench(repeats) {
    var saved = { opts: state.opts, steps: state.steps, tol: state.tol, preset: state.preset };
    state.opts = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]; state.steps = 500; state.tol = 0; state.preset = "pytorch";
    var times = [], drawTimes = [];
    for (var i = 0; i < (repeats || 50); i++) {
      state.lr = 1e-3 * (1 + i / 100);
      var t0 = performance.now(); recompute(); var t1 = performance.now();
      if (state.view === "surfaces") { drawSurface(); drawCurves(); drawTable(); }
      var t2 = performance.now();
      times.push(t1 - t0); drawTimes.push(t2 - t0);
    }
    // the mean over back-to-back recomputes, finer than performance.now()'s coarse ticks
    var n = repeats || 50, tb = performance.now();
    for (var j = 0; j < n; j++) { state.lr = 1e-3 * (1 + j / 100); recompute(); }
    var mean = (performance.now() - tb) / n;
    Object.assign(state, saved); syncAll(); renderNow();
    function q(a, f) { var b = a.slice().sort(function (x, y) { return x - y; }); return b[Math.min(b.length - 1, Math.floor(f * b.length))]; }
    return { recompute_ms_median: q(times, 0.5), recompute_ms_p95: q(times, 0.95), recompute_ms_max: Math.max.apply(null, times),
             recompute_ms_mean: mean, recompute_and_draw_ms_median: q(drawTimes, 0.5), recompute_and_draw_ms_p95: q(drawTimes, 0.95),
             repeats: times.length, steps: 500, optimizers: 6 };
  }

  root.descentlab = {
    run: run,
    runMany: function (cfgs) { return cfgs.map(function (c) { try { return run(c); } catch (e) { return { error: e.message }; } }); },
    backprop: function (p) { return V.backprop(p || { inputs: data.backprop.inputs, weights: data.backprop.weights, target: data.backprop.target, lr: data.backprop.lr }); },
    state: function () { return JSON.parse(JSON.stringify(state)); },
    runs: function () { return runs.map(function (r) { return { name: r.name, x: r.res ? r.res.x : null, stop: r.res ? r.res.stop : null, error: r.error || null }; }); },
    hash: toHash,
    // the page's exact Hessians, H(x) at each point (the tests compare them with Python's)
    hessian: function (name, points) { return points.map(function (x) { return surfaces[name].hessian(x); }); },
    bench: bench,
    data: data,
    version: data.version,
  };
})(typeof window !== "undefined" ? window : globalThis);
