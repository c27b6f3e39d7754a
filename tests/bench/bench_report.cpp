// The reporter behind run_benchmarks: the console table plus a "ratios" section.
#include "bench_report.hpp"

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <ostream>
#include <string_view>

namespace chost::bench {
namespace {

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  RatioReporter(OutputOptions options, const std::vector<Ratio>& ratios)
      : ConsoleReporter(options), ratios_(ratios) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.error_occurred) {
        failed_ = true;
        continue;
      }
      if (run.run_type != Run::RT_Iteration) continue;
      auto it = run.counters.find("items_per_second");
      if (it != run.counters.end() && it->second.value > 0) {
        // With --benchmark_repetitions the last repetition wins; good enough for a ratio.
        items_per_second_[run.benchmark_name()] = it->second.value;
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }

  void Finalize() override {
    std::ostream& out = GetOutputStream();
    bool header = false;
    for (const Ratio& r : ratios_) {
      auto costly = items_per_second_.find(r.costly);
      auto cheap = items_per_second_.find(r.cheap);
      if (costly == items_per_second_.end() || cheap == items_per_second_.end()) continue;
      if (!header) {
        out << "\nRatios (per item, this run):\n";
        header = true;
      }
      char value[32];
      std::snprintf(value, sizeof value, "%.1fx", cheap->second / costly->second);
      out << "  " << r.label << ": " << value << "\n";
    }
    ConsoleReporter::Finalize();
  }

  bool failed() const { return failed_; }

 private:
  const std::vector<Ratio>& ratios_;
  std::map<std::string, double> items_per_second_;
  bool failed_ = false;
};

}  // namespace

int run_benchmarks(int argc, char** argv, const std::vector<Ratio>& ratios) {
  // The library applies --benchmark_color only to the reporter it creates itself, so the
  // choice is repeated here: colour on a terminal unless turned off.
  bool color = ::isatty(STDOUT_FILENO) != 0;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--benchmark_color=false" || arg == "--benchmark_color=no") color = false;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  RatioReporter reporter(
      color ? benchmark::ConsoleReporter::OO_Defaults : benchmark::ConsoleReporter::OO_Tabular,
      ratios);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return reporter.failed() ? 1 : 0;
}

}  // namespace chost::bench
