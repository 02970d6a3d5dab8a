/* descentlab playground: the lab's surfaces, value, gradient and Hessian, written as
 * functions/surfaces.py writes them (same operations, same order).
 *
 * surfaceFromData(d) takes one entry of the surface data the page is built with
 * (name, dim, window, start, minima, formula, params: descentlab's own numbers, such
 * as the quadratic's matrix A and the regression's data points) and adds value,
 * gradient and the exact Hessian (hessian(x), as each Python surface's hessian computes it).
 */
(function (root) {
  "use strict";

  var TAU = 2.0 * Math.PI;
  var BEALE_C = [1.5, 2.25, 2.625];

  var DEFS = {
    x2: function () {
      return {
        value: function (x) { return x[0] * x[0]; },
        gradient: function (x) { return [2.0 * x[0]]; },
        hessian: function () { return [[2.0]]; },
      };
    },
    quadratic: function (p) {
      var A = p.A, n = A.length;
      function Ax(x) {  // A @ x
        var out = new Array(n);
        for (var i = 0; i < n; i++) {
          var s = A[i][0] * x[0];
          for (var j = 1; j < n; j++) s += A[i][j] * x[j];
          out[i] = s;
        }
        return out;
      }
      return {
        value: function (x) {  // 0.5 * (x @ A) @ x
          var xa = new Array(n), i, j;
          for (j = 0; j < n; j++) {
            var s = x[0] * A[0][j];
            for (i = 1; i < n; i++) s += x[i] * A[i][j];
            xa[j] = s;
          }
          var q = xa[0] * x[0];
          for (j = 1; j < n; j++) q += xa[j] * x[j];
          return 0.5 * q;
        },
        gradient: Ax,
        hessian: function () { return A.map(function (row) { return row.slice(); }); },  // H = A
      };
    },
    saddle: function () {
      return {
        value: function (x) { return x[0] * x[0] - x[1] * x[1]; },
        gradient: function (x) { return [2.0 * x[0], -2.0 * x[1]]; },
        hessian: function () { return [[2.0, 0.0], [0.0, -2.0]]; },
      };
    },
    valley: function (p) {
      var a = p.a, b = p.b;
      return {
        value: function (x) { return a * (x[0] * x[0]) + b * (x[1] * x[1]); },
        gradient: function (x) { return [2.0 * a * x[0], 2.0 * b * x[1]]; },
        hessian: function () { return [[2.0 * a, 0.0], [0.0, 2.0 * b]]; },
      };
    },
    rosenbrock: function (p) {
      var a = p.a, b = p.b;
      return {
        value: function (x) {
          var r = a - x[0], s = x[1] - x[0] * x[0];
          return r * r + b * (s * s);
        },
        gradient: function (x) {
          var s = x[1] - x[0] * x[0];
          return [-2.0 * (a - x[0]) - 4.0 * b * x[0] * s, 2.0 * b * s];
        },
        hessian: function (x) {
          var x2 = x[0] * x[0], hxy = -4.0 * b * x[0];
          return [[2.0 - 4.0 * b * (x[1] - x2) + 8.0 * b * x2, hxy], [hxy, 2.0 * b]];
        },
      };
    },
    beale: function () {
      return {
        value: function (x) {
          var f = 0;
          for (var i = 1; i <= 3; i++) {
            var r = BEALE_C[i - 1] - x[0] + x[0] * Math.pow(x[1], i);
            f += r * r;
          }
          return f;
        },
        gradient: function (x) {
          var gx = 0.0, gy = 0.0;
          for (var i = 1; i <= 3; i++) {
            var yi = Math.pow(x[1], i);
            var r = BEALE_C[i - 1] - x[0] + x[0] * yi;
            gx += 2.0 * r * (yi - 1.0);
            gy += 2.0 * r * (i * x[0] * Math.pow(x[1], i - 1));
          }
          return [gx, gy];
        },
        hessian: function (x) {  // Σ 2(∇r ∇rᵀ + r ∇²r), ∂²r/∂x² = 0
          var hxx = 0.0, hxy = 0.0, hyy = 0.0;
          for (var i = 1; i <= 3; i++) {
            var r = BEALE_C[i - 1] - x[0] + x[0] * Math.pow(x[1], i);
            var rx = Math.pow(x[1], i) - 1.0;
            var ry = i * x[0] * Math.pow(x[1], i - 1);
            var rxy = i * Math.pow(x[1], i - 1);
            var ryy = i >= 2 ? i * (i - 1) * x[0] * Math.pow(x[1], i - 2) : 0.0;
            hxx += 2.0 * rx * rx;
            hxy += 2.0 * (rx * ry + r * rxy);
            hyy += 2.0 * (ry * ry + r * ryy);
          }
          return [[hxx, hxy], [hxy, hyy]];
        },
      };
    },
    himmelblau: function () {
      return {
        value: function (x) {
          var u = x[0] * x[0] + x[1] - 11.0, w = x[0] + x[1] * x[1] - 7.0;
          return u * u + w * w;
        },
        gradient: function (x) {
          var u = x[0] * x[0] + x[1] - 11.0, w = x[0] + x[1] * x[1] - 7.0;
          return [4.0 * x[0] * u + 2.0 * w, 2.0 * u + 4.0 * x[1] * w];
        },
        hessian: function (x) {
          var hxy = 4.0 * (x[0] + x[1]);
          return [[12.0 * (x[0] * x[0]) + 4.0 * x[1] - 42.0, hxy], [hxy, 4.0 * x[0] + 12.0 * (x[1] * x[1]) - 26.0]];
        },
      };
    },
    booth: function () {
      return {
        value: function (x) {
          var p = x[0] + 2 * x[1] - 7.0, q = 2 * x[0] + x[1] - 5.0;
          return p * p + q * q;
        },
        gradient: function (x) {
          var p = x[0] + 2 * x[1] - 7.0, q = 2 * x[0] + x[1] - 5.0;
          return [2.0 * p + 4.0 * q, 4.0 * p + 2.0 * q];
        },
        hessian: function () { return [[10.0, 8.0], [8.0, 10.0]]; },
      };
    },
    rastrigin: function (p, dim) {
      var A = p.A, n = dim, c = TAU * A;
      return {
        value: function (x) {
          var s = x[0] * x[0] - A * Math.cos(TAU * x[0]);
          for (var i = 1; i < n; i++) s += x[i] * x[i] - A * Math.cos(TAU * x[i]);
          return A * n + s;
        },
        gradient: function (x) {
          var g = new Array(n);
          for (var i = 0; i < n; i++) g[i] = 2.0 * x[i] + c * Math.sin(TAU * x[i]);
          return g;
        },
        hessian: function (x) {  // diag(2 + 4π²A cos 2πx_i)
          var H = [], c2 = TAU * TAU * A;
          for (var i = 0; i < n; i++) {
            H.push(new Array(n).fill(0.0));
            H[i][i] = 2.0 + c2 * Math.cos(TAU * x[i]);
          }
          return H;
        },
      };
    },
    linreg: function (p) {
      var xs = p.x, ys = p.y, M = xs.length;
      function residuals(t) {  // X @ t - y, X = [x, 1]
        var r = new Array(M);
        for (var i = 0; i < M; i++) r[i] = (xs[i] * t[0] + 1.0 * t[1]) - ys[i];
        return r;
      }
      return {
        value: function (t) {
          var r = residuals(t), s = 0.0;
          for (var i = 0; i < M; i++) s += r[i] * r[i];
          return 0.5 * s / M;
        },
        gradient: function (t) {  // X.T @ r / M
          var r = residuals(t), gw = 0.0, gb = 0.0;
          for (var i = 0; i < M; i++) { gw += xs[i] * r[i]; gb += 1.0 * r[i]; }
          return [gw / M, gb / M];
        },
        hessian: function () {  // X.T @ X / M, constant
          var sxx = 0.0, sx = 0.0, s1 = 0.0;
          for (var i = 0; i < M; i++) { sxx += xs[i] * xs[i]; sx += xs[i] * 1.0; s1 += 1.0 * 1.0; }
          return [[sxx / M, sx / M], [sx / M, s1 / M]];
        },
      };
    },
  };

  function surfaceFromData(d) {
    var make = DEFS[d.name];
    if (!make) throw new Error("expected a surface among " + Object.keys(DEFS).join(", ") + "; got " + d.name);
    var fns = make(d.params || {}, d.dim);
    return Object.assign({}, d, fns);
  }

  var api = { surfaceFromData: surfaceFromData, NAMES: Object.keys(DEFS) };
  root.DLSurfaces = api;
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof window !== "undefined" ? window : globalThis);
