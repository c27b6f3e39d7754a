// Metrics registry: validation, exposition text (escaping, ordering, histogram buckets).
#include "chost/common/metrics.hpp"
#include "prometheus_text.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>

namespace chost::metrics {
namespace {

TEST(MetricNames, FollowThePrometheusGrammar) {
  EXPECT_TRUE(valid_metric_name("chost_http_requests_total"));
  EXPECT_TRUE(valid_metric_name("job:rate5m"));
  EXPECT_TRUE(valid_metric_name("_x9"));
  EXPECT_FALSE(valid_metric_name(""));
  EXPECT_FALSE(valid_metric_name("9lives"));
  EXPECT_FALSE(valid_metric_name("http-requests"));
  EXPECT_FALSE(valid_metric_name("a b"));
  EXPECT_TRUE(valid_label_name("status_class"));
  EXPECT_FALSE(valid_label_name("__name__"));
  EXPECT_FALSE(valid_label_name("a:b"));
  EXPECT_FALSE(valid_label_name("1a"));
}

TEST(Registry, RejectsInvalidNamesAndLabels) {
  Registry r;
  EXPECT_EQ(r.counter_add("bad-name", {}).error().cls, ErrorClass::kConfig);
  EXPECT_EQ(r.counter_add("ok_total", {{"bad-label", "x"}}).error().cls, ErrorClass::kConfig);
  EXPECT_EQ(r.counter_add("ok_total", {{"a", "1"}, {"a", "2"}}).error().cls, ErrorClass::kConfig);
  EXPECT_EQ(r.observe("h_seconds", {{"le", "1"}}, 1.0).error().cls, ErrorClass::kConfig);
  EXPECT_EQ(r.render(), "");
}

TEST(Registry, RejectsKindConflictsAndDecreasingCounters) {
  Registry r;
  ASSERT_TRUE(r.counter_add("x_total", {}, 2).ok());
  EXPECT_EQ(r.gauge_set("x_total", {}, 1).error().cls, ErrorClass::kConfig);
  EXPECT_EQ(r.describe_histogram("x_total", "h", {1}).error().cls, ErrorClass::kConfig);
  EXPECT_FALSE(r.counter_add("x_total", {}, -1).ok());
  EXPECT_FALSE(r.counter_add("x_total", {}, std::nan("")).ok());
  EXPECT_EQ(r.value("x_total", {}), 2.0);
}

TEST(Registry, RendersCountersAndGaugesSortedWithHelpAndType) {
  Registry r;
  ASSERT_TRUE(r.describe_counter("zz_total", "Last family.").ok());
  ASSERT_TRUE(r.describe_gauge("aa_connections", "Open connections.\nPer host \\ port.").ok());
  ASSERT_TRUE(r.counter_add("zz_total", {{"method", "POST"}}, 1).ok());
  ASSERT_TRUE(r.counter_add("zz_total", {{"method", "GET"}}, 2).ok());
  ASSERT_TRUE(r.counter_add("zz_total", {{"method", "GET"}}, 0.5).ok());
  ASSERT_TRUE(r.gauge_set("aa_connections", {{"host", "b"}}, 3).ok());
  ASSERT_TRUE(r.gauge_set("aa_connections", {{"host", "a"}}, 7).ok());
  ASSERT_TRUE(r.gauge_add("aa_connections", {{"host", "a"}}, -2).ok());
  EXPECT_EQ(r.render(),
            "# HELP aa_connections Open connections.\\nPer host \\\\ port.\n"
            "# TYPE aa_connections gauge\n"
            "aa_connections{host=\"a\"} 5\n"
            "aa_connections{host=\"b\"} 3\n"
            "# HELP zz_total Last family.\n"
            "# TYPE zz_total counter\n"
            "zz_total{method=\"GET\"} 2.5\n"
            "zz_total{method=\"POST\"} 1\n");
}

TEST(Registry, EscapesLabelValuesAndCanonicalisesLabelOrder) {
  Registry r;
  ASSERT_TRUE(r.counter_add("e_total", {{"z", "1"}, {"path", "a\"b\\c\nd"}}).ok());
  ASSERT_TRUE(r.counter_add("e_total", {{"path", "a\"b\\c\nd"}, {"z", "1"}}).ok());
  EXPECT_EQ(r.render(),
            "# TYPE e_total counter\n"
            "e_total{path=\"a\\\"b\\\\c\\nd\",z=\"1\"} 2\n");
  EXPECT_EQ(r.value("e_total", {{"z", "1"}, {"path", "a\"b\\c\nd"}}), 2.0);
  EXPECT_EQ(r.value("e_total", {{"z", "2"}}), std::nullopt);
}

TEST(Registry, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  Registry r;
  ASSERT_TRUE(r.describe_histogram("lat_seconds", "Latency.", {0.125, 0.5, 1}).ok());
  for (double v : {0.0625, 0.125, 0.25, 0.75, 2.0}) {
    ASSERT_TRUE(r.observe("lat_seconds", {{"host", "h"}}, v).ok());
  }
  EXPECT_EQ(r.render(),
            "# HELP lat_seconds Latency.\n"
            "# TYPE lat_seconds histogram\n"
            "lat_seconds_bucket{host=\"h\",le=\"0.125\"} 2\n"
            "lat_seconds_bucket{host=\"h\",le=\"0.5\"} 3\n"
            "lat_seconds_bucket{host=\"h\",le=\"1\"} 4\n"
            "lat_seconds_bucket{host=\"h\",le=\"+Inf\"} 5\n"
            "lat_seconds_sum{host=\"h\"} 3.1875\n"
            "lat_seconds_count{host=\"h\"} 5\n");
  EXPECT_EQ(r.histogram_count("lat_seconds", {{"host", "h"}}), 5u);
}

TEST(Registry, HistogramWithoutLabelsAndDefaultBuckets) {
  Registry r;
  ASSERT_TRUE(r.observe("d_seconds", {}, 0.2).ok());
  const std::string text = r.render();
  EXPECT_NE(text.find("d_seconds_bucket{le=\"0.1\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("d_seconds_bucket{le=\"0.25\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("d_seconds_bucket{le=\"+Inf\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("d_seconds_count 1\n"), std::string::npos) << text;
}

TEST(Registry, RejectsBadBucketsAndChangingThemAfterUse) {
  Registry r;
  EXPECT_FALSE(r.describe_histogram("b_seconds", "", {1, 1}).ok());
  EXPECT_FALSE(r.describe_histogram("b_seconds", "", {2, 1}).ok());
  EXPECT_FALSE(r.describe_histogram("b_seconds", "", {1, INFINITY}).ok());
  ASSERT_TRUE(r.describe_histogram("b_seconds", "", {1, 2}).ok());
  ASSERT_TRUE(r.observe("b_seconds", {}, 1).ok());
  EXPECT_TRUE(r.describe_histogram("b_seconds", "help", {1, 2}).ok());
  EXPECT_FALSE(r.describe_histogram("b_seconds", "", {1, 2, 3}).ok());
}

TEST(Registry, SpecialValuesUseTheExpositionSpelling) {
  Registry r;
  ASSERT_TRUE(r.gauge_set("g", {{"k", "inf"}}, INFINITY).ok());
  ASSERT_TRUE(r.gauge_set("g", {{"k", "nan"}}, std::nan("")).ok());
  ASSERT_TRUE(r.gauge_set("g", {{"k", "neg"}}, -INFINITY).ok());
  EXPECT_EQ(r.render(),
            "# TYPE g gauge\n"
            "g{k=\"inf\"} +Inf\n"
            "g{k=\"nan\"} NaN\n"
            "g{k=\"neg\"} -Inf\n");
}

TEST(Registry, ConcurrentIncrementsFromTwoThreadsAreNotLost) {
  Registry r;
  auto work = [&] {
    for (int i = 0; i < 5000; ++i) {
      ASSERT_TRUE(r.counter_add("c_total", {{"t", "x"}}).ok());
      ASSERT_TRUE(r.observe("h_seconds", {}, 0.01).ok());
    }
  };
  std::thread a(work), b(work);
  a.join();
  b.join();
  EXPECT_EQ(r.value("c_total", {{"t", "x"}}), 10000.0);
  EXPECT_EQ(r.histogram_count("h_seconds", {}), 10000u);
}

}  // namespace
}  // namespace chost::metrics

namespace chost::metrics {
namespace {

// The exposition parser the host's /metrics is validated with (tests/integration/notify_test
// runs it on a running host's output) accepts what Registry renders and refuses what breaks it.
TEST(PrometheusText, TheRegistrysWholeOutputParses) {
  Registry reg;
  ASSERT_TRUE(reg.describe_counter("chost_sync_runs_total", "Sync runs.\nBy result \\ connector"));
  ASSERT_TRUE(reg.counter_add("chost_sync_runs_total", {{"connector", "crm"}, {"result", "ok"}}));
  ASSERT_TRUE(reg.counter_add("chost_sync_runs_total",
                              {{"connector", "we\"ird\\name\n"}, {"result", "transient"}}));
  ASSERT_TRUE(reg.describe_histogram("chost_sync_duration_seconds", "Durations.", {0.5, 5}));
  ASSERT_TRUE(reg.observe("chost_sync_duration_seconds", {{"connector", "crm"}}, 0.2));
  ASSERT_TRUE(reg.observe("chost_sync_duration_seconds", {{"connector", "crm"}}, 9));
  ASSERT_TRUE(reg.gauge_set("chost_uptime_seconds", {}, 12.5));
  const chost::testing::PromParse p = chost::testing::parse_prometheus_text(reg.render());
  EXPECT_EQ(p.problems, std::vector<std::string>{}) << reg.render();
  EXPECT_EQ(p.types.at("chost_sync_duration_seconds"), "histogram");
  bool weird = false;
  for (const auto& s : p.samples) {
    if (s.labels.count("connector") && s.labels.at("connector") == "we\"ird\\name\n") weird = true;
  }
  EXPECT_TRUE(weird);  // escaped on the way out, unescaped by the parser
}

TEST(PrometheusText, TheParserRefusesBrokenExpositions) {
  auto problems = [](const std::string& text) {
    return chost::testing::parse_prometheus_text(text).problems.size();
  };
  EXPECT_EQ(problems("# TYPE a counter\na 1\n"), 0u);
  EXPECT_GT(problems("a 1\n"), 0u);                                           // no TYPE
  EXPECT_GT(problems("# TYPE a counter\na{x=\"1\"} 1\na{x=\"1\"} 2\n"), 0u);  // duplicate
  EXPECT_GT(problems("# TYPE a counter\na{x=\"\\q\"} 1\n"), 0u);              // bad escape
  EXPECT_GT(problems("# TYPE a counter\na{x=1} 1\n"), 0u);                    // unquoted
  EXPECT_GT(problems("# TYPE a counter\n# TYPE a gauge\na 1\n"), 0u);         // two TYPEs
  EXPECT_GT(problems("# TYPE a gauge\n# TYPE b gauge\na 1\nb 1\na{x=\"2\"} 1\n"), 0u);
  EXPECT_GT(problems("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\n"
                     "h_sum 1\nh_count 1\n"),
            0u);  // not cumulative
  EXPECT_GT(problems("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n"), 0u);
  EXPECT_GT(problems("# TYPE a counter\na -1\n"), 0u);
}

}  // namespace
}  // namespace chost::metrics
