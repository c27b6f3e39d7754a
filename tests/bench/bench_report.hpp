// Shared main() for the benchmark binaries: runs the registered Google Benchmarks with the usual
// console output, then prints the ratios that matter (e.g. per-record cost of one transaction per
// record vs a batch) computed from THIS run, so a reader never divides numbers from different
// runs or machines. Exits non-zero when a benchmark reported an error, so the CTest smoke runs
// catch a benchmark that stopped working, not only one that stopped compiling.
#pragma once

#include <string>
#include <vector>

namespace chost::bench {

// `costly` costs ratio x `cheap` per item, where the per-item cost is 1 / items_per_second
// (every benchmark here calls SetItemsProcessed). Names are full run names as printed, e.g.
// "BM_Upsert/records_per_txn:1/real_time". A ratio whose runs were filtered out is skipped.
struct Ratio {
  std::string label;
  std::string costly;
  std::string cheap;
};

// Call from main(). Returns the process exit code.
int run_benchmarks(int argc, char** argv, const std::vector<Ratio>& ratios);

}  // namespace chost::bench
