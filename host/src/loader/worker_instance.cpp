// The host's side of a plugin worker: one hook at a time as a kHook frame, the callbacks the
// plugin makes during it answered with the library's real chp_host on this thread, and the
// worker killed when the call's deadline (or cancellation) has passed by kKillGraceMs or its
// memory goes over the limit.
#include "worker_instance.hpp"

#include <array>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "chost/common/abi_status.hpp"
#include "worker_process.hpp"
#include "worker_protocol.hpp"
#include "worker_wire.hpp"

namespace chost::loader {
namespace {

using wire::CallbackOp;
using wire::HookOp;
using wire::Kind;
using Clock = std::chrono::steady_clock;

// How long a hook may run on after its deadline or cancellation before its worker is killed: a
// cooperative plugin returns CHP_ERR_CANCELLED well within it.
constexpr auto kKillGrace = std::chrono::milliseconds(2000);
// Bounds of the hooks that have no chp_call (destroy) and of the exit after it.
constexpr auto kDestroyBound = std::chrono::milliseconds(5000);
constexpr int kExitGraceMs = 2000;

chp_str to_chp(std::string_view s) { return chp_str{s.data(), s.size()}; }

void collect(void* user, chp_str data) {
  static_cast<std::vector<std::string>*>(user)->emplace_back(data.ptr, data.len);
}

void put_chunks(wire::Writer& w, const std::vector<std::string>& chunks) {
  w.u32(static_cast<uint32_t>(chunks.size()));
  for (const std::string& c : chunks) w.str(c);
}

std::string mib(uint64_t bytes) { return std::to_string(bytes / (1024 * 1024)) + " MiB"; }

class WorkerInstance final : public PluginInstance {
 public:
  WorkerInstance(std::shared_ptr<PluginLibrary> library, chp_host_ctx* ctx, SpawnedWorker spawned,
                 uint64_t memory_limit_bytes)
      : PluginInstance(std::move(library), ctx),
        host_(library_->host()),
        process_(spawned.pid),
        channel_(spawned.host_fd),
        memory_limit_bytes_(memory_limit_bytes) {}

  ~WorkerInstance() override {
    if (!lost_) {
      (void)run(HookOp::kDestroy, nullptr, {});
      if (!lost_) (void)process_.reap(kExitGraceMs);
    }
  }

  // The worker's kHello must describe the plugin the host loaded itself.
  Status hello(chp_call* call) {
    std::string frame;
    if (!channel_.receive(&frame, check_for(call, HookOp::kCreate))) {
      return Error::transient(end_with(channel_.error(), "start"));
    }
    wire::Reader r(frame);
    if (r.kind() != Kind::kHello) {
      return Error::permanent(end_with("protocol error: expected hello", "start"));
    }
    if (const std::string_view refused = r.str(); !refused.empty() && r.ok()) {
      (void)process_.reap(kExitGraceMs);  // it exits after saying why
      channel_.close();
      lost_ = "plugin worker could not load the plugin: " + std::string(refused);
      return Error::config(*lost_);
    }
    const uint32_t major = r.u32();
    const uint32_t minor = r.u32();
    const std::string name(r.str());
    const std::string version(r.str());
    const uint64_t caps = r.u64();
    const PluginDescriptor& d = library_->descriptor();
    if (!r.ok()) return Error::permanent(end_with(load_error(frame), "start"));
    if (name != d.name || version != d.version || major != d.abi_major || minor != d.abi_minor ||
        caps != d.capabilities) {
      return Error::permanent(end_with(
          "loaded plugin " + name + " " + version + ", not the host's " + d.name + " " + d.version,
          "start"));
    }
    return {};
  }

  chp_status_code run(HookOp op, chp_call* call, std::string_view input) {
    if (lost_) return fail_lost(call);
    call_ = call;
    hook_ = op;
    const wire::WaitCheck check = check_for(call, op);
    chp_status_code result = CHP_ERR_PERMANENT;
    bool done = false;
    if (!channel_.send(wire::Writer(Kind::kHook, static_cast<uint8_t>(op)).str(input).finish(),
                       check)) {
      end_with(channel_.error(), hook_name(op));
    }
    std::string frame;
    auto last_check = Clock::now();
    while (!lost_ && !done) {
      if (!channel_.receive(&frame, check)) {
        end_with(channel_.error(), hook_name(op));
        break;
      }
      wire::Reader r(frame);
      if (r.kind() == Kind::kHookDone && r.op() == static_cast<uint8_t>(op)) {
        result = r.u32();
        if (!r.ok()) end_with(load_error(frame), hook_name(op));
        done = true;
      } else if (r.kind() == Kind::kCall) {
        serve(r);
      } else {
        end_with(
            "protocol error: unexpected frame kind " + std::to_string(static_cast<int>(r.kind())),
            hook_name(op));
      }
      // A worker that floods callbacks never lets the socket go quiet: check here as well.
      if (!lost_ && !done && Clock::now() - last_check >= std::chrono::milliseconds(100)) {
        last_check = Clock::now();
        if (std::optional<std::string> why = check()) end_with(*why, hook_name(op));
      }
    }
    txns_.clear();  // the runtime rolls back what the hook left open when it returns
    call_ = nullptr;
    if (lost_) return fail_lost(call);
    return result;
  }

  chp_status_code authorize(chp_call* call, std::string_view input) override {
    return run(HookOp::kAuthorize, call, input);
  }
  chp_status_code refresh(chp_call* call, std::string_view input) override {
    return run(HookOp::kRefresh, call, input);
  }
  chp_status_code disable(chp_call* call, std::string_view input) override {
    return run(HookOp::kDisable, call, input);
  }
  chp_status_code sync(chp_call* call, std::string_view input) override {
    return run(HookOp::kSync, call, input);
  }
  std::optional<std::string> lost() const override { return lost_; }

 private:
  using Handler = void (WorkerInstance::*)(wire::Reader&, wire::Writer&);
  static const std::array<Handler, static_cast<size_t>(CallbackOp::kEnd)>& handlers();

  // Ends the worker (if still running) and records why, naming the hook. Returns the reason.
  std::string end_with(const std::string& why, const char* during) {
    if (lost_) return *lost_;
    std::string ended;
    if (channel_.peer_gone()) {
      ended = process_.reap(kExitGraceMs);  // it went away by itself: how?
    } else {
      ended = process_.kill_and_reap();
      ended = "killed (" + why + ")";
    }
    channel_.close();
    lost_ = "plugin worker " + ended + " during " + during;
    return *lost_;
  }

  chp_status_code fail_lost(chp_call* call) {
    if (call != nullptr && host_->call_set_error != nullptr)
      host_->call_set_error(call, to_chp(*lost_));
    return CHP_ERR_TRANSIENT;
  }

  static std::string load_error(const std::string& frame) {
    return "protocol error: malformed frame of " + std::to_string(frame.size()) + " bytes";
  }

  // What may end a wait: the memory limit; the call's deadline or cancellation plus the grace
  // (a call without chp_call: kDestroyBound).
  wire::WaitCheck check_for(chp_call* call, HookOp op) {
    const auto started = Clock::now();
    auto due_since = std::make_shared<std::optional<Clock::time_point>>();
    return [this, call, op, started, due_since]() -> std::optional<std::string> {
      if (memory_limit_bytes_ > 0) {
        const uint64_t rss = process_.resident_bytes();
        if (rss > memory_limit_bytes_) {
          return "resident memory " + mib(rss) + " over its limit of " + mib(memory_limit_bytes_);
        }
      }
      const auto now = Clock::now();
      if (call == nullptr) {
        if (now - started < kDestroyBound) return std::nullopt;
        return std::string(hook_name(op)) + " did not return within 5 s";
      }
      const bool past = host_->call_remaining_ms != nullptr && host_->call_remaining_ms(call) == 0;
      const bool cancelled = host_->call_cancelled != nullptr && host_->call_cancelled(call) != 0;
      if (!past && !cancelled) {
        due_since->reset();
        return std::nullopt;
      }
      if (!*due_since) *due_since = now;
      if (now - **due_since < kKillGrace) return std::nullopt;
      return past ? std::string("the call's deadline passed")
                  : std::string("the call was cancelled and did not return");
    };
  }

  void serve(wire::Reader& r) {
    const wire::CallbackRow* row = wire::find_callback(r.op());
    if (row == nullptr) {
      end_with("protocol error: unknown callback " + std::to_string(r.op()), hook_name(hook_));
      return;
    }
    wire::Writer reply(Kind::kReply, r.op());
    (this->*handlers()[r.op()])(r, reply);
    if (!r.ok()) {
      end_with(std::string("protocol error: malformed ") + row->name, hook_name(hook_));
      return;
    }
    if (row->answered && !channel_.send(reply.finish(), check_for(call_, hook_))) {
      end_with(channel_.error(), hook_name(hook_));
    }
  }

  chp_txn* txn(uint64_t token) {
    auto it = txns_.find(token);
    return it == txns_.end() ? nullptr : it->second;
  }

  // --- one handler per callback, in CallbackOp order ---
  void on_log(wire::Reader& r, wire::Writer&) {
    const uint32_t level = r.u32();
    const std::string_view message = r.str();
    if (r.ok()) host_->log(ctx_, level, to_chp(message));
  }
  void on_call_cancelled(wire::Reader&, wire::Writer& w) {
    w.u32(call_ != nullptr && host_->call_cancelled != nullptr ? host_->call_cancelled(call_) : 1);
  }
  void on_call_remaining_ms(wire::Reader&, wire::Writer& w) {
    w.u64(call_ != nullptr && host_->call_remaining_ms != nullptr ? host_->call_remaining_ms(call_)
                                                                  : 0);
  }
  void on_call_set_error(wire::Reader& r, wire::Writer&) {
    const std::string_view m = r.str();
    if (r.ok() && call_ != nullptr) host_->call_set_error(call_, to_chp(m));
  }
  void on_call_set_output(wire::Reader& r, wire::Writer&) {
    const std::string_view m = r.str();
    if (r.ok() && call_ != nullptr) host_->call_set_output(call_, to_chp(m));
  }
  void on_state_get(wire::Reader& r, wire::Writer& w) {
    const std::string_view key = r.str();
    std::vector<std::string> chunks;
    w.u32(r.ok() ? host_->state_get(ctx_, to_chp(key), collect, &chunks) : CHP_ERR_PERMANENT);
    put_chunks(w, chunks);
  }
  void on_txn_begin(wire::Reader&, wire::Writer& w) {
    chp_txn* t = nullptr;
    const chp_status_code st = host_->txn_begin(ctx_, &t);
    uint64_t token = 0;
    if (st == CHP_OK && t != nullptr) {
      token = next_txn_++;
      txns_[token] = t;
    }
    w.u32(st).u64(token);
  }
  void on_txn_put(wire::Reader& r, wire::Writer& w) {
    chp_txn* t = txn(r.u64());
    const std::string_view key = r.str();
    const std::string_view value = r.str();
    w.u32(t != nullptr && r.ok() ? host_->txn_put(t, to_chp(key), to_chp(value))
                                 : CHP_ERR_PERMANENT);
  }
  void on_txn_delete(wire::Reader& r, wire::Writer& w) {
    chp_txn* t = txn(r.u64());
    const std::string_view key = r.str();
    w.u32(t != nullptr && r.ok() ? host_->txn_delete(t, to_chp(key)) : CHP_ERR_PERMANENT);
  }
  void on_txn_upsert_record(wire::Reader& r, wire::Writer& w) {
    chp_txn* t = txn(r.u64());
    const std::string_view collection = r.str();
    const std::string_view id = r.str();
    const std::string_view json = r.str();
    const uint32_t deleted = r.u32();
    w.u32(t != nullptr && r.ok() ? host_->txn_upsert_record(t, to_chp(collection), to_chp(id),
                                                            to_chp(json), deleted != 0 ? 1 : 0)
                                 : CHP_ERR_PERMANENT);
  }
  void on_txn_outbox_add(wire::Reader& r, wire::Writer& w) {
    chp_txn* t = txn(r.u64());
    const std::string_view collection = r.str();
    const std::string_view id = r.str();
    const std::string_view json = r.str();
    w.u32(t != nullptr && r.ok()
              ? host_->txn_outbox_add(t, to_chp(collection), to_chp(id), to_chp(json))
              : CHP_ERR_PERMANENT);
  }
  void on_txn_outbox_done(wire::Reader& r, wire::Writer& w) {
    chp_txn* t = txn(r.u64());
    const int64_t entry = r.i64();
    const std::string_view error = r.str();
    w.u32(t != nullptr && r.ok() ? host_->txn_outbox_done(t, entry, to_chp(error))
                                 : CHP_ERR_PERMANENT);
  }
  void on_txn_commit(wire::Reader& r, wire::Writer& w) {
    chp_txn* t = txn(r.u64());
    w.u32(t != nullptr && r.ok() ? host_->txn_commit(t) : CHP_ERR_PERMANENT);
  }
  void on_txn_rollback(wire::Reader& r, wire::Writer&) {
    if (chp_txn* t = txn(r.u64()); t != nullptr && r.ok()) host_->txn_rollback(t);
  }
  void on_record_get(wire::Reader& r, wire::Writer& w) {
    const std::string_view collection = r.str();
    const std::string_view id = r.str();
    std::vector<std::string> chunks;
    w.u32(r.ok() ? host_->record_get(ctx_, to_chp(collection), to_chp(id), collect, &chunks)
                 : CHP_ERR_PERMANENT);
    put_chunks(w, chunks);
  }
  void on_outbox_pending(wire::Reader& r, wire::Writer& w) {
    const uint32_t limit = r.u32();
    std::vector<std::string> chunks;
    w.u32(r.ok() ? host_->outbox_pending(ctx_, limit, collect, &chunks) : CHP_ERR_PERMANENT);
    put_chunks(w, chunks);
  }
  void on_record_list_ids(wire::Reader& r, wire::Writer& w) {
    const std::string_view collection = r.str();
    const std::string_view after_id = r.str();
    const uint32_t limit = r.u32();
    std::vector<std::string> chunks;
    w.u32(r.ok() ? host_->record_list_ids(ctx_, to_chp(collection), to_chp(after_id), limit,
                                          collect, &chunks)
                 : CHP_ERR_PERMANENT);
    put_chunks(w, chunks);
  }
  void on_secret_get(wire::Reader& r, wire::Writer& w) {
    const std::string_view name = r.str();
    std::vector<std::string> chunks;
    uint64_t version = 0;
    w.u32(r.ok() ? host_->secret_get(ctx_, to_chp(name), collect, &chunks, &version)
                 : CHP_ERR_PERMANENT);
    w.u64(version);
    put_chunks(w, chunks);
  }
  void on_secret_put(wire::Reader& r, wire::Writer& w) {
    const std::string_view name = r.str();
    const std::string_view value = r.str();
    const uint64_t expected = r.u64();
    w.u32(r.ok() ? host_->secret_put(ctx_, to_chp(name), to_chp(value), expected)
                 : CHP_ERR_PERMANENT);
  }
  void on_report_status(wire::Reader& r, wire::Writer&) {
    const std::string_view m = r.str();
    if (r.ok()) host_->report_status(ctx_, to_chp(m));
  }
  void on_report_subject(wire::Reader& r, wire::Writer&) {
    const std::string_view id = r.str();
    const std::string_view display = r.str();
    const uint32_t state = r.u32();
    const std::string_view detail = r.str();
    if (r.ok()) host_->report_subject(ctx_, to_chp(id), to_chp(display), state, to_chp(detail));
  }
  void on_metric_add(wire::Reader& r, wire::Writer&) {
    const std::string_view name = r.str();
    const double v = r.f64();
    if (r.ok()) host_->metric_add(ctx_, to_chp(name), v);
  }
  void on_metric_set(wire::Reader& r, wire::Writer&) {
    const std::string_view name = r.str();
    const double v = r.f64();
    if (r.ok()) host_->metric_set(ctx_, to_chp(name), v);
  }
  void on_http_request(wire::Reader& r, wire::Writer& w) {
    chp_http_request req{};
    req.struct_size = sizeof req;
    req.abi_major = CHP_ABI_MAJOR;
    req.abi_minor = CHP_ABI_MINOR;
    req.method = to_chp(r.str());
    req.url = to_chp(r.str());
    const uint32_t n = r.u32();
    std::vector<chp_http_header> headers;
    for (uint32_t i = 0; i < n && r.ok(); ++i) {
      const std::string_view name = r.str();
      const std::string_view value = r.str();
      headers.push_back({to_chp(name), to_chp(value)});
    }
    req.headers = headers.data();
    req.header_count = headers.size();
    req.body = to_chp(r.str());
    req.timeout_ms = r.u32();
    req.flags = r.u32();
    struct Collected {
      std::vector<std::pair<std::string, std::string>> headers;
      std::string body;
      uint32_t attempts = 0;  // 0: not reported (a failed request)
      uint64_t waited_ms = 0;
    } got;
    chp_http_response_sink sink{};
    sink.struct_size = sizeof sink;
    sink.abi_major = CHP_ABI_MAJOR;
    sink.abi_minor = CHP_ABI_MINOR;
    sink.user = &got;
    sink.on_header = [](void* user, chp_str name, chp_str value) {
      static_cast<Collected*>(user)->headers.emplace_back(std::string(name.ptr, name.len),
                                                          std::string(value.ptr, value.len));
    };
    sink.on_body = [](void* user, chp_str chunk) {
      static_cast<Collected*>(user)->body.append(chunk.ptr, chunk.len);
    };
    sink.on_attempts = [](void* user, uint32_t attempts, uint64_t waited_ms) {
      static_cast<Collected*>(user)->attempts = attempts;
      static_cast<Collected*>(user)->waited_ms = waited_ms;
    };
    uint32_t http_status = 0;
    const chp_status_code st = r.ok() && call_ != nullptr
                                   ? host_->http_request(ctx_, call_, &req, &sink, &http_status)
                                   : CHP_ERR_PERMANENT;
    w.u32(st).u32(http_status).u32(static_cast<uint32_t>(got.headers.size()));
    for (const auto& [name, value] : got.headers) w.str(name).str(value);
    w.str(got.body).u32(got.attempts).u64(got.waited_ms);
  }
  void on_call_set_retry_after(wire::Reader& r, wire::Writer&) {
    const uint64_t delay_ms = r.u64();
    if (r.ok() && call_ != nullptr) host_->call_set_retry_after(call_, delay_ms);
  }
  void on_remove_subject(wire::Reader& r, wire::Writer& w) {
    const std::string_view id = r.str();
    w.u32(r.ok() ? host_->remove_subject(ctx_, to_chp(id)) : CHP_ERR_PERMANENT);
  }
  void on_connection_token(wire::Reader& r, wire::Writer& w) {
    const uint32_t flags = r.u32();
    std::vector<std::string> chunks;
    w.u32(r.ok() && call_ != nullptr ? host_->connection_token(ctx_, call_, flags, collect, &chunks)
                                     : CHP_ERR_UNSUPPORTED);
    put_chunks(w, chunks);
  }

  const chp_host* host_;
  WorkerProcess process_;
  wire::Channel channel_;
  uint64_t memory_limit_bytes_;
  std::optional<std::string> lost_;
  chp_call* call_ = nullptr;  // the hook's call while one runs
  HookOp hook_ = HookOp::kCreate;
  std::map<uint64_t, chp_txn*> txns_;  // tokens the worker holds for the host's chp_txn
  uint64_t next_txn_ = 1;
};

const std::array<WorkerInstance::Handler, static_cast<size_t>(CallbackOp::kEnd)>&
WorkerInstance::handlers() {
  static const auto table = [] {
    std::array<Handler, static_cast<size_t>(CallbackOp::kEnd)> t{};
    auto set = [&t](CallbackOp op, Handler h) { t[static_cast<size_t>(op)] = h; };
    set(CallbackOp::kLog, &WorkerInstance::on_log);
    set(CallbackOp::kCallCancelled, &WorkerInstance::on_call_cancelled);
    set(CallbackOp::kCallRemainingMs, &WorkerInstance::on_call_remaining_ms);
    set(CallbackOp::kCallSetError, &WorkerInstance::on_call_set_error);
    set(CallbackOp::kCallSetOutput, &WorkerInstance::on_call_set_output);
    set(CallbackOp::kStateGet, &WorkerInstance::on_state_get);
    set(CallbackOp::kTxnBegin, &WorkerInstance::on_txn_begin);
    set(CallbackOp::kTxnPut, &WorkerInstance::on_txn_put);
    set(CallbackOp::kTxnDelete, &WorkerInstance::on_txn_delete);
    set(CallbackOp::kTxnUpsertRecord, &WorkerInstance::on_txn_upsert_record);
    set(CallbackOp::kTxnOutboxAdd, &WorkerInstance::on_txn_outbox_add);
    set(CallbackOp::kTxnOutboxDone, &WorkerInstance::on_txn_outbox_done);
    set(CallbackOp::kTxnCommit, &WorkerInstance::on_txn_commit);
    set(CallbackOp::kTxnRollback, &WorkerInstance::on_txn_rollback);
    set(CallbackOp::kRecordGet, &WorkerInstance::on_record_get);
    set(CallbackOp::kOutboxPending, &WorkerInstance::on_outbox_pending);
    set(CallbackOp::kSecretGet, &WorkerInstance::on_secret_get);
    set(CallbackOp::kSecretPut, &WorkerInstance::on_secret_put);
    set(CallbackOp::kReportStatus, &WorkerInstance::on_report_status);
    set(CallbackOp::kReportSubject, &WorkerInstance::on_report_subject);
    set(CallbackOp::kMetricAdd, &WorkerInstance::on_metric_add);
    set(CallbackOp::kMetricSet, &WorkerInstance::on_metric_set);
    set(CallbackOp::kHttpRequest, &WorkerInstance::on_http_request);
    set(CallbackOp::kConnectionToken, &WorkerInstance::on_connection_token);
    set(CallbackOp::kCallSetRetryAfter, &WorkerInstance::on_call_set_retry_after);
    set(CallbackOp::kRemoveSubject, &WorkerInstance::on_remove_subject);
    set(CallbackOp::kRecordListIds, &WorkerInstance::on_record_list_ids);
    for (size_t i = 1; i < t.size(); ++i) {
      if (t[i] == nullptr) std::abort();  // a CallbackOp without a handler: a build-time bug
    }
    return t;
  }();
  return table;
}

}  // namespace

Result<std::unique_ptr<PluginInstance>> create_worker_instance(
    std::shared_ptr<PluginLibrary> library, chp_host_ctx* ctx, chp_call* call,
    std::string_view config_json, const IsolationOptions& isolation) {
  const std::string plugin_name = library->descriptor().name;
  auto spawned = spawn_worker(isolation.worker_exe, library->path());
  if (!spawned) {
    return Error{spawned.error().cls, "plugin " + plugin_name + ": " + spawned.error().message};
  }
  auto instance = std::make_unique<WorkerInstance>(std::move(library), ctx, *spawned,
                                                   isolation.memory_limit_bytes);
  if (Status st = instance->hello(call); !st) {
    return Error{st.error().cls, "plugin " + plugin_name + ": " + st.error().message};
  }
  const chp_status_code rc = instance->run(HookOp::kCreate, call, config_json);
  if (std::optional<std::string> lost = instance->lost()) {
    return Error::transient("plugin " + plugin_name + ": " + *lost);
  }
  if (rc != CHP_OK) {
    return Error{error_class_of(rc),
                 "plugin " + plugin_name + ": create failed (" + status_name(rc) + ")"};
  }
  return std::unique_ptr<PluginInstance>(std::move(instance));
}

}  // namespace chost::loader
