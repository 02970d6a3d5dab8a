/* descentlab playground: the update rules, the learning-rate schedules and the
 * minimize loop, written to do what descentlab's Python does, operation for
 * operation and in the same order, so the two agree in float64 (only Math.pow,
 * Math.exp, Math.cos and Math.sin may round differently in the last bit).
 *
 * Mirrors: optim/base.py (lr at step k, weight decay, the denominator), sgd.py
 * (both momentum forms, both Nesterov forms), adagrad.py, rmsprop.py, adam.py
 * (AMSGrad, AdamW, the three eps placements), nadam.py, rprop.py, adamax.py, lion.py,
 * radam.py, adadelta.py, newton.py, lamb.py, optim/schedules.py (step,
 * exp, inv), train/minimize.py (the loop, its stop rules and their order).
 *
 * The presets (every default and form of every framework) are not copied here:
 * the page receives descentlab's own conventions table when it is built.
 */
(function (root) {
  "use strict";

  function ConfigError(message) {
    var e = new Error(message);
    e.name = "ConfigError";
    return e;
  }

  // ---------------------------------------------------------------- schedules
  // lr_t for the update that takes the step counter from t to t + 1.

  function makeSchedule(spec, lr) {
    if (spec === null || spec === undefined || spec === "" || spec === "constant") {
      return { kind: "constant", at: function () { return lr; }, describe: "constant " + lr };
    }
    if (typeof spec === "string") spec = parseSchedule(spec);
    var s = Object.assign({ decay_steps: 1, staircase: false }, spec);
    var base = s.lr !== undefined ? s.lr : lr;
    function power(t) {
      return s.staircase ? Math.floor(t / s.decay_steps) : t / s.decay_steps;
    }
    if (s.kind === "step") {
      var gamma = s.gamma === undefined ? 0.5 : s.gamma;
      if (!(s.every >= 1)) throw ConfigError("step schedule: expected every >= 1, got " + s.every);
      return { kind: "step", at: function (t) { return base * Math.pow(gamma, Math.floor(t / s.every)); } };
    }
    if (s.kind === "exp") {
      return { kind: "exp", at: function (t) { return base * Math.exp(-s.k * power(t)); } };
    }
    if (s.kind === "inv") {
      return { kind: "inv", at: function (t) { return base / (1.0 + s.k * power(t)); } };
    }
    if (s.kind === "constant") return { kind: "constant", at: function () { return base; } };
    throw ConfigError("expected a schedule among constant, step, exp, inv; got " + JSON.stringify(spec.kind));
  }

  // 'step:every=10,gamma=0.5', 'exp:k=0.01', 'inv:k=0.1' (the command line's text form)
  function parseSchedule(text) {
    var m = /^\s*([A-Za-z0-9_/]+)\s*(?::(.*))?$/.exec(text);
    if (!m) throw ConfigError("expected a schedule written name:key=value,...; got " + text);
    var aliases = { exponential: "exp", inverse: "inv", invtime: "inv", "1/t": "inv", const: "constant" };
    var kind = aliases[m[1].toLowerCase()] || m[1].toLowerCase();
    var out = { kind: kind };
    (m[2] || "").split(",").forEach(function (item) {
      if (!item.trim()) return;
      var kv = item.split("=");
      var v = kv[1].trim().toLowerCase();
      out[kv[0].trim()] = v === "true" ? true : v === "false" ? false : parseFloat(v);
    });
    return out;
  }

  // ---------------------------------------------------------------- helpers

  function zeros(n) { var a = new Array(n); for (var i = 0; i < n; i++) a[i] = 0.0; return a; }
  function full(n, v) { var a = new Array(n); for (var i = 0; i < n; i++) a[i] = v; return a; }

  // base.denom: sqrt(v) + eps ('outside') or sqrt(v + eps) ('inside'), per coordinate
  function denom(v, eps, placement) {
    var n = v.length, d = new Array(n), i;
    if (placement === "outside") for (i = 0; i < n; i++) d[i] = Math.sqrt(v[i]) + eps;
    else for (i = 0; i < n; i++) d[i] = Math.sqrt(v[i] + eps);
    return d;
  }

  // ---------------------------------------------------------------- the rules
  // Each rule: slots(h, n) -> fresh buffers; rule(h, g, slots, k, lr, at) -> {u, slots, step_size, moments};
  // at.x is x_t (LAMB reads it), at.H the Hessian at x_t (only for a rule with needsHessian).

  var SGD = {
    kind: "sgd",
    slots: function (h, n) {
      if (h.momentum === 0.0) return {};
      return h.momentum_form === "lr_outside" ? { b: zeros(n) } : { v: zeros(n) };
    },
    evalParams: function (h, x, state, lrAt) {
      if (!(h.nesterov && h.nesterov_form === "lookahead")) return x;
      var mu = h.momentum, n = x.length, out = new Array(n), i;
      if (h.momentum_form === "lr_inside") {
        for (i = 0; i < n; i++) out[i] = x[i] + mu * state.slots.v[i];
        return out;
      }
      var lr = lrAt(state.step), c = lr * mu;  // x - lr*mu*b: (lr*mu) first, as NumPy does
      for (i = 0; i < n; i++) out[i] = x[i] - c * state.slots.b[i];
      return out;
    },
    rule: function (h, g, slots, k, lr) {
      var mu = h.momentum, n = g.length, u = new Array(n), i;
      if (mu === 0.0) {
        for (i = 0; i < n; i++) u[i] = -lr * g[i];
        return { u: u, slots: {}, step_size: full(n, lr) };
      }
      var lookahead = h.nesterov && h.nesterov_form === "lookahead";
      var transformed = h.nesterov && !lookahead;
      if (h.momentum_form === "lr_outside") {
        var b = new Array(n), damp = 1.0 - h.dampening;
        for (i = 0; i < n; i++) b[i] = k === 0 ? g[i] : mu * slots.b[i] + damp * g[i];
        for (i = 0; i < n; i++) u[i] = -lr * (transformed ? g[i] + mu * b[i] : b[i]);
        return { u: u, slots: { b: b }, step_size: full(n, lr) };
      }
      var v = new Array(n);
      for (i = 0; i < n; i++) v[i] = mu * slots.v[i] - lr * g[i];
      for (i = 0; i < n; i++) u[i] = transformed ? mu * v[i] - lr * g[i] : v[i];
      return { u: u, slots: { v: v }, step_size: full(n, lr) };
    },
  };

  var AdaGrad = {
    kind: "adagrad",
    slots: function (h, n) { return { S: full(n, h.initial_accumulator) }; },
    rule: function (h, g, slots, k, lr) {
      var n = g.length, S = new Array(n), u = new Array(n), i;
      for (i = 0; i < n; i++) S[i] = slots.S[i] + g[i] * g[i];
      var lr_k = lr / (1.0 + k * h.lr_decay);
      var d = denom(S, h.eps, h.eps_placement), step = new Array(n);
      for (i = 0; i < n; i++) { step[i] = lr_k / d[i]; u[i] = -step[i] * g[i]; }
      return { u: u, slots: { S: S }, step_size: step };
    },
  };

  var RMSProp = {
    kind: "rmsprop",
    slots: function (h, n) {
      var s = { S: full(n, h.initial_accumulator) };
      if (h.centered) s.g_bar = zeros(n);
      if (h.momentum > 0.0) s.b = zeros(n);
      return s;
    },
    rule: function (h, g, slots, k, lr) {
      var beta = h.beta, eps = h.eps, mu = h.momentum, n = g.length, i;
      var S = new Array(n), variance = S, out = { S: S };
      for (i = 0; i < n; i++) S[i] = beta * slots.S[i] + (1.0 - beta) * g[i] * g[i];
      if (h.centered) {
        var gb = new Array(n);
        variance = new Array(n);
        for (i = 0; i < n; i++) {
          gb[i] = beta * slots.g_bar[i] + (1.0 - beta) * g[i];
          variance[i] = S[i] - gb[i] * gb[i];
        }
        out.g_bar = gb;
      }
      var d = denom(variance, eps, h.eps_placement), u = new Array(n), step = new Array(n);
      for (i = 0; i < n; i++) step[i] = lr / d[i];
      if (mu === 0.0) {
        for (i = 0; i < n; i++) u[i] = -step[i] * g[i];
        return { u: u, slots: out, step_size: step };
      }
      var b = new Array(n);
      if (h.momentum_form === "lr_outside") {
        for (i = 0; i < n; i++) { b[i] = mu * slots.b[i] + g[i] / d[i]; u[i] = -lr * b[i]; }
      } else {
        for (i = 0; i < n; i++) { b[i] = mu * slots.b[i] + lr * g[i] / d[i]; u[i] = -b[i]; }
      }
      out.b = b;
      return { u: u, slots: out, step_size: step };
    },
  };

  var Adam = {
    kind: "adam",
    slots: function (h, n) {
      var s = { m: zeros(n), v: zeros(n) };
      if (h.amsgrad) s.v_max = zeros(n);
      return s;
    },
    rule: function (h, g, slots, k, lr) {
      var b1 = h.beta1, b2 = h.beta2, eps = h.eps, t = k + 1, n = g.length, i;
      var m = new Array(n), v = new Array(n), out = { m: m, v: v };
      for (i = 0; i < n; i++) {
        m[i] = b1 * slots.m[i] + (1.0 - b1) * g[i];
        v[i] = b2 * slots.v[i] + (1.0 - b2) * g[i] * g[i];
      }
      var bc1 = 1.0 - Math.pow(b1, t), bc2 = 1.0 - Math.pow(b2, t);
      var m_hat = new Array(n), v_hat = new Array(n), v_used = v;
      for (i = 0; i < n; i++) m_hat[i] = m[i] / bc1;
      if (!h.amsgrad) {
        for (i = 0; i < n; i++) v_hat[i] = v[i] / bc2;
      } else if (h.amsgrad_form === "max_raw") {
        v_used = new Array(n);
        for (i = 0; i < n; i++) { v_used[i] = Math.max(slots.v_max[i], v[i]); v_hat[i] = v_used[i] / bc2; }
        out.v_max = v_used;
      } else {
        v_used = new Array(n);
        for (i = 0; i < n; i++) { v_hat[i] = Math.max(slots.v_max[i], v[i] / bc2); v_used[i] = v_hat[i] * bc2; }
        out.v_max = v_hat;
      }
      var step = new Array(n), u = new Array(n), d;
      if (h.eps_placement !== "hat") {
        d = denom(v_hat, eps, h.eps_placement);
        for (i = 0; i < n; i++) step[i] = lr / d[i];
      } else {
        var lr_t = lr * Math.sqrt(bc2) / bc1, c = lr_t * bc1;
        d = denom(v_used, eps, "outside");
        for (i = 0; i < n; i++) step[i] = c / d[i];
      }
      for (i = 0; i < n; i++) u[i] = -step[i] * m_hat[i];
      return { u: u, slots: out, step_size: step, moments: { m_hat: m_hat, v_hat: v_hat } };
    },
  };

  var NAdam = {
    kind: "nadam",
    slots: function (h, n) { return { m: zeros(n), v: zeros(n), mu_product: 1.0 }; },
    mu: function (h, t) {
      if (h.nadam_schedule === "pytorch") return h.beta1 * (1.0 - 0.5 * Math.pow(0.96, t * h.momentum_decay));
      if (h.nadam_schedule === "keras") return h.beta1 * (1.0 - 0.5 * Math.pow(0.96, t));
      return h.beta1;
    },
    rule: function (h, g, slots, k, lr) {
      var b1 = h.beta1, b2 = h.beta2, t = k + 1, n = g.length, i;
      var mu_t = NAdam.mu(h, t), mu_next = NAdam.mu(h, t + 1);
      var P = slots.mu_product * mu_t;
      var m = new Array(n), v = new Array(n), v_hat = new Array(n), m_bar = new Array(n);
      var bc2 = 1.0 - Math.pow(b2, t), c1 = 1.0 - P * mu_next, c2 = 1.0 - P, c3 = 1.0 - mu_t;
      for (i = 0; i < n; i++) {
        m[i] = b1 * slots.m[i] + (1.0 - b1) * g[i];
        v[i] = b2 * slots.v[i] + (1.0 - b2) * g[i] * g[i];
        v_hat[i] = v[i] / bc2;
        m_bar[i] = mu_next * m[i] / c1 + c3 * g[i] / c2;
      }
      var d = denom(v_hat, h.eps, h.eps_placement), step = new Array(n), u = new Array(n);
      for (i = 0; i < n; i++) { step[i] = lr / d[i]; u[i] = -step[i] * m_bar[i]; }
      return { u: u, slots: { m: m, v: v, mu_product: P }, step_size: step,
               moments: { m_bar: m_bar, v_hat: v_hat } };
    },
  };

  var Adamax = {
    kind: "adamax",
    slots: function (h, n) { return { m: zeros(n), u: zeros(n) }; },
    rule: function (h, g, slots, k, lr) {
      var b1 = h.beta1, b2 = h.beta2, eps = h.eps, n = g.length, i;
      var m = new Array(n), u = new Array(n), d = new Array(n), m_hat = new Array(n), step = new Array(n), upd = new Array(n);
      var bc1 = 1.0 - Math.pow(b1, k + 1);
      for (i = 0; i < n; i++) {
        m[i] = b1 * slots.m[i] + (1.0 - b1) * g[i];
        if (h.adamax_eps === "in_max") { u[i] = Math.max(b2 * slots.u[i], Math.abs(g[i]) + eps); d[i] = u[i]; }
        else { u[i] = Math.max(b2 * slots.u[i], Math.abs(g[i])); d[i] = u[i] + eps; }
        m_hat[i] = m[i] / bc1;
        step[i] = lr / d[i];
        upd[i] = -step[i] * m_hat[i];
      }
      return { u: upd, slots: { m: m, u: u }, step_size: step, moments: { m_hat: m_hat } };
    },
  };

  function sign(x) { return x > 0 ? 1.0 : x < 0 ? -1.0 : x === x ? 0.0 : NaN; }  // np.sign: sign(-0) is 0

  var Lion = {
    kind: "lion",
    slots: function (h, n) { return { m: zeros(n) }; },
    rule: function (h, g, slots, k, lr) {
      var b1 = h.beta1, b2 = h.beta2, n = g.length, i, m = new Array(n), dir = new Array(n), u = new Array(n);
      for (i = 0; i < n; i++) {
        dir[i] = sign(b1 * slots.m[i] + (1.0 - b1) * g[i]);
        m[i] = b2 * slots.m[i] + (1.0 - b2) * g[i];
        u[i] = -lr * dir[i];
      }
      return { u: u, slots: { m: m }, step_size: full(n, lr), moments: { direction: dir } };
    },
  };

  var RAdam = {
    kind: "radam",
    slots: function (h, n) { return { m: zeros(n), v: zeros(n) }; },
    rule: function (h, g, slots, k, lr) {
      var b1 = h.beta1, b2 = h.beta2, eps = h.eps, t = k + 1, n = g.length, i;
      var m = new Array(n), v = new Array(n), m_hat = new Array(n), v_hat = new Array(n), u = new Array(n), step;
      var bc1 = 1.0 - Math.pow(b1, t), bc2 = 1.0 - Math.pow(b2, t);
      for (i = 0; i < n; i++) {
        m[i] = b1 * slots.m[i] + (1.0 - b1) * g[i];
        v[i] = b2 * slots.v[i] + (1.0 - b2) * g[i] * g[i];
        m_hat[i] = m[i] / bc1;
        v_hat[i] = v[i] / bc2;
      }
      var rho_inf = 2.0 / (1.0 - b2) - 1.0;
      var rho_t = rho_inf - 2.0 * t * Math.pow(b2, t) / bc2;
      var moments = { m_hat: m_hat, v_hat: v_hat };
      if (!(rho_t > 5.0)) {
        for (i = 0; i < n; i++) u[i] = -lr * m_hat[i];
        return { u: u, slots: { m: m, v: v }, step_size: full(n, lr), moments: moments };
      }
      var r = Math.sqrt((rho_t - 4.0) * (rho_t - 2.0) * rho_inf / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t));
      step = new Array(n);
      var d;
      if (h.eps_placement === "hat") {
        d = denom(v, eps, "outside");
        var c = lr * r * Math.sqrt(bc2);
        for (i = 0; i < n; i++) step[i] = c / d[i];
      } else {
        d = denom(v_hat, eps, h.eps_placement);
        for (i = 0; i < n; i++) step[i] = lr * r / d[i];
      }
      for (i = 0; i < n; i++) u[i] = -step[i] * m_hat[i];
      return { u: u, slots: { m: m, v: v }, step_size: step, moments: moments };
    },
  };

  var Adadelta = {
    kind: "adadelta",
    slots: function (h, n) { return { S: zeros(n), D: zeros(n) }; },
    rule: function (h, g, slots, k, lr) {
      var beta = h.beta, eps = h.eps, n = g.length, i;
      var S = new Array(n), D = new Array(n), u = new Array(n), step = new Array(n);
      for (i = 0; i < n; i++) {
        S[i] = beta * slots.S[i] + (1.0 - beta) * g[i] * g[i];
        var ratio = Math.sqrt(slots.D[i] + eps) / Math.sqrt(S[i] + eps);
        var d = ratio * g[i];
        D[i] = beta * slots.D[i] + (1.0 - beta) * d * d;
        u[i] = -lr * d;
        step[i] = lr * ratio;
      }
      return { u: u, slots: { S: S, D: D }, step_size: step };
    },
  };

  // iRprop⁻ as optim/rprop.py (PyTorch's form): the sign of g * prev grows or shrinks each
  // coordinate's step size, clipped to its bounds; after a flip g is 0 (no move, no memory)
  var Rprop = {
    kind: "rprop",
    slots: function (h, n) { return { prev: zeros(n), step_size: full(n, h.lr) }; },
    rule: function (h, g, slots, k, lr) {
      var n = g.length, i, prev = new Array(n), s = new Array(n), dir = new Array(n), u = new Array(n);
      for (i = 0; i < n; i++) {
        var c = sign(g[i] * slots.prev[i]);
        var f = c > 0 ? h.eta_plus : c < 0 ? h.eta_minus : 1.0;
        s[i] = Math.min(Math.max(slots.step_size[i] * f, h.step_size_min), h.step_size_max);  // np.clip
        prev[i] = c < 0 ? 0.0 : g[i];
        dir[i] = sign(prev[i]);
        u[i] = -dir[i] * s[i];
      }
      return { u: u, slots: { prev: prev, step_size: s }, step_size: s, moments: { direction: dir } };
    },
  };

  // Newton's method as optim/newton.py: x <- x - lr * (H + lambda I)^{-1} g, solved through the
  // Cholesky factor; when H + lambda I is not positive definite the fallback decides (regularize:
  // add (-eig_min + max(|eig_min|, min_curvature)) I; gradient: a step of fallback_lr; none: the
  // indefinite step, by LU with partial pivoting), and the record's note says which was taken.
  function cholesky(A) {  // LAPACK potrf, lower: null where a pivot is not > 0
    var n = A.length, L = [], i, j, k;
    for (i = 0; i < n; i++) L.push(zeros(n));
    for (j = 0; j < n; j++) {
      var d = A[j][j];
      for (k = 0; k < j; k++) d -= L[j][k] * L[j][k];
      if (!(d > 0.0)) return null;
      L[j][j] = Math.sqrt(d);
      for (i = j + 1; i < n; i++) {
        var s = A[i][j];
        for (k = 0; k < j; k++) s -= L[i][k] * L[j][k];
        L[i][j] = s / L[j][j];
      }
    }
    return L;
  }

  function choleskySolve(L, g) {  // L y = g, then L^T d = y
    var n = g.length, y = new Array(n), d = new Array(n), i, k, s;
    for (i = 0; i < n; i++) { s = g[i]; for (k = 0; k < i; k++) s -= L[i][k] * y[k]; y[i] = s / L[i][i]; }
    for (i = n - 1; i >= 0; i--) { s = y[i]; for (k = i + 1; k < n; k++) s -= L[k][i] * d[k]; d[i] = s / L[i][i]; }
    return d;
  }

  function luSolve(A, g) {  // np.linalg.solve (LAPACK gesv); null when a pivot is exactly 0
    var n = g.length, M = A.map(function (r) { return r.slice(); }), b = g.slice(), i, j, k;
    for (k = 0; k < n; k++) {
      var p = k;
      for (i = k + 1; i < n; i++) if (Math.abs(M[i][k]) > Math.abs(M[p][k])) p = i;
      if (M[p][k] === 0.0) return null;
      var t = M[k]; M[k] = M[p]; M[p] = t; t = b[k]; b[k] = b[p]; b[p] = t;
      for (i = k + 1; i < n; i++) {
        var f = M[i][k] / M[k][k];
        for (j = k + 1; j < n; j++) M[i][j] -= f * M[k][j];
        b[i] -= f * b[k];
      }
    }
    var x = new Array(n);
    for (i = n - 1; i >= 0; i--) { var s = b[i]; for (j = i + 1; j < n; j++) s -= M[i][j] * x[j]; x[i] = s / M[i][i]; }
    return x;
  }

  // eigenvalues (ascending) and unit eigenvectors of a symmetric 1x1 or 2x2 matrix
  function eigSym(A) {
    if (A.length === 1) return { values: [A[0][0]], vectors: [[1.0]] };
    if (A.length !== 2) throw ConfigError("expected a surface of 1 or 2 dimensions for newton; got " + A.length);
    var a = A[0][0], b = A[0][1], c = A[1][1];
    if (b === 0.0) return a <= c ? { values: [a, c], vectors: [[1.0, 0.0], [0.0, 1.0]] }
                                 : { values: [c, a], vectors: [[0.0, 1.0], [1.0, 0.0]] };
    var m = 0.5 * (a + c), r = Math.hypot(0.5 * (a - c), b);
    var big = m >= 0 ? m + r : m - r, small = big === 0.0 ? 0.0 : (a * c - b * b) / big;  // no cancellation
    var lo = Math.min(big, small), hi = Math.max(big, small);
    function vec(l) {  // (b, l - a) or (l - c, b), the longer
      var v = Math.abs(l - a) > Math.abs(l - c) ? [b, l - a] : [l - c, b], h = Math.hypot(v[0], v[1]);
      return [v[0] / h, v[1] / h];
    }
    return { values: [lo, hi], vectors: [vec(lo), vec(hi)] };
  }

  function lstsq(A, g) {  // np.linalg.lstsq(A, g, rcond=None) of a symmetric A: the minimum-norm solution
    var e = eigSym(A), n = g.length, d = zeros(n), smax = 0.0, i, j;
    for (i = 0; i < n; i++) smax = Math.max(smax, Math.abs(e.values[i]));
    var cut = 2.220446049250313e-16 * n * smax;
    for (i = 0; i < n; i++) {
      if (!(Math.abs(e.values[i]) > cut)) continue;
      var v = e.vectors[i], c = 0.0;
      for (j = 0; j < n; j++) c += v[j] * g[j];
      for (j = 0; j < n; j++) d[j] += (c / e.values[i]) * v[j];
    }
    return d;
  }

  function fmtShort(x) {  // Python's f"{x:.3g}" / f"{x:g}"
    return function (p) {
      if (x === 0) return "0";
      var e = Math.floor(Math.log10(Math.abs(x))), s;
      if (e < -4 || e >= p) s = x.toExponential(p - 1).replace(/\.?0+e/, "e").replace(/e([+-])(\d)$/, "e$10$2");
      else { s = x.toPrecision(p); if (s.indexOf(".") >= 0) s = s.replace(/0+$/, "").replace(/\.$/, ""); }
      return s;
    };
  }

  var Newton = {
    kind: "newton",
    needsHessian: true,
    slots: function () { return {}; },
    rule: function (h, g, slots, k, lr, at) {
      var n = g.length, A = [], i, j, d, note = null, size = lr, H = at.H;
      if (!H || H.length !== n) throw ConfigError("expected a hessian for newton; got none");
      for (i = 0; i < n; i++) for (j = 0; j < n; j++) if (!isFinite(H[i][j]))
        throw ConfigError("expected a finite Hessian; got non-finite entries. Fix: check the second derivatives.");
      for (i = 0; i < n; i++) {
        A.push(new Array(n));
        for (j = 0; j < n; j++) A[i][j] = 0.5 * (H[i][j] + H[j][i]) + h.regularization * (i === j ? 1.0 : 0.0);
      }
      var L = cholesky(A);
      if (L) d = choleskySolve(L, g);
      else {
        var eigMin = eigSym(A).values[0], what = "H + " + fmtShort(h.regularization)(6) + " I not positive definite (smallest eigenvalue " +
                                                   fmtShort(eigMin)(3) + "); ";
        if (h.fallback === "regularize") {
          var shift = -eigMin + Math.max(Math.abs(eigMin), h.min_curvature), A2 = [];
          for (i = 0; i < n; i++) { A2.push(new Array(n)); for (j = 0; j < n; j++) A2[i][j] = A[i][j] + shift * (i === j ? 1.0 : 0.0); }
          var L2 = cholesky(A2);
          d = L2 ? choleskySolve(L2, g) : lstsq(A2, g);  // min_curvature = 0 leaves it singular
          note = "regularize: " + what + "added " + fmtShort(shift)(3) + " I";
        } else if (h.fallback === "gradient") {
          d = g.slice(); size = h.fallback_lr;
          note = "gradient: " + what + "took a gradient step with fallback_lr=" + fmtShort(h.fallback_lr)(6);
        } else {
          d = luSolve(A, g) || lstsq(A, g);
          note = "none: " + what + "took the indefinite Newton step";
        }
      }
      var u = new Array(n);
      var bad = false;
      for (i = 0; i < n; i++) { u[i] = -size * d[i]; if (!isFinite(u[i])) bad = true; }
      if (bad) note = (note ? note + "; " : "") + "non-finite update of 'x' at step " + k;  // as base._record
      return { u: u, slots: {}, step_size: full(n, size), note: note };
    },
  };
  // LAMB as optim/lamb.py: Adam's direction r = m_hat / denom(v_hat) (+ weight_decay * x, inside the
  // ratio), scaled by the trust ratio ||x|| / ||r|| over the whole parameter vector (1 when either is 0)
  var LAMB = {
    kind: "lamb",
    slots: function (h, n) { return { m: zeros(n), v: zeros(n) }; },
    rule: function (h, g, slots, k, lr, at) {
      var b1 = h.beta1, b2 = h.beta2, eps = h.eps, wd = h.weight_decay, t = k + 1, n = g.length, i, x = at.x;
      var m = new Array(n), v = new Array(n), m_hat = new Array(n), v_hat = new Array(n), r = new Array(n);
      for (i = 0; i < n; i++) {
        m[i] = b1 * slots.m[i] + (1.0 - b1) * g[i];
        v[i] = b2 * slots.v[i] + (1.0 - b2) * g[i] * g[i];
      }
      var bc1 = 1.0 - Math.pow(b1, t), bc2 = 1.0 - Math.pow(b2, t);
      for (i = 0; i < n; i++) { m_hat[i] = m[i] / bc1; v_hat[i] = v[i] / bc2; }
      var d = denom(v_hat, eps, h.eps_placement);
      for (i = 0; i < n; i++) r[i] = m_hat[i] / d[i];
      if (wd) for (i = 0; i < n; i++) r[i] = r[i] + wd * x[i];
      var xs = 0.0, rs = 0.0;
      for (i = 0; i < n; i++) { xs += x[i] * x[i]; rs += r[i] * r[i]; }
      var xn = Math.sqrt(xs), rn = Math.sqrt(rs);
      var trust = xn > 0.0 && rn > 0.0 ? xn / rn : 1.0, step = lr * trust, u = new Array(n);
      for (i = 0; i < n; i++) u[i] = -step * r[i];
      return { u: u, slots: { m: m, v: v }, step_size: full(n, step),
               moments: { direction: r, m_hat: m_hat, v_hat: v_hat }, trust: trust };
    },
  };

  var NEWTON_HYPER = ["lr", "regularization", "fallback", "min_curvature", "fallback_lr"];

  var RULES = { lamb: LAMB, newton: Newton, rprop: Rprop, adamax: Adamax, lion: Lion, radam: RAdam, adadelta: Adadelta, sgd: SGD, momentum: SGD, nesterov: SGD, adagrad: AdaGrad, rmsprop: RMSProp,
                adam: Adam, amsgrad: Adam, adamw: Adam, nadam: NAdam };

  // ---------------------------------------------------------------- optimizers

  // make(name, preset, hyper, presets): the preset's defaults and forms, overridden by hyper.
  // hyper.lr may be a number; schedule (a spec or the text form) starts from that lr.
  // options.nesterovWithoutMomentum: presets whose framework runs nesterov with momentum 0 as plain GD
  function makeOptimizer(name, preset, hyper, presets, schedule, options) {
    var table = presets[preset || "pytorch"];
    if (!table) throw ConfigError("expected a preset among " + Object.keys(presets).join(", ") + "; got " + preset);
    if (!RULES[name]) throw ConfigError("expected an optimizer among " + Object.keys(RULES).join(", ") + "; got " + name);
    if (!table[name]) throw ConfigError("expected an optimizer that preset " + preset + " defines; got " + name);
    var h = Object.assign({}, table[name], hyper || {});
    if (h.lr === null || h.lr === undefined) throw ConfigError("lr for " + name + " with preset " + preset + ": no value (pass lr)");
    checkCombination(name, h, ((options || {}).nesterovWithoutMomentum || []).indexOf(preset || "pytorch") >= 0, preset || "pytorch");
    var sched = makeSchedule(schedule, h.lr);
    if (RULES[name] === Rprop && sched.kind !== "constant")
      throw ConfigError("expected a number for lr of " + name + " (the initial step size); got a schedule " +
                        "(Rprop adapts its own step sizes and would ignore it)");
    return { name: name, preset: preset, hyper: h, rule: RULES[name], lrAt: sched.at, schedule: sched };
  }

  function checkCombination(name, h, nesterovWithoutMomentum, preset) {
    if (h.eps_placement === "hat" && RULES[name] !== Adam && RULES[name] !== RAdam)
      throw ConfigError("expected eps_placement outside or inside for " + name + "; got hat (the eps-hat form exists only for Adam and RAdam)");
    if (RULES[name] === LAMB && preset === "keras" && h.weight_decay !== 0.0)
      throw ConfigError("expected weight_decay = 0 for " + name + " with preset 'keras', got " + h.weight_decay +
                        ". Fix: Keras decays the weights outside the trust ratio, which descentlab does not have; " +
                        "use preset='optax' (decay inside the ratio, as the paper).");
    if (RULES[name] === Newton) {  // optim/hyperparams.py's checks, in Python's words
      var unknown = Object.keys(h).filter(function (key) { return NEWTON_HYPER.indexOf(key) < 0; });
      if (unknown.length) throw ConfigError("expected hyperparameters of " + name + ", got " + unknown.join(", ") +
                                            ". Fix: use only: " + NEWTON_HYPER.join(", ") + ".");
      if (["regularize", "gradient", "none"].indexOf(h.fallback) < 0)
        throw ConfigError(name + ": expected fallback one of 'regularize', 'gradient', 'none', got '" + h.fallback +
                          "'. Fix: choose fallback from: regularize, gradient, none.");
      ["regularization", "min_curvature", "fallback_lr"].forEach(function (key) {
        if (!(typeof h[key] === "number" && h[key] >= 0 && isFinite(h[key])))
          throw ConfigError(name + ": expected " + key + " >= 0, got " + h[key] + ". Fix: pass " + key + " >= 0.");
      });
    }
    if (RULES[name] === Rprop) {
      if (!(0.0 < h.eta_minus && h.eta_minus < 1.0 && 1.0 < h.eta_plus))
        throw ConfigError("expected 0 < eta_minus < 1 < eta_plus for " + name + "; got eta_minus=" + h.eta_minus + ", eta_plus=" + h.eta_plus);
      if (h.step_size_min > h.step_size_max)
        throw ConfigError("expected step_size_min <= step_size_max for " + name);
    }
    if (RULES[name] === SGD) {
      if (h.nesterov && h.momentum === 0.0 && !nesterovWithoutMomentum)
        throw ConfigError("expected momentum > 0 with nesterov for " + name + " (preset's framework refuses it)");
      if (h.dampening !== 0.0 && h.nesterov) throw ConfigError("expected dampening = 0 with nesterov for " + name);
      if (h.dampening !== 0.0 && h.momentum_form === "lr_inside")
        throw ConfigError("expected dampening = 0 with momentum_form lr_inside for " + name);
    }
  }

  function initState(opt, n) { return { step: 0, slots: opt.rule.slots(opt.hyper, n) }; }

  function evalParams(opt, x, state) {
    return opt.rule.evalParams ? opt.rule.evalParams(opt.hyper, x, state, opt.lrAt) : x;
  }

  // Optimizer._update + step: x <- x + u (in place); returns the rule's record.
  function step(opt, x, g, state, H) {
    var h = opt.hyper, k = state.step, lr = opt.lrAt(k), n = x.length, i;
    // weight decay beside the rule; a rule without a weight_decay_form (LAMB) decays inside its own rule
    var wd = "weight_decay_form" in h ? h.weight_decay || 0.0 : 0.0, decoupled = h.weight_decay_form === "decoupled";
    if (wd && !decoupled) {
      var at = evalParams(opt, x, state), g2 = new Array(n);
      for (i = 0; i < n; i++) g2[i] = g[i] + wd * at[i];
      g = g2;
    }
    var r = opt.rule.rule(h, g, state.slots, k, lr, { x: x.slice(), H: H });
    if (wd && decoupled) {
      var c = lr * wd;
      for (i = 0; i < n; i++) r.u[i] = r.u[i] - c * x[i];
    }
    for (i = 0; i < n; i++) x[i] = x[i] + r.u[i];
    state.slots = r.slots;
    state.step = k + 1;
    r.lr = lr;
    return r;
  }

  // ---------------------------------------------------------------- the loop

  function fmtG(x) {  // Python's f"{x:.6g}"
    if (!isFinite(x)) return String(x).replace("Infinity", "inf").replace("NaN", "nan");
    if (x === 0) return "0";
    var e = Math.floor(Math.log10(Math.abs(x)));
    var s;
    if (e < -4 || e >= 6) {
      s = x.toExponential(5).replace(/\.?0+e/, "e");
      s = s.replace(/e([+-])(\d)$/, "e$10$2");
    } else {
      s = x.toPrecision(6);
      if (s.indexOf(".") >= 0) s = s.replace(/0+$/, "").replace(/\.$/, "");
    }
    return s;
  }

  // minimize(surface, x0, opt, {steps, tol, bound, record}): the loop of train/minimize.py.
  // tol: null or 0 runs every step (the command line's --tol 0).
  function minimize(surface, x0, opt, options) {
    var o = options || {};
    var steps = o.steps === undefined ? 100 : o.steps;
    var tol = o.tol === undefined ? 1e-8 : o.tol;
    if (tol === 0) tol = null;
    var bound = o.bound === undefined ? 1e6 : o.bound;
    var n = surface.dim, x = x0.slice(), state = initState(opt, n);
    var xs = [], fs = [], gn = [], lrs = [], recs = o.record ? [] : null, stop = null, i;
    for (var t = 0; t <= steps; t++) {
      var ft = surface.value(x), gt = surface.gradient(x);
      var finite = true, sq = 0.0;
      for (i = 0; i < n; i++) { if (!isFinite(gt[i])) finite = false; sq += gt[i] * gt[i]; }
      var norm = finite ? Math.sqrt(sq) : Infinity;
      xs.push(x.slice()); fs.push(ft); gn.push(norm);
      stop = checkStop(t, ft, gt, x, norm, tol, bound, steps);
      if (stop) break;
      var at = evalParams(opt, x, state), same = true, g = gt;
      if (at !== x) { for (i = 0; i < n; i++) if (!(at[i] === x[i])) same = false; }
      if (!same) g = surface.gradient(at);
      var H = opt.rule.needsHessian ? surface.hessian(x) : undefined;  // at x_t, as minimize's surface.hess(xt)
      var r = step(opt, x, g, state, H);
      lrs.push(r.lr);
      if (recs) {
        var rec = { grad: g, slots: copySlots(state.slots), step_size: r.step_size, moments: r.moments || null, update: r.u };
        if (r.note !== undefined) rec.note = r.note;  // rules that decide on their own (Newton's fallback)
        recs.push(rec);
      }
    }
    return { x: xs, f: fs, grad_norm: gn, lr: lrs, stop: stop, records: recs };
  }

  function copySlots(s) {
    var out = {};
    for (var k in s) out[k] = Array.isArray(s[k]) ? s[k].slice() : s[k];
    return out;
  }

  // Divergence (non-finite loss, gradient, parameters), the |x| bound, ‖∇f‖ <= tol, max steps.
  function checkStop(t, f, g, x, norm, tol, bound, steps) {
    var i, n = x.length;
    if (!isFinite(f)) return { kind: "diverged", step: t, message: "diverged at step " + t + ": loss is " + fmtG(f) };
    for (i = 0; i < n; i++) if (!isFinite(g[i]))
      return { kind: "diverged", step: t, message: "diverged at step " + t + ": grad has " + fmtG(g[i]) + (n > 1 ? " at index " + i : "") };
    for (i = 0; i < n; i++) if (!isFinite(x[i]))
      return { kind: "diverged", step: t, message: "diverged at step " + t + ": params has " + fmtG(x[i]) + (n > 1 ? " at index " + i : "") };
    var xmax = 0.0;
    for (i = 0; i < n; i++) xmax = Math.max(xmax, Math.abs(x[i]));
    if (xmax > bound)
      return { kind: "diverged", step: t, message: "diverged at step " + t + ": |x| = " + fmtG(xmax) + " > bound " + fmtG(bound) };
    if (tol !== null && norm <= tol)
      return { kind: "converged", step: t, message: "converged at step " + t + ": gradient 2-norm " + fmtG(norm) + " <= eps " + fmtG(tol) };
    if (t >= steps) return { kind: "max_steps", step: t, message: "stopped at step " + t + ": reached the maximum of " + steps + " steps" };
    return null;
  }

  var api = { makeSchedule: makeSchedule, parseSchedule: parseSchedule, makeOptimizer: makeOptimizer,
              initState: initState, step: step, evalParams: evalParams, minimize: minimize, denom: denom,
              fmtG: fmtG, RULES: RULES, eigSym: eigSym, ConfigError: ConfigError };
  root.DLRules = api;
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof window !== "undefined" ? window : globalThis);
