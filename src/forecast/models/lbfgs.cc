#include "forecast/models/lbfgs.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>

namespace meteoflow::forecast {
namespace {

double Finite(double v) { return std::isfinite(v) ? v : std::numeric_limits<double>::infinity(); }

std::vector<double> Gradient(const std::function<double(const std::vector<double>&)>& f, std::vector<double> x) {
  std::vector<double> g(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const double h = 1e-6 * std::max(1.0, std::abs(x[i]));
    const double orig = x[i];
    x[i] = orig + h;
    const double up = Finite(f(x));
    x[i] = orig - h;
    const double down = Finite(f(x));
    x[i] = orig;
    g[i] = std::isfinite(up) && std::isfinite(down) ? (up - down) / (2 * h) : 0;
  }
  return g;
}

double Dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

}  // namespace

LbfgsResult MinimizeLbfgs(const std::function<double(const std::vector<double>&)>& f, std::vector<double> x0,
                          const LbfgsOptions& options) {
  LbfgsResult r{std::move(x0), 0, 0, false};
  r.value = Finite(f(r.x));
  std::vector<double> g = Gradient(f, r.x);
  std::deque<std::pair<std::vector<double>, std::vector<double>>> history;  // (s, y)
  const size_t n = r.x.size();
  for (; r.iterations < options.max_iterations; ++r.iterations) {
    double gmax = 0;
    for (double v : g) gmax = std::max(gmax, std::abs(v));
    if (gmax < options.gradient_tolerance) {
      r.converged = true;
      break;
    }
    // Two-loop recursion: d = -H g.
    std::vector<double> d = g;
    std::vector<double> alpha(history.size());
    for (size_t k = history.size(); k-- > 0;) {
      const auto& [s, y] = history[k];
      alpha[k] = Dot(s, d) / Dot(y, s);
      for (size_t i = 0; i < n; ++i) d[i] -= alpha[k] * y[i];
    }
    if (!history.empty()) {
      const auto& [s, y] = history.back();
      const double gamma = Dot(s, y) / Dot(y, y);
      for (double& v : d) v *= gamma;
    } else {
      const double scale = 1.0 / std::max(1.0, gmax);
      for (double& v : d) v *= scale;
    }
    for (size_t k = 0; k < history.size(); ++k) {
      const auto& [s, y] = history[k];
      const double beta = Dot(y, d) / Dot(y, s);
      for (size_t i = 0; i < n; ++i) d[i] += s[i] * (alpha[k] - beta);
    }
    for (double& v : d) v = -v;
    double slope = Dot(g, d);
    if (slope >= 0) {  // not a descent direction: restart from steepest descent
      history.clear();
      for (size_t i = 0; i < n; ++i) d[i] = -g[i];
      slope = Dot(g, d);
    }
    double step = 1.0, value = 0;
    std::vector<double> x(n);
    bool accepted = false;
    for (int tries = 0; tries < 40; ++tries, step *= 0.5) {
      for (size_t i = 0; i < n; ++i) x[i] = r.x[i] + step * d[i];
      value = Finite(f(x));
      if (value <= r.value + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
    }
    if (!accepted) {
      r.converged = history.empty();  // no progress even along the gradient: a (numerical) minimum
      if (!history.empty()) {
        history.clear();
        continue;
      }
      break;
    }
    const std::vector<double> g_new = Gradient(f, x);
    std::vector<double> s(n), y(n);
    for (size_t i = 0; i < n; ++i) {
      s[i] = x[i] - r.x[i];
      y[i] = g_new[i] - g[i];
    }
    const double decrease = r.value - value;
    r.x = std::move(x);
    g = g_new;
    const double previous = r.value;
    r.value = value;
    if (Dot(s, y) > 1e-12) {
      history.emplace_back(std::move(s), std::move(y));
      if (history.size() > static_cast<size_t>(options.memory)) history.pop_front();
    }
    if (decrease <= options.value_tolerance * std::max(1.0, std::abs(previous))) {
      r.converged = true;
      break;
    }
  }
  return r;
}

}  // namespace meteoflow::forecast
