// chost_common costs on the hot paths: a log line through the redacting logger with 0, 10 and
// 100 registered secrets vs a line at a disabled level (one atomic load), and the metrics
// registry's counter_add and render() with 1000 series.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bench_report.hpp"
#include "chost/common/log.hpp"
#include "chost/common/metrics.hpp"

namespace {

namespace log = chost::log;
namespace metrics = chost::metrics;

// Distinct secret-looking values of token length; none occurs in the benchmark's lines, so
// every registered value is searched for and never found (the common case).
std::vector<std::string> make_secrets(int count) {
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) {
    out.push_back("00D5g000004Xyz!AQ" + std::to_string(100000 + i) + "sEcReTtOkEnVaLuE");
  }
  return out;
}

// Registers `count` secrets for the lifetime of the object (the redactor is process-wide).
class RegisteredSecrets {
 public:
  explicit RegisteredSecrets(int count) : secrets_(make_secrets(count)) {
    for (const auto& s : secrets_) log::redactor().add(s);
  }
  ~RegisteredSecrets() {
    for (const auto& s : secrets_) log::redactor().remove(s);
  }
  RegisteredSecrets(const RegisteredSecrets&) = delete;
  RegisteredSecrets& operator=(const RegisteredSecrets&) = delete;

 private:
  std::vector<std::string> secrets_;
};

// The logger writes into a sink that only counts bytes, so the benchmark measures formatting
// and redaction, not the terminal.
uint64_t g_sink_bytes = 0;

void init_logger(log::Level level, log::Format format) {
  log::init({.format = format, .level = level, .sink = [](std::string_view line) {
               g_sink_bytes += line.size();
             }});
}

// A typical sync progress line with structured fields.
void write_line(int64_t page) {
  log::write(log::Level::kInfo, "salesforce-prod",
             "GET /services/data/v59.0/query/01gD0000002HU6KIAW-2000 -> 200, synced a page of "
             "Account records",
             {{"page", page},
              {"records", 2000},
              {"next", "/services/data/v59.0/query/01gD0000002HU6KIAW-2000"},
              {"elapsed_ms", 812}});
}

// Arg 0: registered secrets; arg 1: 1 text, 2 JSON.
void BM_LogLine(benchmark::State& state) {
  init_logger(log::Level::kInfo, static_cast<log::Format>(state.range(1)));
  RegisteredSecrets secrets(static_cast<int>(state.range(0)));
  const uint64_t before = g_sink_bytes;
  int64_t page = 0;
  for (auto _ : state) write_line(++page);
  if (g_sink_bytes == before) state.SkipWithError("no line reached the sink");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LogLine)
    ->ArgNames({"secrets", "format"})
    ->Args({0, static_cast<int>(log::Format::kText)})
    ->Args({10, static_cast<int>(log::Format::kText)})
    ->Args({100, static_cast<int>(log::Format::kText)})
    ->Args({100, static_cast<int>(log::Format::kJson)});

// The same call at a level below the configured one: callers pay one atomic load.
void BM_LogLineDisabled(benchmark::State& state) {
  init_logger(log::Level::kWarn, log::Format::kText);
  RegisteredSecrets secrets(100);
  const uint64_t before = g_sink_bytes;
  int64_t page = 0;
  for (auto _ : state) {
    log::info("salesforce-prod", "synced page {} of Account records", ++page);
  }
  if (g_sink_bytes != before) state.SkipWithError("a disabled line reached the sink");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LogLineDisabled);

// Redactor::redact alone on a 200-character line, to separate it from formatting.
void BM_Redact(benchmark::State& state) {
  RegisteredSecrets secrets(static_cast<int>(state.range(0)));
  const std::string line =
      "GET https://example.my.salesforce.com/services/data/v59.0/query?q=SELECT+Id,Name+FROM+"
      "Account+WHERE+SystemModstamp+>+2024-01-01T00:00:00Z status=200 elapsed_ms=81 page=3";
  for (auto _ : state) benchmark::DoNotOptimize(log::redactor().redact(line));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Redact)->ArgName("secrets")->Arg(0)->Arg(10)->Arg(100);

metrics::Labels series_labels(int i) {
  return {{"connector", "sf-" + std::to_string(i % 50)},
          {"method", i % 2 == 0 ? "GET" : "POST"},
          {"status_class", std::to_string(2 + i % 3) + "xx"},
          {"shard", std::to_string(i / 50)}};
}

// Fills `reg` with `series` counter series across a handful of families.
void fill_registry(metrics::Registry& reg, int series) {
  for (int i = 0; i < series; ++i) {
    (void)reg.counter_add("chost_bench_requests_total_" + std::to_string(i % 4), series_labels(i));
  }
}

// Arg 0: series already in the registry; the benchmark increments them round-robin.
void BM_CounterAdd(benchmark::State& state) {
  metrics::Registry reg;
  const int series = static_cast<int>(state.range(0));
  fill_registry(reg, series);
  std::vector<std::pair<std::string, metrics::Labels>> keys;
  for (int i = 0; i < series; ++i) {
    keys.emplace_back("chost_bench_requests_total_" + std::to_string(i % 4), series_labels(i));
  }
  size_t i = 0;
  for (auto _ : state) {
    const auto& [name, labels] = keys[i];
    if (!reg.counter_add(name, labels).ok()) {
      state.SkipWithError("counter_add failed");
      break;
    }
    i = (i + 1) % keys.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CounterAdd)->ArgName("series")->Arg(1)->Arg(1000);

// render() of a registry holding `series` series: one /metrics scrape.
void BM_Render(benchmark::State& state) {
  metrics::Registry reg;
  fill_registry(reg, static_cast<int>(state.range(0)));
  size_t bytes = 0;
  for (auto _ : state) {
    std::string text = reg.render();
    bytes = text.size();
    benchmark::DoNotOptimize(text.data());
  }
  if (bytes == 0) state.SkipWithError("render() returned nothing");
  state.SetItemsProcessed(state.iterations());
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_Render)->ArgName("series")->Arg(1000);

}  // namespace

int main(int argc, char** argv) {
  return chost::bench::run_benchmarks(
      argc, argv,
      {{"log line, 10 secrets vs 0", "BM_LogLine/secrets:10/format:1",
        "BM_LogLine/secrets:0/format:1"},
       {"log line, 100 secrets vs 0", "BM_LogLine/secrets:100/format:1",
        "BM_LogLine/secrets:0/format:1"},
       {"log line, JSON vs text (100 secrets)", "BM_LogLine/secrets:100/format:2",
        "BM_LogLine/secrets:100/format:1"},
       {"log line with 0 secrets vs disabled level", "BM_LogLine/secrets:0/format:1",
        "BM_LogLineDisabled"},
       {"redact() alone, 100 secrets vs 0", "BM_Redact/secrets:100", "BM_Redact/secrets:0"},
       {"counter_add, 1000 series vs 1", "BM_CounterAdd/series:1000", "BM_CounterAdd/series:1"},
       {"render() of 1000 series vs one counter_add", "BM_Render/series:1000",
        "BM_CounterAdd/series:1000"}});
}
