/* descentlab playground: drawing helpers and three of the four views (the
 * quadratic's (lr, momentum) plane, f(x) = x²'s step sizes, back-propagation on the
 * 2-2-1 network). The surfaces view and the page's state live in ui.js.
 */
(function (root) {
  "use strict";
  var R = root.DLRules;

  // ---------------------------------------------------------------- drawing helpers

  // Size a canvas to its CSS width (aspect kept) at the device's pixel ratio; returns
  // a 2-D context drawing in CSS pixels, and the size.
  function fit(canvas, aspect) {
    var dpr = root.devicePixelRatio || 1;
    var w = Math.max(200, Math.round(canvas.clientWidth || canvas.width));
    var h = Math.round(w * aspect);
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    var ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    return { ctx: ctx, w: w, h: h, dpr: dpr };
  }

  function num(x, digits) {  // compact number for labels
    if (x === null || x === undefined) return "—";
    if (typeof x !== "number") return String(x);
    if (!isFinite(x)) return isNaN(x) ? "nan" : (x > 0 ? "inf" : "-inf");
    return R.fmtG(digits ? +x.toPrecision(digits) : x);
  }

  function vec(v, digits) {
    if (v === null || v === undefined) return "—";
    if (typeof v === "number") return num(v, digits);
    return "(" + v.map(function (a) { return num(a, digits); }).join(", ") + ")";
  }

  // A plot frame: maps data to pixels, draws axes with ticks. yLog: log10 axis.
  function frame(ctx, box, xr, yr, opts) {
    opts = opts || {};
    var L = box.x + 52, T = box.y + 10, W = box.w - 62, H = box.h - 38;
    var ylo = opts.yLog ? Math.log10(yr[0]) : yr[0], yhi = opts.yLog ? Math.log10(yr[1]) : yr[1];
    var f = {
      L: L, T: T, W: W, H: H,
      X: function (x) { return L + (x - xr[0]) / (xr[1] - xr[0]) * W; },
      Y: function (y) {
        var v = opts.yLog ? Math.log10(Math.max(y, 1e-300)) : y;
        return T + H - (v - ylo) / (yhi - ylo) * H;
      },
    };
    ctx.save();
    ctx.strokeStyle = "#888"; ctx.lineWidth = 1; ctx.strokeRect(L, T, W, H);
    ctx.fillStyle = "#333"; ctx.font = "12px system-ui, sans-serif"; ctx.textAlign = "center"; ctx.textBaseline = "top";
    var xt = ticks(xr[0], xr[1], 6);
    xt.forEach(function (t) { var px = f.X(t); ctx.fillText(num(t, 3), px, T + H + 4); ctx.beginPath(); ctx.moveTo(px, T + H); ctx.lineTo(px, T + H + 3); ctx.stroke(); });
    ctx.textAlign = "right"; ctx.textBaseline = "middle";
    if (opts.yLog) {
      var step = Math.max(1, Math.ceil((yhi - ylo) / 6));
      for (var e = Math.ceil(ylo); e <= yhi; e += step) ctx.fillText("1e" + e, L - 4, f.Y(Math.pow(10, e)));
    } else {
      ticks(yr[0], yr[1], 5).forEach(function (t) { ctx.fillText(num(t, 3), L - 4, f.Y(t)); });
    }
    if (opts.xlabel) { ctx.textAlign = "center"; ctx.textBaseline = "bottom"; ctx.fillText(opts.xlabel, L + W / 2, box.y + box.h); }
    if (opts.title) { ctx.textAlign = "left"; ctx.textBaseline = "top"; ctx.font = "600 13px system-ui, sans-serif"; ctx.fillText(opts.title, L + 6, T + 4); }
    ctx.restore();
    return f;
  }

  function ticks(lo, hi, n) {
    var span = hi - lo; if (!(span > 0)) return [lo];
    var step = Math.pow(10, Math.floor(Math.log10(span / n)));
    [1, 2, 5, 10].some(function (m) { if (span / (step * m) <= n) { step *= m; return true; } return false; });
    var out = [];
    for (var t = Math.ceil(lo / step) * step; t <= hi + 1e-12 * span; t += step) out.push(Math.abs(t) < 1e-12 * span ? 0 : t);
    return out;
  }

  function polyline(ctx, pts, color, width, dash) {
    ctx.save();
    ctx.strokeStyle = color; ctx.lineWidth = width || 2; if (dash) ctx.setLineDash(dash);
    ctx.beginPath();
    var pen = false;
    pts.forEach(function (p) {
      if (!isFinite(p[0]) || !isFinite(p[1]) || Math.abs(p[0]) > 1e5 || Math.abs(p[1]) > 1e5) { pen = false; return; }
      if (pen) ctx.lineTo(p[0], p[1]); else { ctx.moveTo(p[0], p[1]); pen = true; }
    });
    ctx.stroke();
    ctx.restore();
  }

  function clip(ctx, f) { ctx.save(); ctx.beginPath(); ctx.rect(f.L, f.T, f.W, f.H); ctx.clip(); }

  // A slider row: label, range input (linear or log10), and the value shown.
  function slider(parent, spec, onInput) {
    var row = document.createElement("div");
    row.className = "slider";
    var id = "sl-" + spec.key;
    var lab = document.createElement("label"); lab.htmlFor = id; lab.textContent = spec.label;
    var inp = document.createElement("input");
    inp.type = "range"; inp.id = id; inp.dataset.key = spec.key;
    inp.min = spec.log ? Math.log10(spec.min) : spec.min;
    inp.max = spec.log ? Math.log10(spec.max) : spec.max;
    inp.step = spec.step || (spec.log ? 0.01 : (spec.max - spec.min) / 200);
    var out = document.createElement("output"); out.htmlFor = id; out.id = id + "-out";
    row.appendChild(lab); row.appendChild(inp); row.appendChild(out);
    parent.appendChild(row);
    var api = {
      input: inp, row: row, spec: spec,
      get: function () { var v = parseFloat(inp.value); return spec.log ? Math.pow(10, v) : v; },
      set: function (v) { inp.value = spec.log ? Math.log10(v) : v; api.show(v); },
      show: function (v) { out.textContent = spec.fmt ? spec.fmt(v) : num(v, 4); inp.setAttribute("aria-valuetext", out.textContent); },
    };
    inp.addEventListener("input", function () {
      var v = api.get();
      if (spec.round) { v = spec.round(v); }
      api.show(v);
      onInput(spec.key, v);
    });
    return api;
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function table(tbl, head, rows, rowClass) {
    tbl.textContent = "";
    var tr = el("tr");
    head.forEach(function (h) { tr.appendChild(el("th", {}, h)); });
    var thead = el("thead"); thead.appendChild(tr); tbl.appendChild(thead);
    var tb = el("tbody");
    rows.forEach(function (r, i) {
      var row = el("tr");
      if (rowClass) { var c = rowClass(i); if (c) row.className = c; }
      r.forEach(function (cell) {
        var td = el("td");
        if (cell && typeof cell === "object" && cell.text !== undefined) {
          td.textContent = cell.text;
          for (var k in cell.attrs || {}) td.setAttribute(k, cell.attrs[k]);
        } else td.textContent = cell;
        row.appendChild(td);
      });
      tb.appendChild(row);
    });
    tbl.appendChild(tb);
  }

  // ---------------------------------------------------------------- rates (lr_analysis)

  // Spectral radius of [[1 + mu - lr*lam, -mu], [1, 0]] and whether its dominant root is
  // complex or negative (the iterates then oscillate).
  function hbRoots(lr, mu, lam) {
    var T = 1.0 + mu - lr * lam, D = T * T - 4.0 * mu;
    if (D < 0) return { rho: Math.sqrt(mu), osc: true };
    var s = Math.sqrt(D), r1 = (T + s) / 2, r2 = (T - s) / 2;
    var a1 = Math.abs(r1), a2 = Math.abs(r2);
    return a1 >= a2 ? { rho: a1, osc: r1 < 0 } : { rho: a2, osc: r2 < 0 };
  }

  function hbRate(lr, mu, lams) {
    var worst = { rho: -1, osc: false };
    lams.forEach(function (l) { var r = hbRoots(lr, mu, l); if (r.rho > worst.rho) worst = r; });
    return worst;
  }

  // lr_analysis.measured_rate: (e_T / e_s)^(1/(T - s)) over the last half of the run
  function measuredRate(xs) {
    var e = xs.map(function (x) { var s = 0; x.forEach(function (v) { s += v * v; }); return Math.sqrt(s); });
    var ok = []; e.forEach(function (v, i) { if (v > 1e-280) ok.push(i); });
    if (ok.length < 2) return 0.0;
    var last = ok[ok.length - 1], first = Math.max(ok[0], Math.floor(last - 0.5 * last));
    if (last === first) return 0.0;
    return Math.pow(e[last] / e[first], 1.0 / (last - first));
  }

  // ---------------------------------------------------------------- quadratic view

  function QuadraticView(app) {
    var st = app.state.quad;
    var canvas = document.getElementById("plane-canvas");
    var eig = document.getElementById("eigen-canvas");
    var readout = document.getElementById("quad-readout");
    var form = document.getElementById("quad-controls");
    var fs = el("fieldset"); fs.appendChild(el("legend", {}, "Quadratic"));
    form.appendChild(fs);
    var sliders = {};
    [{ key: "l1", label: "λ₁", min: 0.01, max: 100, log: true },
     { key: "l2", label: "λ₂", min: 0.01, max: 100, log: true },
     { key: "qlr", label: "γ (lr)", min: 1e-4, max: 10, log: true },
     { key: "qmu", label: "μ (momentum)", min: 0, max: 0.999, step: 0.001 },
     { key: "qsteps", label: "steps", min: 10, max: 500, step: 1, round: Math.round }].forEach(function (s) {
      sliders[s.key] = slider(fs, s, function (k, v) { st[k] = v; self.draw(); app.saveHash(); });
    });
    var best = el("button", { type: "button", id: "quad-polyak" }, "Polyak's optimum");
    var gd = el("button", { type: "button", id: "quad-gd" }, "best plain GD");
    fs.appendChild(best); fs.appendChild(gd);
    var plane = null;

    function lams() { return [Math.min(st.l1, st.l2), Math.max(st.l1, st.l2)]; }
    function lrMax() { return 4.2 / lams()[1]; }

    best.addEventListener("click", function () {
      var l = lams(), sL = Math.sqrt(l[1]), sm = Math.sqrt(l[0]), rk = sL / sm;
      st.qlr = 4.0 / ((sL + sm) * (sL + sm)); st.qmu = Math.pow((rk - 1.0) / (rk + 1.0), 2);
      self.sync(); self.draw(); app.saveHash();
    });
    gd.addEventListener("click", function () {
      var l = lams(); st.qlr = 2.0 / (l[0] + l[1]); st.qmu = 0;
      self.sync(); self.draw(); app.saveHash();
    });

    function setFromEvent(ev) {
      if (!plane) return;
      var r = canvas.getBoundingClientRect();
      var px = ev.clientX - r.left, py = ev.clientY - r.top;
      var lr = (px - plane.L) / plane.W * lrMax(), mu = 1 - (py - plane.T) / plane.H;
      st.qlr = Math.min(10, Math.max(1e-4, lr)); st.qmu = Math.min(0.999, Math.max(0, mu));
      self.sync(); self.draw(); app.saveHash();
    }
    var dragging = false;
    canvas.addEventListener("pointerdown", function (ev) { dragging = true; canvas.setPointerCapture && canvas.setPointerCapture(ev.pointerId); setFromEvent(ev); });
    canvas.addEventListener("pointermove", function (ev) { if (dragging) setFromEvent(ev); });
    canvas.addEventListener("pointerup", function () { dragging = false; });
    canvas.addEventListener("keydown", function (ev) {
      var d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[ev.key];
      if (!d) return;
      ev.preventDefault();
      st.qlr = Math.min(10, Math.max(1e-4, st.qlr + d[0] * lrMax() / 100));
      st.qmu = Math.min(0.999, Math.max(0, st.qmu + d[1] * 0.01));
      self.sync(); self.draw(); app.saveHash();
    });

    // the run: momentum (lr inside the buffer: the heavy ball) on ½Σλᵢxᵢ², by the page's rules
    function run() {
      var l = [st.l1, st.l2];
      var surf = { name: "diag", dim: 2,
        value: function (x) { return 0.5 * (l[0] * x[0] * x[0] + l[1] * x[1] * x[1]); },
        gradient: function (x) { return [l[0] * x[0], l[1] * x[1]]; } };
      var opt = R.makeOptimizer("momentum", "lecture", { lr: st.qlr, momentum: st.qmu }, app.data.presets, null);
      return R.minimize(surf, [1.0, 1.0], opt, { steps: Math.round(st.qsteps), tol: 0 });
    }

    var self = {
      sync: function () { for (var k in sliders) sliders[k].set(st[k]); },
      draw: function () {
        if (app.state.view !== "quadratic") return;
        var l = lams(), gmax = lrMax();
        var g = fit(canvas, 0.8), ctx = g.ctx;
        plane = frame(ctx, { x: 0, y: 0, w: g.w, h: g.h }, [0, gmax], [0, 1], { xlabel: "γ (learning rate)" });
        // the coloured plane
        var nx = 140, ny = 110, cw = plane.W / nx, ch = plane.H / ny;
        for (var i = 0; i < nx; i++) {
          for (var j = 0; j < ny; j++) {
            var lr = (i + 0.5) / nx * gmax, mu = 1 - (j + 0.5) / ny;
            var r = hbRate(lr, mu, l);
            var col;
            if (r.rho >= 1) col = "rgb(205,205,205)";
            else {
              var s = Math.pow(r.rho, 3);  // dark = fast
              col = r.osc ? "rgb(" + Math.round(40 + 180 * s) + "," + Math.round(70 + 160 * s) + "," + Math.round(150 + 90 * s) + ")"
                          : "rgb(" + Math.round(30 + 190 * s) + "," + Math.round(100 + 140 * s) + "," + Math.round(60 + 170 * s) + ")";
            }
            ctx.fillStyle = col;
            ctx.fillRect(plane.L + i * cw, plane.T + j * ch, cw + 0.6, ch + 0.6);
          }
        }
        ctx.save(); ctx.fillStyle = "#333"; ctx.font = "12px system-ui, sans-serif"; ctx.textAlign = "right"; ctx.textBaseline = "middle";
        ctx.translate(12, plane.T + plane.H / 2); ctx.rotate(-Math.PI / 2); ctx.textAlign = "center"; ctx.fillText("μ (momentum)", 0, 0); ctx.restore();
        clip(ctx, plane);
        var xg = plane.X(2 / l[1]);
        polyline(ctx, [[xg, plane.T], [xg, plane.T + plane.H]], "#000", 1.5, [6, 4]);
        var curve = []; for (var k = 0; k <= 50; k++) { var m = k / 50; curve.push([plane.X(2 * (1 + m) / l[1]), plane.Y(m)]); }
        polyline(ctx, curve, "#000", 1.5, [2, 3]);
        ctx.fillStyle = "#000"; ctx.font = "12px system-ui, sans-serif"; ctx.fillText("2/λmax", xg + 4, plane.T + plane.H - 8);
        // Polyak's optimum and best GD
        var sL = Math.sqrt(l[1]), sm = Math.sqrt(l[0]), rk = sL / sm;
        var pg = 4 / ((sL + sm) * (sL + sm)), pm = Math.pow((rk - 1) / (rk + 1), 2);
        ctx.strokeStyle = "#fff"; ctx.lineWidth = 2;
        [[pg, pm], [2 / (l[0] + l[1]), 0.005]].forEach(function (p) {
          var x = plane.X(p[0]), y = plane.Y(p[1]);
          ctx.beginPath(); ctx.moveTo(x - 5, y - 5); ctx.lineTo(x + 5, y + 5); ctx.moveTo(x - 5, y + 5); ctx.lineTo(x + 5, y - 5); ctx.stroke();
        });
        // the current point
        var cx = plane.X(st.qlr), cy = plane.Y(st.qmu);
        ctx.fillStyle = "#f0a000"; ctx.strokeStyle = "#000"; ctx.lineWidth = 2;
        ctx.beginPath(); ctx.arc(cx, cy, 7, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
        ctx.restore();

        // the trajectory along each eigen-direction
        var res = run(), xs = res.x, T = xs.length - 1;
        var e = fit(eig, 0.8), ectx = e.ctx;
        var half = { x: 0, y: 0, w: e.w, h: e.h * 0.55 };
        var f1 = frame(ectx, half, [0, Math.max(1, Math.round(st.qsteps))], [-1.5, 1.5], { title: "coordinate along each eigen-direction" });
        clip(ectx, f1);
        polyline(ectx, [[f1.L, f1.Y(0)], [f1.L + f1.W, f1.Y(0)]], "#999", 1);
        ["#1f77b4", "#d62728"].forEach(function (c, i) {
          polyline(ectx, xs.map(function (x, t) { return [f1.X(t), f1.Y(Math.max(-1e4, Math.min(1e4, x[i])))]; }), c, 2);
        });
        ectx.restore();
        var f2 = frame(ectx, { x: 0, y: e.h * 0.55, w: e.w, h: e.h * 0.45 }, [0, Math.max(1, Math.round(st.qsteps))], [1e-16, 1e6],
                       { yLog: true, xlabel: "step t", title: "error ‖x_t‖ and the predicted ρ^t" });
        clip(ectx, f2);
        var rate = hbRate(st.qlr, st.qmu, l), e0 = Math.SQRT2;
        polyline(ectx, xs.map(function (x, t) { return [f2.X(t), f2.Y(Math.hypot(x[0], x[1]))]; }), "#222", 2);
        var pred = []; for (var t = 0; t <= st.qsteps; t++) pred.push([f2.X(t), f2.Y(e0 * Math.pow(rate.rho, t))]);
        polyline(ectx, pred, "#f0a000", 2, [5, 4]);
        ectx.restore();
        var meas = measuredRate(xs);
        var region = rate.rho >= 1 ? "divergent" : rate.osc ? "oscillating" : "monotone";
        readout.innerHTML = "";
        var dl = el("dl");
        [["λ", "(" + num(l[0], 4) + ", " + num(l[1], 4) + "), κ = " + num(l[1] / l[0], 4)],
         ["γ, μ", num(st.qlr, 4) + ", " + num(st.qmu, 4)],
         ["region", region],
         ["predicted ρ", num(rate.rho, 6)],
         ["measured rate", num(meas, 6) + " (last half of " + T + " steps" + (res.stop.kind === "diverged" ? ", " + res.stop.message : "") + ")"],
         ["per direction", l.map(function (lam) { return num(hbRoots(st.qlr, st.qmu, lam).rho, 5); }).join(", ")],
         ["best plain GD", "γ = 2/(λmin + λmax) = " + num(2 / (l[0] + l[1]), 4) + ", ρ = (κ − 1)/(κ + 1) = " + num((l[1] / l[0] - 1) / (l[1] / l[0] + 1), 4)],
         ["Polyak", "γ = " + num(pg, 4) + ", μ = " + num(pm, 4) + ", ρ = (√κ − 1)/(√κ + 1) = " + num((rk - 1) / (rk + 1), 4)]]
          .forEach(function (p) { dl.appendChild(el("dt", {}, p[0])); var dd = el("dd", {}, p[1]); dd.dataset.q = p[0]; dl.appendChild(dd); });
        readout.appendChild(dl);
      },
    };
    return self;
  }

  // ---------------------------------------------------------------- x² view

  var X2_COLORS = { "too small": "#9467bd", good: "#2ca02c", "too large": "#ff7f0e", divergent: "#d62728", chosen: "#111" };

  function classifyX2(lr) {  // lr_analysis.classify_lr on A = [[2]]
    var best = 0.5, bound = 1.0, hi = 0.5 * (best + bound);
    if (lr > bound) return "divergent";
    if (lr > hi) return "too large";
    if (lr < 0.5 * best) return "too small";
    return "good";
  }

  function stepsToStop(x0, lr, eps) {  // gd_x2.steps_to_stop
    var g0 = 2.0 * Math.abs(x0);
    if (g0 <= eps) return 0;
    var r = Math.abs(1.0 - 2.0 * lr);
    if (r === 0) return 1;
    if (r >= 1) return null;
    return Math.ceil(Math.log(eps / g0) / Math.log(r) - 1e-12);
  }

  function X2View(app) {
    var st = app.state.x2;
    var d = app.data.x2;
    var form = document.getElementById("x2-controls");
    var fs = el("fieldset"); fs.appendChild(el("legend", {}, "Gradient descent on x²")); form.appendChild(fs);
    var sliders = {};
    [{ key: "xlr", label: "γ (lr)", min: 0.001, max: 1.2, step: 0.001 },
     { key: "xx0", label: "x₀", min: -4, max: 4, step: 0.01 },
     { key: "xeps", label: "stop ε", min: 1e-8, max: 0.5, log: true }].forEach(function (s) {
      sliders[s.key] = slider(fs, s, function (k, v) { st[k] = v; self.draw(); app.saveHash(); });
    });
    var surf = root.DLSurfaces.surfaceFromData(app.data.surfaces.x2);

    function runAt(lr) {
      var opt = R.makeOptimizer("sgd", "lecture", { lr: lr }, app.data.presets, null);
      return R.minimize(surf, [st.xx0], opt, { steps: 1000, tol: st.xeps });
    }

    var self = {
      sync: function () { for (var k in sliders) sliders[k].set(st[k]); },
      runs: function () {
        var out = [];
        Object.keys(d.regimes).forEach(function (name) { out.push({ name: name, lr: d.regimes[name] }); });
        out.push({ name: "chosen", lr: st.xlr });
        out.forEach(function (r) {
          r.res = runAt(r.lr);
          r.predicted = Math.abs(1 - 2 * r.lr);
          r.measured = measuredRate(r.res.x);
          r.tstar = stepsToStop(st.xx0, r.lr, st.xeps);
          r.regime = classifyX2(r.lr);
        });
        return out;
      },
      draw: function () {
        if (app.state.view !== "x2") return;
        var runs = self.runs();
        var chosen = runs[runs.length - 1];
        // the parabola with the chosen run's steps
        var g = fit(document.getElementById("x2-canvas"), 0.5), ctx = g.ctx;
        var xr = Math.max(4, Math.abs(st.xx0) * 1.2);
        var f = frame(ctx, { x: 0, y: 0, w: g.w, h: g.h }, [-xr, xr], [0, xr * xr], { xlabel: "x", title: "f(x) = x², γ = " + num(st.xlr, 4) + " (" + chosen.regime + ")" });
        clip(ctx, f);
        var pts = []; for (var i = 0; i <= 200; i++) { var x = -xr + 2 * xr * i / 200; pts.push([f.X(x), f.Y(x * x)]); }
        polyline(ctx, pts, "#777", 2);
        var xs = chosen.res.x.slice(0, 40).map(function (v) { return v[0]; });
        var path = xs.map(function (x) { return [f.X(x), f.Y(x * x)]; });
        polyline(ctx, path, X2_COLORS.chosen, 1.5);
        ctx.fillStyle = "#f0a000";
        path.forEach(function (p) { ctx.beginPath(); ctx.arc(p[0], p[1], 3.5, 0, 2 * Math.PI); ctx.fill(); });
        ctx.restore();
        // |x_t| for every regime
        var g2 = fit(document.getElementById("x2-runs"), 0.4), c2 = g2.ctx;
        var T = 60;
        var f2 = frame(c2, { x: 0, y: 0, w: g2.w, h: g2.h }, [0, T], [1e-12, 1e7], { yLog: true, xlabel: "step t", title: "|x_t|, coloured as the regimes in the table (dashed: ε/2, where the stop fires)" });
        clip(c2, f2);
        polyline(c2, [[f2.L, f2.Y(st.xeps / 2)], [f2.L + f2.W, f2.Y(st.xeps / 2)]], "#555", 1, [5, 4]);
        runs.forEach(function (r) {
          polyline(c2, r.res.x.slice(0, T + 1).map(function (v, t) { return [f2.X(t), f2.Y(Math.abs(v[0]))]; }),
                   X2_COLORS[r.name], r.name === "chosen" ? 3 : 2, r.name === "chosen" ? [6, 3] : null);
        });
        c2.restore();
        table(document.getElementById("x2-table"), ["regime", "γ", "predicted |1−2γ|", "measured rate", "t* (formula)", "stop"],
          runs.map(function (r) {
            return [{ text: r.name === "chosen" ? "chosen: " + r.regime : r.name,
                      attrs: { style: "font-weight:600;color:" + X2_COLORS[r.name] } }, num(r.lr, 4), num(r.predicted, 6), num(r.measured, 6),
                    r.tstar === null ? "never" : String(r.tstar), r.res.stop.kind + " at " + r.res.stop.step];
          }));
      },
    };
    return self;
  }

  // ---------------------------------------------------------------- back-propagation view

  function sigmoid(z) { return 1.0 / (1.0 + Math.exp(-z)); }

  // backprop.forward_221 / gradients_221, operation for operation
  function backprop(p) {
    var w = p.weights, x = p.inputs, ya = p.target, lr = p.lr;
    function forward(w) {
      var z3 = w.w31 * x.x1 + w.w32 * x.x2, z4 = w.w41 * x.x1 + w.w42 * x.x2;
      var y3 = sigmoid(z3), y4 = sigmoid(z4), z5 = w.w53 * y3 + w.w54 * y4, y5 = sigmoid(z5);
      var d = y5 - ya;
      return { z3: z3, z4: z4, y3: y3, y4: y4, z5: z5, y5: y5, E: 0.5 * (d * d) };
    }
    var fw = forward(w);
    var dE_dy5 = fw.y5 - ya, dy5_dz5 = fw.y5 * (1.0 - fw.y5), delta5 = dE_dy5 * dy5_dz5;
    var dy3_dz3 = fw.y3 * (1.0 - fw.y3), dy4_dz4 = fw.y4 * (1.0 - fw.y4);
    var delta3 = delta5 * w.w53 * dy3_dz3, delta4 = delta5 * w.w54 * dy4_dz4;
    var grads = { dE_dw53: delta5 * fw.y3, dE_dw54: delta5 * fw.y4, dE_dw31: delta3 * x.x1, dE_dw32: delta3 * x.x2,
                  dE_dw41: delta4 * x.x1, dE_dw42: delta4 * x.x2 };
    var nw = {};
    ["w31", "w32", "w41", "w42", "w53", "w54"].forEach(function (k) { nw[k] = w[k] - lr * grads["dE_d" + k]; });
    return { forward: fw, factors: { dE_dy5: dE_dy5, dy5_dz5: dy5_dz5, delta5: delta5, dy3_dz3: dy3_dz3, dy4_dz4: dy4_dz4,
             delta3: delta3, delta4: delta4 }, gradients: grads, new_weights: nw, after: forward(nw) };
  }

  var BP_FIELDS = [["x1", "inputs"], ["x2", "inputs"], ["w31", "weights"], ["w32", "weights"], ["w41", "weights"],
                   ["w42", "weights"], ["w53", "weights"], ["w54", "weights"], ["ya", "target"], ["η", "lr"]];

  function BackpropView(app) {
    var st = app.state.bp;
    var d = app.data.backprop;
    var form = document.getElementById("bp-controls");
    var fs = el("fieldset"); fs.appendChild(el("legend", {}, "Inputs, weights, target, η")); form.appendChild(fs);
    var grid = el("div", { class: "bp-grid" }); fs.appendChild(grid);
    var inputs = {};
    BP_FIELDS.forEach(function (f) {
      var lab = el("label"); lab.appendChild(el("span", {}, f[0]));
      var inp = el("input", { type: "number", step: "0.01", id: "bp-" + (f[0] === "η" ? "lr" : f[0]) });
      inp.addEventListener("input", function () {
        var v = parseFloat(inp.value);
        if (!isFinite(v)) return;
        st.values[f[0]] = v; self.draw(); app.saveHash();
      });
      lab.appendChild(inp); grid.appendChild(lab); inputs[f[0]] = inp;
    });
    document.querySelectorAll(".stepper button[data-stage]").forEach(function (b) {
      b.addEventListener("click", function () { st.stage = +b.dataset.stage; self.draw(); app.saveHash(); });
    });
    document.getElementById("bp-reset").addEventListener("click", function () {
      st.values = self.defaults(); self.sync(); self.draw(); app.saveHash();
    });

    function params() {
      var v = st.values;
      return { inputs: { x1: v.x1, x2: v.x2 }, weights: { w31: v.w31, w32: v.w32, w41: v.w41, w42: v.w42, w53: v.w53, w54: v.w54 },
               target: v.ya, lr: v["η"] };
    }
    function isSlide() {
      var dft = self.defaults();
      return Object.keys(dft).every(function (k) { return st.values[k] === dft[k]; });
    }

    var self = {
      defaults: function () {
        return { x1: d.inputs.x1, x2: d.inputs.x2, w31: d.weights.w31, w32: d.weights.w32, w41: d.weights.w41,
                 w42: d.weights.w42, w53: d.weights.w53, w54: d.weights.w54, ya: d.target, "η": d.lr };
      },
      sync: function () { for (var k in inputs) inputs[k].value = st.values[k]; },
      compute: function () { return backprop(params()); },
      draw: function () {
        if (app.state.view !== "backprop") return;
        var b = backprop(params()), v = st.values, s = st.stage;
        document.querySelectorAll(".stepper button[data-stage]").forEach(function (btn) {
          btn.setAttribute("aria-pressed", String(+btn.dataset.stage === s));
        });
        drawNetwork(document.getElementById("bp-svg"), v, b, s);
        var F = b.forward, G = b.gradients, K = b.factors, N = b.new_weights, A = b.after;
        var rows = [];
        function add(stage, q, formula, value) { if (s >= stage) rows.push([q, formula, { text: full(value), attrs: { "data-q": q } }]); }
        add(0, "x1", "input", v.x1); add(0, "x2", "input", v.x2);
        add(1, "z3", "w31·x1 + w32·x2", F.z3); add(1, "z4", "w41·x1 + w42·x2", F.z4);
        add(1, "y3", "f(z3)", F.y3); add(1, "y4", "f(z4)", F.y4); add(1, "z5", "w53·y3 + w54·y4", F.z5);
        add(1, "y5", "f(z5)", F.y5); add(1, "E", "½(y5 − ya)²", F.E);
        add(2, "dE_dy5", "∂E/∂y5 = y5 − ya", K.dE_dy5); add(2, "dy5_dz5", "∂y5/∂z5 = y5(1 − y5)", K.dy5_dz5);
        add(2, "delta5", "δ5 = ∂E/∂y5 · ∂y5/∂z5", K.delta5); add(2, "dy3_dz3", "y3(1 − y3)", K.dy3_dz3);
        add(2, "dy4_dz4", "y4(1 − y4)", K.dy4_dz4); add(2, "delta3", "δ3 = δ5·w53·y3(1 − y3)", K.delta3);
        add(2, "delta4", "δ4 = δ5·w54·y4(1 − y4)", K.delta4);
        ["53", "54", "31", "32", "41", "42"].forEach(function (k) {
          add(2, "dE_dw" + k, "∂E/∂w" + k + " = δ" + k[0] + "·" + ({ "53": "y3", "54": "y4", "31": "x1", "32": "x2", "41": "x1", "42": "x2" })[k], G["dE_dw" + k]);
        });
        ["53", "54", "31", "32", "41", "42"].forEach(function (k) { add(3, "w" + k + "_new", "w" + k + " − η·∂E/∂w" + k, N["w" + k]); });
        add(3, "E_new", "E with the new weights", A.E); add(3, "E_decrease", "E − E_new", F.E - A.E);
        table(document.getElementById("bp-table"), ["quantity", "formula", "value (float64)"], rows);
        // the slides' figures
        var slide = isSlide();
        var live = { z3: F.z3, z4: F.z4, y3: F.y3, y4: F.y4, z5: F.z5, y5: F.y5, E: F.E, dE_dy5: K.dE_dy5, f_z5: F.y5, dz5_dw53: F.y3,
                     dE_dw53: G.dE_dw53, w53_new: N.w53, w31_new: N.w31, w32_new: N.w32, w41_new: N.w41, w42_new: N.w42, E_new: A.E };
        document.getElementById("bp-slide-note").textContent = slide
          ? "Each figure printed on the slides, the value computed here, and descentlab's verdict: exact, rounded, truncated or wrong (with why)."
          : "The slides' figures belong to the slide's numbers; you changed them, so the column 'here' shows your network. Press “the slide's numbers” to compare.";
        var comps = d.account.slide;
        table(document.getElementById("bp-slide"), ["quantity", "slide", "here", "status", "explanation"],
          comps.map(function (c) {
            return [c.quantity, c.slide, { text: full(live[c.quantity]), attrs: { "data-q": c.quantity } },
                    { text: slide ? c.status : "—", attrs: { class: "status-" + c.status } }, { text: slide ? c.explanation : "", attrs: { class: "wrap" } }];
          }), function (i) { return slide ? comps[i].status : ""; });
      },
    };
    return self;
  }

  function full(x) { return typeof x === "number" ? (Number.isInteger(x) ? x.toFixed(1) : String(x)) : String(x); }

  function drawNetwork(svg, v, b, stage) {
    var NS = "http://www.w3.org/2000/svg";
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    function add(tag, attrs, text) {
      var e = document.createElementNS(NS, tag);
      for (var k in attrs) e.setAttribute(k, attrs[k]);
      if (text !== undefined) e.textContent = text;
      svg.appendChild(e);
      return e;
    }
    var P = { x1: [70, 90], x2: [70, 370], n3: [380, 90], n4: [380, 370], n5: [640, 230] };
    // [from, to, weight, where along the edge, labels above (-1) or below (+1) it]
    var edges = [["x1", "n3", "w31", 0.55, -1], ["x2", "n3", "w32", 0.75, 1], ["x1", "n4", "w41", 0.75, -1],
                 ["x2", "n4", "w42", 0.55, 1], ["n3", "n5", "w53", 0.5, -1], ["n4", "n5", "w54", 0.5, 1]];
    edges.forEach(function (e) {
      var a = P[e[0]], c = P[e[1]];
      add("line", { x1: a[0], y1: a[1], x2: c[0], y2: c[1], stroke: "#999", "stroke-width": 2 });
    });
    edges.forEach(function (e) {
      var a = P[e[0]], c = P[e[1]], t = e[3];
      var mx = a[0] + (c[0] - a[0]) * t, my = a[1] + (c[1] - a[1]) * t;
      var lines = [[e[2] + " = " + num(v[e[2]], 6), "#000"]];
      if (stage >= 2) lines.push(["∂E/∂" + e[2] + " = " + num(b.gradients["dE_d" + e[2]], 6), "#b00020"]);
      if (stage >= 3) lines.push(["new " + e[2] + " = " + num(b.new_weights[e[2]], 8), "#1f5fbf"]);
      lines.forEach(function (l, i) {
        var y = e[4] < 0 ? my - 10 - 16 * (lines.length - 1 - i) : my + 20 + 16 * i;
        add("text", { x: mx, y: y, "text-anchor": "middle", "font-size": 14, fill: l[1], stroke: "#fafafa", "stroke-width": 5,
                      "paint-order": "stroke" }, l[0]);
      });
    });
    function node(key, label, lines, where) {
      var p = P[key];
      add("circle", { cx: p[0], cy: p[1], r: 28, fill: "#fff", stroke: "#333", "stroke-width": 2 });
      add("text", { x: p[0], y: p[1] + 6, "text-anchor": "middle", "font-size": 17, "font-weight": 600 }, label);
      lines.forEach(function (s, i) {
        var y = where === "above" ? p[1] - 38 - 16 * (lines.length - 1 - i) : p[1] + 48 + 16 * i;
        add("text", { x: p[0], y: y, "text-anchor": "middle", "font-size": 14, fill: s[1] || "#000" }, s[0]);
      });
    }
    var F = b.forward, K = b.factors;
    node("x1", "x1", [["x1 = " + num(v.x1, 6)]], "above");
    node("x2", "x2", [["x2 = " + num(v.x2, 6)]]);
    node("n3", "3", stage >= 1 ? [["z3 = " + num(F.z3, 8)], ["y3 = " + num(F.y3, 8)]].concat(stage >= 2 ? [["δ3 = " + num(K.delta3, 6), "#b00020"]] : []) : [], "above");
    node("n4", "4", stage >= 1 ? [["z4 = " + num(F.z4, 8)], ["y4 = " + num(F.y4, 8)]].concat(stage >= 2 ? [["δ4 = " + num(K.delta4, 6), "#b00020"]] : []) : []);
    node("n5", "5", stage >= 1 ? [["z5 = " + num(F.z5, 8)], ["y5 = " + num(F.y5, 8)], ["ya = " + num(v.ya, 6)], ["E = " + num(F.E, 8)]]
      .concat(stage >= 2 ? [["δ5 = " + num(K.delta5, 6), "#b00020"]] : []).concat(stage >= 3 ? [["E new = " + num(b.after.E, 8), "#1f5fbf"]] : []) : []);
    add("text", { x: 16, y: 474, "font-size": 14, fill: "#444" },
        ["inputs", "forward: z = Σ w·y, y = f(z)", "backward: δ = ∂E/∂z, ∂E/∂w = δ·(input of w)", "update: w ← w − η ∂E/∂w (η = " + num(v["η"], 4) + ")"][stage]);
  }

  root.DLViews = { fit: fit, frame: frame, polyline: polyline, clip: clip, slider: slider, el: el, table: table, num: num, vec: vec,
                   ticks: ticks, hbRate: hbRate, hbRoots: hbRoots, measuredRate: measuredRate, backprop: backprop,
                   QuadraticView: QuadraticView, X2View: X2View, BackpropView: BackpropView };
})(typeof window !== "undefined" ? window : globalThis);
