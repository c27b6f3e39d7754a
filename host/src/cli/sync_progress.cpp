// The live sync line and the summary table (sync_progress.hpp).
#include "sync_progress.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <chrono>

namespace chost::cli {
namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

constexpr int kRepaintMs = 200;

int64_t int_of(const boost::json::object& o, const char* key) {
  const boost::json::value* v = o.if_contains(key);
  return v && v->is_number() ? v->to_number<int64_t>() : 0;
}

}  // namespace

SyncProgress::SyncProgress(app::Host& host, std::string name, bool enabled)
    : host_(host), name_(std::move(name)), start_ms_(now_ms()) {
  if (enabled) thread_ = std::thread([this] { loop(); });
}

SyncProgress::~SyncProgress() {
  if (!thread_.joinable()) return;
  stop_ = true;
  thread_.join();
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
}

int64_t SyncProgress::elapsed_ms() const { return now_ms() - start_ms_; }

void SyncProgress::loop() {
  while (!stop_) {
    std::string line = "syncing";
    for (const app::ConnectorStatus& s : host_.status()) {
      if (s.name == name_ && !s.status_line.empty()) line = s.status_line;
    }
    // The line is cut to a terminal's usual width so that \r rewrites one row.
    std::string text = name_ + ": " + line;
    if (text.size() > 66) text = text.substr(0, 65) + "~";
    std::fprintf(stderr, "\r\033[K%s  %.1f s", text.c_str(),
                 static_cast<double>(elapsed_ms()) / 1000.0);
    std::fflush(stderr);
    for (int waited = 0; waited < kRepaintMs && !stop_; waited += 20) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

void print_sync_table(std::FILE* out, const std::string& summary_json, int64_t elapsed_ms) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(summary_json, ec);
  const boost::json::object* summary = ec ? nullptr : v.if_object();
  const boost::json::value* objects = summary ? summary->if_contains("objects") : nullptr;
  if (objects == nullptr || !objects->is_object()) return;
  std::fprintf(out, "%-28s %10s %10s\n", "OBJECT", "UPSERTED", "DELETED");
  int64_t upserted = 0;
  int64_t deleted = 0;
  for (const auto& [name, value] : objects->as_object()) {
    const boost::json::object* o = value.if_object();
    if (o == nullptr) continue;
    upserted += int_of(*o, "upserted");
    deleted += int_of(*o, "deleted");
    std::fprintf(out, "%-28.*s %10lld %10lld\n", static_cast<int>(name.size()), name.data(),
                 static_cast<long long>(int_of(*o, "upserted")),
                 static_cast<long long>(int_of(*o, "deleted")));
  }
  const double seconds = static_cast<double>(elapsed_ms > 0 ? elapsed_ms : 1) / 1000.0;
  std::fprintf(out, "%-28s %10lld %10lld\n", "total", static_cast<long long>(upserted),
               static_cast<long long>(deleted));
  std::fprintf(out, "%.0f records/s over %.1f s, %lld API call(s)\n",
               static_cast<double>(upserted + deleted) / seconds, seconds,
               static_cast<long long>(int_of(*summary, "api_calls")));
}

}  // namespace chost::cli
