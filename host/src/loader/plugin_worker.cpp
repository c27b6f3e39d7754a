// The plugin worker: the plugin's chp_host is a table of proxies that turn each callback into a
// kCall frame (and wait for the kReply when the callback answers), and a loop that runs the
// hooks the host sends. The plugin's stdout becomes log lines; the worker ends itself when the
// host is gone, even while the plugin hangs in a hook.
#include "chost/loader/plugin_worker.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "chost/loader/plugin_library.hpp"
#include "worker_protocol.hpp"
#include "worker_wire.hpp"

namespace chost::loader {
namespace {

using wire::CallbackOp;
using wire::HookOp;
using wire::Kind;

// The one channel of this process and who may wait on it. Round trips (callbacks that answer)
// belong to the thread running the hook: only it reads the socket, so an answer can never go
// to the wrong thread. Other threads of the plugin may use the callbacks that do not answer.
struct WorkerChannel {
  std::unique_ptr<wire::Channel> channel;
  std::mutex mu;  // one frame at a time on the socket
  std::thread::id hook_thread;
  bool in_hook = false;
  std::string reply;  // the last kReply, read by the hook thread only
};
WorkerChannel g_worker;

// Stand-ins for the host's handles: the host knows which instance and call a frame is about.
char g_ctx_token;
char g_call_token;
chp_host_ctx* worker_ctx() { return reinterpret_cast<chp_host_ctx*>(&g_ctx_token); }
chp_call* worker_call() { return reinterpret_cast<chp_call*>(&g_call_token); }

[[noreturn]] void host_gone() {
  // Nothing to hand a result to: end without running the plugin's static destructors.
  std::_Exit(0);
}

wire::Writer call(CallbackOp op) { return wire::Writer(Kind::kCall, static_cast<uint8_t>(op)); }

void send_one_way(wire::Writer& w) {
  std::lock_guard<std::mutex> lock(g_worker.mu);
  if (!g_worker.channel->send(w.finish())) host_gone();
}

// Sends the call and returns a reader over its answer; nullptr when this thread may not wait
// (not the hook's thread, or no hook running).
std::unique_ptr<wire::Reader> round_trip(wire::Writer& w) {
  std::lock_guard<std::mutex> lock(g_worker.mu);
  if (!g_worker.in_hook || std::this_thread::get_id() != g_worker.hook_thread) return nullptr;
  if (!g_worker.channel->send(w.finish())) host_gone();
  if (!g_worker.channel->receive(&g_worker.reply)) host_gone();
  auto r = std::make_unique<wire::Reader>(g_worker.reply);
  if (r->kind() != Kind::kReply) host_gone();  // a host that breaks the protocol: stop
  return r;
}

std::string_view sv(chp_str s) { return {s.ptr, s.len}; }
chp_str to_chp(std::string_view s) { return chp_str{s.data(), s.size()}; }

chp_status_code replay_chunks(wire::Reader& r, chp_status_code st, chp_sink sink, void* user) {
  const uint32_t n = r.u32();
  for (uint32_t i = 0; i < n && r.ok(); ++i) {
    const std::string_view chunk = r.str();
    if (r.ok() && sink != nullptr) sink(user, to_chp(chunk));
  }
  return r.ok() ? st : CHP_ERR_PERMANENT;
}

chp_status_code status_of(std::unique_ptr<wire::Reader> r) {
  if (!r) return CHP_ERR_UNSUPPORTED;
  const chp_status_code st = r->u32();
  return r->ok() ? st : CHP_ERR_PERMANENT;
}

uint64_t token_of(chp_txn* t) { return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(t)); }

// --- the proxies, in chp_host order ---
void p_log(chp_host_ctx*, chp_log_level level, chp_str message) {
  auto w = call(CallbackOp::kLog);
  w.u32(level).str(sv(message));
  send_one_way(w);
}
int p_call_cancelled(const chp_call*) {
  auto w = call(CallbackOp::kCallCancelled);
  auto r = round_trip(w);
  if (!r) return 1;
  const uint32_t v = r->u32();
  return r->ok() ? static_cast<int>(v) : 1;
}
uint64_t p_call_remaining_ms(const chp_call*) {
  auto w = call(CallbackOp::kCallRemainingMs);
  auto r = round_trip(w);
  if (!r) return 0;
  const uint64_t v = r->u64();
  return r->ok() ? v : 0;
}
void p_call_set_error(chp_call*, chp_str message) {
  auto w = call(CallbackOp::kCallSetError);
  w.str(sv(message));
  send_one_way(w);
}
void p_call_set_output(chp_call*, chp_str json) {
  auto w = call(CallbackOp::kCallSetOutput);
  w.str(sv(json));
  send_one_way(w);
}
chp_status_code p_state_get(chp_host_ctx*, chp_str key, chp_sink sink, void* user) {
  auto w = call(CallbackOp::kStateGet);
  w.str(sv(key));
  auto r = round_trip(w);
  if (!r) return CHP_ERR_UNSUPPORTED;
  const chp_status_code st = r->u32();
  return replay_chunks(*r, st, sink, user);
}
chp_status_code p_txn_begin(chp_host_ctx*, chp_txn** out_txn) {
  if (out_txn != nullptr) *out_txn = nullptr;
  auto w = call(CallbackOp::kTxnBegin);
  auto r = round_trip(w);
  if (!r) return CHP_ERR_UNSUPPORTED;
  const chp_status_code st = r->u32();
  const uint64_t token = r->u64();
  if (!r->ok()) return CHP_ERR_PERMANENT;
  if (st == CHP_OK && out_txn != nullptr) {
    *out_txn = reinterpret_cast<chp_txn*>(static_cast<uintptr_t>(token));
  }
  return st;
}
chp_status_code p_txn_put(chp_txn* txn, chp_str key, chp_str value) {
  auto w = call(CallbackOp::kTxnPut);
  w.u64(token_of(txn)).str(sv(key)).str(sv(value));
  return status_of(round_trip(w));
}
chp_status_code p_txn_delete(chp_txn* txn, chp_str key) {
  auto w = call(CallbackOp::kTxnDelete);
  w.u64(token_of(txn)).str(sv(key));
  return status_of(round_trip(w));
}
chp_status_code p_txn_upsert_record(chp_txn* txn, chp_str collection, chp_str id, chp_str json,
                                    int deleted) {
  auto w = call(CallbackOp::kTxnUpsertRecord);
  w.u64(token_of(txn)).str(sv(collection)).str(sv(id)).str(sv(json)).u32(deleted != 0 ? 1 : 0);
  return status_of(round_trip(w));
}
chp_status_code p_txn_outbox_add(chp_txn* txn, chp_str collection, chp_str id, chp_str json) {
  auto w = call(CallbackOp::kTxnOutboxAdd);
  w.u64(token_of(txn)).str(sv(collection)).str(sv(id)).str(sv(json));
  return status_of(round_trip(w));
}
chp_status_code p_txn_outbox_done(chp_txn* txn, int64_t entry_id, chp_str error) {
  auto w = call(CallbackOp::kTxnOutboxDone);
  w.u64(token_of(txn)).i64(entry_id).str(sv(error));
  return status_of(round_trip(w));
}
chp_status_code p_txn_commit(chp_txn* txn) {
  auto w = call(CallbackOp::kTxnCommit);
  w.u64(token_of(txn));
  return status_of(round_trip(w));
}
void p_txn_rollback(chp_txn* txn) {
  auto w = call(CallbackOp::kTxnRollback);
  w.u64(token_of(txn));
  send_one_way(w);
}
chp_status_code p_record_get(chp_host_ctx*, chp_str collection, chp_str id, chp_sink sink,
                             void* user) {
  auto w = call(CallbackOp::kRecordGet);
  w.str(sv(collection)).str(sv(id));
  auto r = round_trip(w);
  if (!r) return CHP_ERR_UNSUPPORTED;
  const chp_status_code st = r->u32();
  return replay_chunks(*r, st, sink, user);
}
chp_status_code p_outbox_pending(chp_host_ctx*, uint32_t limit, chp_sink sink, void* user) {
  auto w = call(CallbackOp::kOutboxPending);
  w.u32(limit);
  auto r = round_trip(w);
  if (!r) return CHP_ERR_UNSUPPORTED;
  const chp_status_code st = r->u32();
  return replay_chunks(*r, st, sink, user);
}
chp_status_code p_secret_get(chp_host_ctx*, chp_str name, chp_sink sink, void* user,
                             uint64_t* out_version) {
  auto w = call(CallbackOp::kSecretGet);
  w.str(sv(name));
  auto r = round_trip(w);
  if (!r) return CHP_ERR_UNSUPPORTED;
  const chp_status_code st = r->u32();
  const uint64_t version = r->u64();
  if (out_version != nullptr && r->ok()) *out_version = version;
  return replay_chunks(*r, st, sink, user);
}
chp_status_code p_secret_put(chp_host_ctx*, chp_str name, chp_str value,
                             uint64_t expected_version) {
  auto w = call(CallbackOp::kSecretPut);
  w.str(sv(name)).str(sv(value)).u64(expected_version);
  return status_of(round_trip(w));
}
void p_report_status(chp_host_ctx*, chp_str message) {
  auto w = call(CallbackOp::kReportStatus);
  w.str(sv(message));
  send_one_way(w);
}
void p_report_subject(chp_host_ctx*, chp_str subject_id, chp_str display_name,
                      chp_subject_state state, chp_str detail) {
  auto w = call(CallbackOp::kReportSubject);
  w.str(sv(subject_id)).str(sv(display_name)).u32(state).str(sv(detail));
  send_one_way(w);
}
void p_metric_add(chp_host_ctx*, chp_str name, double delta) {
  auto w = call(CallbackOp::kMetricAdd);
  w.str(sv(name)).f64(delta);
  send_one_way(w);
}
void p_metric_set(chp_host_ctx*, chp_str name, double value) {
  auto w = call(CallbackOp::kMetricSet);
  w.str(sv(name)).f64(value);
  send_one_way(w);
}
chp_status_code p_http_request(chp_host_ctx*, chp_call*, const chp_http_request* request,
                               const chp_http_response_sink* response, uint32_t* out_status) {
  if (request == nullptr) return CHP_ERR_PERMANENT;
  auto w = call(CallbackOp::kHttpRequest);
  w.str(sv(request->method)).str(sv(request->url));
  w.u32(static_cast<uint32_t>(request->header_count));
  for (size_t i = 0; i < request->header_count; ++i) {
    w.str(sv(request->headers[i].name)).str(sv(request->headers[i].value));
  }
  w.str(sv(request->body)).u32(request->timeout_ms).u32(request->flags);
  auto r = round_trip(w);
  if (!r) return CHP_ERR_UNSUPPORTED;
  const chp_status_code st = r->u32();
  const uint32_t http_status = r->u32();
  const uint32_t n = r->u32();
  for (uint32_t i = 0; i < n && r->ok(); ++i) {
    const std::string_view name = r->str();
    const std::string_view value = r->str();
    if (r->ok() && response != nullptr && response->on_header != nullptr) {
      response->on_header(response->user, to_chp(name), to_chp(value));
    }
  }
  const std::string_view body = r->str();
  const uint32_t attempts = r->u32();
  const uint64_t waited_ms = r->u64();
  if (!r->ok()) return CHP_ERR_PERMANENT;
  if (!body.empty() && response != nullptr && response->on_body != nullptr) {
    response->on_body(response->user, to_chp(body));
  }
  if (attempts > 0 && response != nullptr &&
      CHP_HAS_MEMBER(response, chp_http_response_sink, on_attempts) &&
      response->on_attempts != nullptr) {
    response->on_attempts(response->user, attempts, waited_ms);
  }
  if (out_status != nullptr) *out_status = http_status;
  return st;
}
chp_status_code p_connection_token(chp_host_ctx*, chp_call*, uint32_t flags, chp_sink sink,
                                   void* user) {
  auto w = call(CallbackOp::kConnectionToken);
  w.u32(flags);
  auto r = round_trip(w);
  if (!r) return CHP_ERR_UNSUPPORTED;
  const chp_status_code st = r->u32();
  return replay_chunks(*r, st, sink, user);
}
void p_call_set_retry_after(chp_call*, uint64_t delay_ms) {
  auto w = call(CallbackOp::kCallSetRetryAfter);
  w.u64(delay_ms);
  send_one_way(w);
}
chp_status_code p_remove_subject(chp_host_ctx*, chp_str subject_id) {
  auto w = call(CallbackOp::kRemoveSubject);
  w.str(sv(subject_id));
  return status_of(round_trip(w));
}
chp_status_code p_record_list_ids(chp_host_ctx*, chp_str collection, chp_str after_id,
                                  uint32_t limit, chp_sink sink, void* user) {
  auto w = call(CallbackOp::kRecordListIds);
  w.str(sv(collection)).str(sv(after_id)).u32(limit);
  auto r = round_trip(w);
  if (!r) return CHP_ERR_UNSUPPORTED;
  const chp_status_code st = r->u32();
  return replay_chunks(*r, st, sink, user);
}

const chp_host kProxyHost = {
    sizeof(chp_host),    CHP_ABI_MAJOR,       CHP_ABI_MINOR,      p_log,
    p_call_cancelled,    p_call_remaining_ms, p_call_set_error,   p_call_set_output,
    p_state_get,         p_txn_begin,         p_txn_put,          p_txn_delete,
    p_txn_upsert_record, p_txn_outbox_add,    p_txn_outbox_done,  p_txn_commit,
    p_txn_rollback,      p_record_get,        p_outbox_pending,   p_secret_get,
    p_secret_put,        p_report_status,     p_report_subject,   p_metric_add,
    p_metric_set,        p_http_request,      p_connection_token, p_call_set_retry_after,
    p_remove_subject,    p_record_list_ids,
};

// What the plugin writes to stdout arrives as warning log lines of its connector (redacted
// there), one per line: fd 1 belongs to the host's output, not to plugins. A thread forwards
// lines as they come; at the end of each hook the hook's thread drains the pipe too, so a hook's
// lines reach the host before its result.
class StdoutCapture {
 public:
  bool start() {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return false;
    std::fflush(stdout);
    if (::dup2(p[1], STDOUT_FILENO) < 0) return false;
    ::close(p[1]);
    ::fcntl(p[0], F_SETFL, ::fcntl(p[0], F_GETFL) | O_NONBLOCK);
    fd_ = p[0];
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // a crash loses no complete line
    std::thread([this] {
      for (;;) {
        pollfd pfd{fd_, POLLIN, 0};
        if (::poll(&pfd, 1, -1) < 0 && errno != EINTR) return;
        if (!drain()) return;
      }
    }).detach();
    return true;
  }

  // Forwards every complete line the pipe holds. False once the write end is gone.
  bool drain() {
    std::lock_guard<std::mutex> lock(mu_);
    char buf[4096];
    for (;;) {
      const ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n == 0) return false;
      if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
      for (ssize_t i = 0; i < n; ++i) {
        if (buf[i] == '\n') {
          forward();
        } else {
          line_.push_back(buf[i]);
          if (line_.size() >= 4096) forward();
        }
      }
    }
  }

  void flush_for_hook_end() {
    if (fd_ < 0) return;
    std::fflush(stdout);
    (void)drain();
  }

 private:
  void forward() {
    auto w = call(CallbackOp::kLog);
    w.u32(CHP_LOG_WARN).str("plugin wrote to stdout: " + line_);
    send_one_way(w);
    line_.clear();
  }

  int fd_ = -1;
  std::mutex mu_;
  std::string line_;
};
StdoutCapture g_stdout;

// A worker whose host died (kill -9) must not live on, also not while the plugin hangs.
void watch_parent(pid_t parent) {
  std::thread([parent] {
    for (;;) {
      if (::getppid() != parent) std::_Exit(0);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }).detach();
}

void send_done(HookOp op, chp_status_code st) {
  wire::Writer w(Kind::kHookDone, static_cast<uint8_t>(op));
  w.u32(st);
  send_one_way(w);
}

}  // namespace

int run_plugin_worker(const PluginWorkerArgs& args) {
  watch_parent(args.parent);
  g_worker.channel = std::make_unique<wire::Channel>(args.fd);
  g_stdout.start();

  LoadOptions options;
  // The host checked this very file with its own rule (allow_world_writable included) before
  // it started the worker; the worker must not refuse what the host allowed.
  options.allow_world_writable = true;
  auto library = PluginLibrary::load(args.plugin, &kProxyHost, options);
  {
    wire::Writer hello(Kind::kHello, 0);
    if (!library) {
      hello.str(library.error().message);
    } else {
      const PluginDescriptor& d = (*library)->descriptor();
      hello.str("")
          .u32(d.abi_major)
          .u32(d.abi_minor)
          .str(d.name)
          .str(d.version)
          .u64(d.capabilities);
    }
    send_one_way(hello);
    if (!library) return 1;
  }
  const PluginHooks& hooks = (*library)->descriptor().hooks;
  chp_instance* instance = nullptr;
  std::string frame;
  for (;;) {
    if (!g_worker.channel->receive(&frame)) return 0;  // the host closed: nothing left to do
    wire::Reader r(frame);
    const std::string_view input = r.str();
    if (r.kind() != Kind::kHook || !r.ok()) return 1;
    const auto op = static_cast<HookOp>(r.op());
    {
      std::lock_guard<std::mutex> lock(g_worker.mu);
      g_worker.in_hook = true;
      g_worker.hook_thread = std::this_thread::get_id();
    }
    chp_status_code st = CHP_ERR_UNSUPPORTED;
    if (op == HookOp::kCreate) {
      chp_instance* created = nullptr;
      st = instance != nullptr ? CHP_ERR_PERMANENT
                               : hooks.create(worker_ctx(), worker_call(), to_chp(input), &created);
      if (st == CHP_OK) instance = created;
      if (st == CHP_OK && created == nullptr) st = CHP_ERR_PERMANENT;
    } else if (op == HookOp::kDestroy) {
      if (instance != nullptr) hooks.destroy(instance);
      instance = nullptr;
      st = CHP_OK;
    } else if (const wire::InputHookRow* row = wire::find_input_hook(op)) {
      auto hook = hooks.*(row->member);
      st = hook == nullptr       ? CHP_ERR_UNSUPPORTED
           : instance == nullptr ? CHP_ERR_PERMANENT
                                 : hook(instance, worker_call(), to_chp(input));
    }
    {
      std::lock_guard<std::mutex> lock(g_worker.mu);
      g_worker.in_hook = false;
    }
    g_stdout.flush_for_hook_end();
    send_done(op, st);
    if (op == HookOp::kDestroy) return 0;
  }
}

}  // namespace chost::loader
