// Notifier, the delivery side: the thread that POSTs due rows of the queue, signed, and records
// each attempt (delivered, retry at a backoff, or failed after max_attempts).
#include "chost/runtime/notifier.hpp"

#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <thread>

#include "chost/runtime/webhook_signature.hpp"
#include "duration_text.hpp"

namespace chost::runtime {

namespace {

constexpr size_t kBatchRows = 32;

}  // namespace

struct Notifier::Thread {
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  bool woken = false;
  std::atomic<bool> cancel{false};  // aborts a delivery in flight at stop
  std::thread thread;
};

Notifier::Notifier(NotifierOptions options, RuntimeServices services)
    : options_(std::move(options)), sv_(services), thread_(std::make_unique<Thread>()) {
  if (sodium_init() < 0) {
    sv_.log->log(LogLevel::kError, "", "notify: libsodium failed to initialise");
  }
  if (options_.metrics) {
    (void)options_.metrics->describe_counter(
        "chost_notification_deliveries_total",
        "Webhook delivery attempts of host.notify events, by webhook and result.");
  }
}

Notifier::~Notifier() { stop(); }

const WebhookTarget* Notifier::target(std::string_view name) const {
  for (const WebhookTarget& w : options_.webhooks) {
    if (w.name == name) return &w;
  }
  return nullptr;
}

void Notifier::start() {
  std::lock_guard<std::mutex> lock(thread_->mu);
  if (thread_->thread.joinable() || !sv_.http) return;
  thread_->stopping = false;
  thread_->cancel = false;
  thread_->thread = std::thread([this] { run(); });
}

void Notifier::stop() {
  {
    std::lock_guard<std::mutex> lock(thread_->mu);
    thread_->stopping = true;
    thread_->cancel = true;
  }
  thread_->cv.notify_all();
  if (thread_->thread.joinable()) thread_->thread.join();
}

void Notifier::wake() {
  {
    std::lock_guard<std::mutex> lock(thread_->mu);
    thread_->woken = true;
  }
  thread_->cv.notify_all();
}

void Notifier::run() {
  for (;;) {
    const size_t attempted = deliver_due();
    int64_t wait_ms = options_.idle_poll_ms;
    if (attempted >= kBatchRows) {
      wait_ms = 0;  // more rows are due
    } else if (auto next = sv_.store->notify_next_due(); next && next->has_value()) {
      wait_ms = std::clamp<int64_t>(**next - sv_.clock->now_ms(), 0, options_.idle_poll_ms);
    }
    std::unique_lock<std::mutex> lock(thread_->mu);
    thread_->cv.wait_for(lock, std::chrono::milliseconds(wait_ms),
                         [this] { return thread_->stopping || thread_->woken; });
    thread_->woken = false;
    if (thread_->stopping) return;
  }
}

size_t Notifier::deliver_due() {
  auto due = sv_.store->notify_due(sv_.clock->now_ms(), kBatchRows);
  if (!due) {
    sv_.log->log(LogLevel::kWarn, "", "notify: reading the queue failed: " + due.error().message);
    return 0;
  }
  size_t attempted = 0;
  for (store::NotificationRecord& row : *due) {
    if (thread_->cancel.load()) break;
    const WebhookTarget* w = target(row.webhook);
    const int64_t now = sv_.clock->now_ms();
    if (!w) {
      // Removed from host.notify since it was queued: nobody to deliver to.
      row.state = "failed";
      row.last_error = "webhook '" + row.webhook + "' is no longer configured in host.notify";
      (void)sv_.store->notify_update(row);
      continue;
    }
    if (!sv_.http) break;
    ++attempted;
    const std::string signature = webhook_signature(w->secret, now / 1000, row.body);
    HttpRequestSpec req;
    req.method = "POST";
    req.url = w->url;
    req.headers = {{"Content-Type", "application/json"},
                   {"Idempotency-Key", row.event_id},
                   {"X-Chost-Event", row.event},
                   {kSignatureHeader, signature}};
    req.body = row.body;
    req.timeout_ms = options_.request_timeout_ms;
    req.no_retry = true;  // the queue retries, with backoff, across restarts
    HttpResponseHandler discard;
    Result<HttpOutcome> outcome = sv_.http->perform(req, discard, thread_->cancel);
    if (!outcome && outcome.error().cls == ErrorClass::kCancelled)
      break;  // stopping: not an attempt
    Result<uint32_t> status =
        outcome ? Result<uint32_t>(outcome->status) : Result<uint32_t>(outcome.error());
    ++row.attempts;
    const bool ok = status && *status >= 200 && *status < 300;
    row.last_status = status ? *status : 0;
    const std::string where = "notify webhook '" + w->name + "': " + row.event + " " +
                              row.event_id + " attempt " + std::to_string(row.attempts);
    if (ok) {
      row.state = "delivered";
      row.last_error.clear();
      row.delivered_at_ms = sv_.clock->now_ms();
      sv_.log->log(LogLevel::kInfo, "",
                   where + " delivered (HTTP " + std::to_string(*status) + ")");
    } else {
      row.last_error = status ? "HTTP " + std::to_string(*status) : status.error().message;
      row.last_error = sv_.redactor->redact(row.last_error);
      if (row.attempts >= options_.max_attempts) {
        row.state = "failed";
        sv_.log->log(LogLevel::kError, "",
                     where + " failed: " + row.last_error + "; giving up after " +
                         std::to_string(row.attempts) + " attempts");
      } else {
        const int64_t delay =
            backoff_delay_ms(options_.backoff, static_cast<uint32_t>(row.attempts), *sv_.random);
        row.next_attempt_at_ms = sv_.clock->now_ms() + delay;
        sv_.log->log(
            LogLevel::kWarn, "",
            where + " failed: " + row.last_error + "; next attempt in " + duration_text(delay));
      }
    }
    if (options_.metrics) {
      (void)options_.metrics->counter_add(
          "chost_notification_deliveries_total",
          {{"webhook", w->name}, {"result", ok ? "delivered" : "error"}});
    }
    if (Status s = sv_.store->notify_update(row); !s) {
      sv_.log->log(LogLevel::kError, "",
                   where + ": recording the outcome failed: " + s.error().message);
    }
  }
  return attempted;
}

}  // namespace chost::runtime
