// Minimises a smooth function of a few variables with L-BFGS (limited-memory BFGS, two-loop
// recursion, backtracking Armijo line search) and central-difference gradients.
//
// Chosen over NLopt/Ceres/dlib because the models here have at most a few dozen parameters,
// need only this one method, and a small self-contained optimiser keeps the fit loop free of
// allocations and callbacks through C interfaces. Non-finite objective values count as +inf,
// so the search backs away from them.
//
// Thread-safety: pure function; `f` is called from the calling thread only.
#pragma once

#include <functional>
#include <vector>

namespace meteoflow::forecast {

struct LbfgsOptions {
  int max_iterations = 500;
  int memory = 8;
  double gradient_tolerance = 1e-6;  // stop when max |g_i| falls below
  double value_tolerance = 1e-11;    // stop when the relative decrease falls below
};

struct LbfgsResult {
  std::vector<double> x;
  double value = 0;
  int iterations = 0;
  bool converged = false;
};

LbfgsResult MinimizeLbfgs(const std::function<double(const std::vector<double>&)>& f, std::vector<double> x0,
                          const LbfgsOptions& options = {});

}  // namespace meteoflow::forecast
