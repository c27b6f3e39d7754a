// The static chp_host table: every callback validates its handles, maps the ABI's buffers onto
// the runtime's ports and turns failures into status codes. No exception leaves a callback.
#include "chost/runtime/host_callbacks.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

#include "chost/runtime/call_state.hpp"
#include "chost/runtime/connection_manager.hpp"
#include "chost/runtime/instance_context.hpp"
#include "status_codes.hpp"
#include "txn_handle.hpp"

namespace chost::runtime {
namespace {

std::string_view view(chp_str s) { return s.ptr ? std::string_view(s.ptr, s.len) : ""; }

chp_str as_chp(std::string_view s) { return chp_str{s.data(), s.size()}; }

// Every callback body runs inside this guard: an exception must not unwind into plugin code.
template <typename F>
chp_status_code guarded(InstanceContext* ctx, F&& f) {
  try {
    return f();
  } catch (const std::exception& e) {
    if (ctx)
      ctx->services().log->log(LogLevel::kError, ctx->name(),
                               std::string("host callback failed: ") + e.what());
    return CHP_ERR_PERMANENT;
  } catch (...) {
    return CHP_ERR_PERMANENT;
  }
}

InstanceContext* ctx_of(chp_host_ctx* ctx) { return ctx ? InstanceContext::from(ctx) : nullptr; }

TxnHandle* txn_of(chp_txn* txn) { return reinterpret_cast<TxnHandle*>(txn); }

// A store call failed: the ABI carries only the class, so the store's own words (SQLite's text,
// the path) are kept for the hook's error (see InstanceContext::note_store_error).
chp_status_code store_failure(InstanceContext* ctx, const Error& e) {
  // Not found and a lost compare-and-swap are answers, not failures.
  if (ctx && e.cls != ErrorClass::kNotFound && e.cls != ErrorClass::kConflict) {
    ctx->note_store_error(e.message);
  }
  return status_code_of(e.cls);
}

void log_cb(chp_host_ctx* raw, chp_log_level level, chp_str message) {
  InstanceContext* ctx = ctx_of(raw);
  if (!ctx) return;
  guarded(ctx, [&] {
    LogLevel l = LogLevel::kInfo;
    switch (level) {
      case CHP_LOG_TRACE:
        l = LogLevel::kTrace;
        break;
      case CHP_LOG_DEBUG:
        l = LogLevel::kDebug;
        break;
      case CHP_LOG_INFO:
        l = LogLevel::kInfo;
        break;
      case CHP_LOG_WARN:
        l = LogLevel::kWarn;
        break;
      case CHP_LOG_ERROR:
        l = LogLevel::kError;
        break;
      default:
        l = LogLevel::kInfo;
        break;
    }
    ctx->services().log->log(l, ctx->name(), ctx->services().redactor->redact(view(message)));
    return CHP_OK;
  });
}

int call_cancelled_cb(const chp_call* call) {
  return call == nullptr || CallState::from(call)->cancelled() ? 1 : 0;
}

uint64_t call_remaining_ms_cb(const chp_call* call) {
  return call ? CallState::from(call)->remaining_ms() : 0;
}

void call_set_error_cb(chp_call* call, chp_str message) {
  if (call) CallState::from(call)->set_error(std::string(view(message)));
}

void call_set_output_cb(chp_call* call, chp_str json) {
  if (call) CallState::from(call)->set_output(std::string(view(json)));
}

chp_status_code state_get_cb(chp_host_ctx* raw, chp_str key, chp_sink sink, void* user) {
  InstanceContext* ctx = ctx_of(raw);
  if (!ctx || !sink) return CHP_ERR_PERMANENT;
  return guarded(ctx, [&]() -> chp_status_code {
    auto r = ctx->services().store->get(ctx->name(), view(key));
    if (!r) return store_failure(ctx, r.error());
    if (!r->has_value()) return CHP_ERR_NOT_FOUND;
    sink(user, as_chp(**r));
    return CHP_OK;
  });
}

chp_status_code txn_begin_cb(chp_host_ctx* raw, chp_txn** out_txn) {
  InstanceContext* ctx = ctx_of(raw);
  if (!ctx || !out_txn) return CHP_ERR_PERMANENT;
  return guarded(ctx, [&]() -> chp_status_code {
    auto r = ctx->services().store->begin(ctx->name());
    if (!r) return store_failure(ctx, r.error());
    auto handle = std::make_unique<TxnHandle>();
    handle->ctx = ctx;
    handle->txn = std::move(*r);
    *out_txn = reinterpret_cast<chp_txn*>(ctx->adopt_txn(std::move(handle)));
    return CHP_OK;
  });
}

// Runs `f` on an open transaction; CHP_ERR_PERMANENT for an ended one (plugin bug).
template <typename F>
chp_status_code with_txn(chp_txn* raw, F&& f) {
  TxnHandle* t = txn_of(raw);
  if (!t) return CHP_ERR_PERMANENT;
  return guarded(t->ctx, [&]() -> chp_status_code {
    if (!t->txn) return CHP_ERR_PERMANENT;
    Status s = f(*t->txn);
    return s ? CHP_OK : store_failure(t->ctx, s.error());
  });
}

chp_status_code txn_put_cb(chp_txn* txn, chp_str key, chp_str value) {
  return with_txn(txn, [&](store::Transaction& t) { return t.put(view(key), view(value)); });
}

chp_status_code txn_delete_cb(chp_txn* txn, chp_str key) {
  return with_txn(txn, [&](store::Transaction& t) { return t.del(view(key)); });
}

chp_status_code txn_upsert_record_cb(chp_txn* txn, chp_str collection, chp_str id, chp_str json,
                                     int deleted) {
  return with_txn(txn, [&](store::Transaction& t) {
    return t.upsert_record(view(collection), view(id), view(json), deleted != 0);
  });
}

chp_status_code txn_outbox_add_cb(chp_txn* txn, chp_str collection, chp_str id, chp_str json) {
  return with_txn(txn, [&](store::Transaction& t) -> Status {
    auto r = t.outbox_add(view(collection), view(id), view(json));
    if (!r) return r.error();
    return {};
  });
}

chp_status_code txn_outbox_done_cb(chp_txn* txn, int64_t entry_id, chp_str error) {
  return with_txn(txn, [&](store::Transaction& t) { return t.outbox_done(entry_id, view(error)); });
}

chp_status_code txn_commit_cb(chp_txn* raw) {
  TxnHandle* t = txn_of(raw);
  if (!t) return CHP_ERR_PERMANENT;
  return guarded(t->ctx, [&]() -> chp_status_code {
    if (!t->txn) return CHP_ERR_PERMANENT;
    auto txn = std::move(t->txn);  // ends the transaction either way
    Status s = txn->commit();
    return s ? CHP_OK : store_failure(t->ctx, s.error());
  });
}

void txn_rollback_cb(chp_txn* raw) {
  TxnHandle* t = txn_of(raw);
  if (!t) return;
  guarded(t->ctx, [&] {
    if (t->txn) {
      auto txn = std::move(t->txn);
      txn->rollback();
    }
    return CHP_OK;
  });
}

chp_status_code record_get_cb(chp_host_ctx* raw, chp_str collection, chp_str id, chp_sink sink,
                              void* user) {
  InstanceContext* ctx = ctx_of(raw);
  if (!ctx || !sink) return CHP_ERR_PERMANENT;
  return guarded(ctx, [&]() -> chp_status_code {
    auto r = ctx->services().store->record_get(ctx->name(), view(collection), view(id));
    if (!r) return store_failure(ctx, r.error());
    if (!r->has_value()) return CHP_ERR_NOT_FOUND;
    sink(user, as_chp((*r)->json));
    return CHP_OK;
  });
}

chp_status_code outbox_pending_cb(chp_host_ctx* raw, uint32_t limit, chp_sink sink, void* user) {
  InstanceContext* ctx = ctx_of(raw);
  if (!ctx || !sink) return CHP_ERR_PERMANENT;
  return guarded(ctx, [&]() -> chp_status_code {
    auto r = ctx->services().store->outbox_pending(ctx->name(), limit);
    if (!r) return store_failure(ctx, r.error());
    for (const auto& e : *r) {
      std::string line =
          "{\"entry_id\":" + std::to_string(e.entry_id) +
          ",\"collection\":" + boost::json::serialize(boost::json::string(e.collection)) +
          ",\"id\":" + boost::json::serialize(boost::json::string(e.id)) + ",\"record\":" + e.json +
          "}";
      sink(user, as_chp(line));
    }
    return CHP_OK;
  });
}

chp_status_code secret_get_cb(chp_host_ctx* raw, chp_str name, chp_sink sink, void* user,
                              uint64_t* out_version) {
  InstanceContext* ctx = ctx_of(raw);
  if (!ctx || !sink) return CHP_ERR_PERMANENT;
  return guarded(ctx, [&]() -> chp_status_code {
    auto r = ctx->services().store->secret_get(
        ctx->name(), std::string(kPluginSecretPrefix) + std::string(view(name)));
    if (!r) return store_failure(ctx, r.error());
    if (!r->has_value()) return CHP_ERR_NOT_FOUND;
    ctx->services().redactor->add((*r)->value);
    if (out_version) *out_version = (*r)->version;
    sink(user, as_chp((*r)->value));
    return CHP_OK;
  });
}

chp_status_code secret_put_cb(chp_host_ctx* raw, chp_str name, chp_str value,
                              uint64_t expected_version) {
  InstanceContext* ctx = ctx_of(raw);
  if (!ctx) return CHP_ERR_PERMANENT;
  return guarded(ctx, [&]() -> chp_status_code {
    ctx->services().redactor->add(view(value));
    auto r = ctx->services().store->secret_put(
        ctx->name(), std::string(kPluginSecretPrefix) + std::string(view(name)), view(value),
        expected_version);
    return r ? CHP_OK : store_failure(ctx, r.error());
  });
}

void report_status_cb(chp_host_ctx* raw, chp_str message) {
  InstanceContext* ctx = ctx_of(raw);
  if (!ctx || !ctx->board()) return;
  guarded(ctx, [&] {
    ctx->board()->set_status_line(ctx->name(), ctx->services().redactor->redact(view(message)));
    return CHP_OK;
  });
}

const char* subject_state_name(chp_subject_state s) {
  switch (s) {
    case CHP_SUBJECT_ACTIVE:
      return "active";
    case CHP_SUBJECT_SUSPENDED:
      return "suspended";
    case CHP_SUBJECT_DISABLED:
      return "disabled";
    default:
      return nullptr;
  }
}

void report_subject_cb(chp_host_ctx* raw, chp_str subject_id, chp_str display_name,
                       chp_subject_state state, chp_str detail) {
  InstanceContext* ctx = ctx_of(raw);
  if (!ctx) return;
  guarded(ctx, [&] {
    const char* state_name = subject_state_name(state);
    if (!state_name || view(subject_id).empty()) {
      ctx->services().log->log(LogLevel::kWarn, ctx->name(),
                               "report_subject ignored: empty subject id or invalid state");
      return CHP_ERR_PERMANENT;
    }
    const RuntimeServices& sv = ctx->services();
    store::SubjectRecord row{std::string(view(subject_id)), sv.redactor->redact(view(display_name)),
                             state_name, sv.redactor->redact(view(detail)), sv.clock->now_ms()};
    if (Status s = sv.store->upsert_subject(ctx->name(), row); !s) {
      sv.log->log(LogLevel::kWarn, ctx->name(), "could not store subject: " + s.error().message);
    }
    if (ctx->board()) {
      ctx->board()->set_subject(
          ctx->name(), SubjectStatus{row.subject_id, row.display_name, row.state, row.detail,
                                     row.updated_at_ms});
    }
    return CHP_OK;
  });
}

bool valid_metric_name(std::string_view name) {
  if (name.empty() || name.size() > 200) return false;
  auto lower_or_us = [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; };
  if (!lower_or_us(name[0])) return false;
  return std::all_of(name.begin(), name.end(),
                     [&](char c) { return lower_or_us(c) || (c >= '0' && c <= '9'); });
}

template <typename F>
void metric(chp_host_ctx* raw, chp_str name, F&& f) {
  InstanceContext* ctx = ctx_of(raw);
  if (!ctx || !ctx->services().metrics) return;
  guarded(ctx, [&] {
    if (!valid_metric_name(view(name))) {
      ctx->services().log->log(LogLevel::kWarn, ctx->name(),
                               "metric ignored: name must match [a-z_][a-z0-9_]*");
      return CHP_ERR_PERMANENT;
    }
    f(*ctx->services().metrics, "chp_plugin_" + std::string(view(name)), ctx->name());
    return CHP_OK;
  });
}

void metric_add_cb(chp_host_ctx* raw, chp_str name, double delta) {
  metric(raw, name, [&](MetricsPort& m, const std::string& n, const std::string& c) {
    m.counter_add(n, c, delta);
  });
}

void metric_set_cb(chp_host_ctx* raw, chp_str name, double value) {
  metric(raw, name, [&](MetricsPort& m, const std::string& n, const std::string& c) {
    m.gauge_set(n, c, value);
  });
}

chp_status_code http_request_cb(chp_host_ctx* raw, chp_call* raw_call,
                                const chp_http_request* request,
                                const chp_http_response_sink* response, uint32_t* out_status) {
  InstanceContext* ctx = ctx_of(raw);
  if (!ctx || !raw_call || !request || !out_status) return CHP_ERR_PERMANENT;
  return guarded(ctx, [&]() -> chp_status_code {
    CallState* call = CallState::from(raw_call);
    const RuntimeServices& sv = ctx->services();
    if (!sv.http) {
      call->set_error("this host has no HTTP client");
      return CHP_ERR_UNSUPPORTED;
    }
    // A 1.0-1.4 plugin's sink ends before on_attempts: it never hears of them.
    const bool wants_attempts = response &&
                                CHP_HAS_MEMBER(response, chp_http_response_sink, on_attempts) &&
                                response->on_attempts;
    if (!CHP_HAS_MEMBER(request, chp_http_request, flags) ||
        (response && !CHP_HAS_MEMBER(response, chp_http_response_sink, on_body))) {
      call->set_error("http_request: request or response struct too small");
      return CHP_ERR_PERMANENT;
    }
    if (call->cancelled()) {
      call->set_error("http_request: the call was cancelled or its deadline passed");
      return CHP_ERR_CANCELLED;
    }
    HttpRequestSpec spec;
    spec.method = view(request->method);
    spec.url = view(request->url);
    for (size_t i = 0; request->headers && i < request->header_count; ++i) {
      spec.headers.emplace_back(view(request->headers[i].name), view(request->headers[i].value));
    }
    spec.body = view(request->body);
    spec.connector = ctx->name();
    uint64_t timeout_ms = request->timeout_ms ? request->timeout_ms : sv.http_default_timeout_ms;
    if (call->credential_call()) {
      // Sent means committed: the answer may carry a rotated refresh token (see CallState).
      call->note_request_sent();
      timeout_ms = std::max<uint64_t>(timeout_ms, call->response_bound_ms());
    } else {
      timeout_ms = std::min<uint64_t>(timeout_ms, call->remaining_ms());
    }
    spec.timeout_ms = static_cast<uint32_t>(std::max<uint64_t>(1, timeout_ms));
    spec.no_retry = (request->flags & CHP_HTTP_NO_RETRY) != 0;
    spec.body_is_secret = (request->flags & CHP_HTTP_BODY_IS_SECRET) != 0;

    HttpResponseHandler handler;
    if (response && response->on_header) {
      handler.on_header = [response](std::string_view n, std::string_view v) {
        response->on_header(response->user, as_chp(n), as_chp(v));
      };
    }
    if (response && response->on_body) {
      handler.on_body = [response](std::string_view chunk) {
        response->on_body(response->user, as_chp(chunk));
      };
    }
    static const std::atomic<bool> kNeverCancelled{false};
    auto r = sv.http->perform(spec, handler,
                              call->credential_call() ? kNeverCancelled : call->cancel_flag());
    if (!r) {
      call->set_error(sv.redactor->redact(r.error().message));
      return r.error().cls == ErrorClass::kCancelled ? CHP_ERR_CANCELLED : CHP_ERR_TRANSIENT;
    }
    *out_status = r->status;
    if (wants_attempts) response->on_attempts(response->user, r->attempts, r->waited_ms);
    return CHP_OK;
  });
}

chp_status_code connection_token_cb(chp_host_ctx* raw, chp_call* raw_call, uint32_t flags,
                                    chp_sink sink, void* user) {
  InstanceContext* ctx = ctx_of(raw);
  if (!ctx || !raw_call || !sink) return CHP_ERR_PERMANENT;
  return guarded(ctx, [&]() -> chp_status_code {
    CallState* call = CallState::from(raw_call);
    if (call->credential_call()) {
      call->set_error("connection_token is not available in authorize, refresh or disable");
      return CHP_ERR_UNSUPPORTED;
    }
    if (ctx->uses_connection().empty() || !ctx->connections()) {
      call->set_error("connector has no `uses:` connection configured");
      return CHP_ERR_UNSUPPORTED;
    }
    if (call->cancelled()) {
      call->set_error("connection_token: the call was cancelled or its deadline passed");
      return CHP_ERR_CANCELLED;
    }
    TokenRequest request;
    if (flags & CHP_TOKEN_REJECTED) {
      request.rejected_generation = ctx->last_token_generation().value_or(0);
    }
    request.deadline_steady_ms = call->deadline_steady_ms();
    request.cancelled = &call->cancel_flag();
    auto r = ctx->connections()->token(ctx->uses_connection(), request);
    if (!r) {
      if (r.error().cls == ErrorClass::kAuthRevoked) ctx->note_connection_lost();
      call->set_error(r.error().message);
      return status_code_of(r.error().cls);
    }
    ctx->set_last_token_generation(r->generation);
    sink(user, as_chp(r->json));
    return CHP_OK;
  });
}

void call_set_retry_after_cb(chp_call* call, uint64_t delay_ms) {
  if (call) CallState::from(call)->set_retry_after_ms(delay_ms);
}

chp_status_code remove_subject_cb(chp_host_ctx* raw, chp_str subject_id) {
  InstanceContext* ctx = ctx_of(raw);
  if (!ctx) return CHP_ERR_PERMANENT;
  return guarded(ctx, [&]() -> chp_status_code {
    const std::string_view id = view(subject_id);
    if (id.empty()) {
      ctx->services().log->log(LogLevel::kWarn, ctx->name(),
                               "remove_subject refused: empty subject id");
      return CHP_ERR_PERMANENT;
    }
    if (Status s = ctx->services().store->delete_subject(ctx->name(), id); !s) {
      return store_failure(ctx, s.error());
    }
    if (ctx->board()) ctx->board()->remove_subject(ctx->name(), id);
    return CHP_OK;
  });
}

chp_status_code record_list_ids_cb(chp_host_ctx* raw, chp_str collection, chp_str after_id,
                                   uint32_t limit, chp_sink sink, void* user) {
  InstanceContext* ctx = ctx_of(raw);
  if (!ctx || !sink) return CHP_ERR_PERMANENT;
  return guarded(ctx, [&]() -> chp_status_code {
    if (limit == 0) {
      ctx->services().log->log(LogLevel::kWarn, ctx->name(), "record_list_ids refused: limit 0");
      return CHP_ERR_PERMANENT;
    }
    auto r = ctx->services().store->list_record_ids(ctx->name(), view(collection), view(after_id),
                                                    limit);
    if (!r) return store_failure(ctx, r.error());
    for (const auto& id : *r) sink(user, as_chp(id));
    return CHP_OK;
  });
}

const chp_host kHost = {
    sizeof(chp_host),     CHP_ABI_MAJOR,        CHP_ABI_MINOR,       log_cb,
    call_cancelled_cb,    call_remaining_ms_cb, call_set_error_cb,   call_set_output_cb,
    state_get_cb,         txn_begin_cb,         txn_put_cb,          txn_delete_cb,
    txn_upsert_record_cb, txn_outbox_add_cb,    txn_outbox_done_cb,  txn_commit_cb,
    txn_rollback_cb,      record_get_cb,        outbox_pending_cb,   secret_get_cb,
    secret_put_cb,        report_status_cb,     report_subject_cb,   metric_add_cb,
    metric_set_cb,        http_request_cb,      connection_token_cb, call_set_retry_after_cb,
    remove_subject_cb,    record_list_ids_cb,
};

}  // namespace

const chp_host* host_callbacks() { return &kHost; }

}  // namespace chost::runtime
