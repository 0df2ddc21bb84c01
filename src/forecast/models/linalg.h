// Small dense linear algebra for the forecasters (systems of a few dozen unknowns at most).
//
// Thread-safety: pure functions.
#pragma once

#include <vector>

namespace meteoflow::forecast {

// Solves M x = rhs for n x n row-major M by Gaussian elimination with partial pivoting; rhs
// becomes x and M is overwritten. A singular M gives non-finite values in x.
void SolveInPlace(std::vector<double>& M, std::vector<double>& rhs);

}  // namespace meteoflow::forecast
