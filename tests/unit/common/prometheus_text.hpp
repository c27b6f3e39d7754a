// Test support: a strict parser of the Prometheus text exposition format 0.0.4, to validate a
// whole /metrics output: HELP/TYPE lines (at most one each, TYPE before the family's samples),
// metric and label names, label value escaping, no duplicate series, contiguous families, and
// for histograms cumulative buckets ending in le="+Inf" that equal _count, plus _sum.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace chost::testing {

struct PromSample {
  std::string name;                           // as written, e.g. x_bucket
  std::map<std::string, std::string> labels;  // unescaped values
  double value = 0;
};

struct PromParse {
  std::vector<std::string> problems;         // empty: valid; each names the line number
  std::vector<PromSample> samples;           // in order
  std::map<std::string, std::string> types;  // family -> counter|gauge|histogram|...
};

PromParse parse_prometheus_text(const std::string& text);

}  // namespace chost::testing
