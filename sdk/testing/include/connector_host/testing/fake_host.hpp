// chp::testing::FakeHost: an in-memory implementation of the whole chp_host table for plugin
// unit tests and the conformance runner — state with transactions, mirrored records, outbox,
// secrets with compare-and-swap, status, subjects, metrics, logs, HTTP through a pluggable
// handler and a settable connection token. Thread-safe like the real host.
#ifndef CONNECTOR_HOST_TESTING_FAKE_HOST_HPP_
#define CONNECTOR_HOST_TESTING_FAKE_HOST_HPP_

#include <connector_host/plugin_api.h>
#include <connector_host/sdk/grant.hpp>
#include <connector_host/testing/fake_call.hpp>

#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chp::testing {

struct FakeHttpRequest {
  std::string method;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::uint32_t timeout_ms = 0;
  std::uint32_t flags = 0;
};

struct FakeHttpResponse {
  chp_status_code status = CHP_OK;  // CHP_ERR_TRANSIENT simulates a transport failure
  std::uint32_t http_status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // What the host's client spent on the request (its own retries of a 429/5xx): reported
  // through the response sink's on_attempts (ABI 1.5) as the real host does.
  std::uint32_t attempts = 1;
  std::uint64_t waited_ms = 0;
};

using FakeHttpHandler = std::function<FakeHttpResponse(const FakeHttpRequest&)>;

struct FakeRecord {
  std::string json;
  bool deleted = false;
};

struct FakeOutboxEntry {
  std::string collection;
  std::string id;
  std::string json;
  std::string error;  // set by outbox_done with an error: parked, not offered again
};

struct FakeSubject {
  std::string display_name;
  chp_subject_state state = CHP_SUBJECT_ACTIVE;
  std::string detail;
};

struct FakeLogLine {
  chp_log_level level = CHP_LOG_INFO;
  std::string message;
};

class FakeHost {
 public:
  FakeHost() = default;
  FakeHost(const FakeHost&) = delete;
  FakeHost& operator=(const FakeHost&) = delete;

  // The callback table shared by every FakeHost; callbacks find their FakeHost via ctx().
  static const chp_host* table() noexcept { return &kTable; }
  chp_host_ctx* ctx() noexcept { return reinterpret_cast<chp_host_ctx*>(this); }

  // --- configuring the fake ---
  void set_http_handler(FakeHttpHandler handler) {
    std::lock_guard lock(mu_);
    http_handler_ = std::move(handler);
  }
  // The JSON connection_token hands out; std::nullopt: not connected (AUTH_REVOKED).
  void set_connection_token(std::optional<std::string> json) {
    std::lock_guard lock(mu_);
    token_json_ = std::move(json);
    token_failure_.reset();
  }
  // What the host's connection_token hands out once it stored `grant`: the public connection
  // with the access token and token type from the credentials.
  void set_connection_token_from_grant(const chp::Grant& grant) {
    boost::json::object token = grant.connection;
    const boost::json::value* at = grant.credentials.if_contains("access_token");
    token["access_token"] = at != nullptr ? *at : boost::json::value("");
    if (const boost::json::value* tt = grant.credentials.if_contains("token_type")) {
      token["token_type"] = *tt;
    } else if (!token.contains("token_type")) {
      token["token_type"] = "Bearer";
    }
    set_connection_token(boost::json::serialize(token));
  }
  // connection_token fails with `status`, attaching `reason` to the call as the host does
  // (e.g. CHP_ERR_TRANSIENT, "refresh failed, retrying in 30 s"). Cleared by
  // set_connection_token.
  void fail_connection_token(chp_status_code status, std::string reason) {
    std::lock_guard lock(mu_);
    token_failure_ = std::make_pair(status, std::move(reason));
  }
  // Status the next commits return (CHP_OK by default), to test failure paths.
  void set_commit_status(chp_status_code status) {
    std::lock_guard lock(mu_);
    commit_status_ = status;
  }
  void seed_state(std::string key, std::string value) {
    std::lock_guard lock(mu_);
    state_[std::move(key)] = std::move(value);
  }
  std::int64_t seed_outbox(std::string collection, std::string id, std::string json) {
    std::lock_guard lock(mu_);
    std::int64_t entry_id = next_outbox_id_++;
    outbox_[entry_id] = FakeOutboxEntry{std::move(collection), std::move(id), std::move(json), {}};
    return entry_id;
  }

  // --- inspecting what the plugin did (copies, taken under the lock) ---
  std::map<std::string, std::string> state() const { return locked(state_); }
  std::optional<std::string> state_value(const std::string& key) const {
    std::lock_guard lock(mu_);
    auto it = state_.find(key);
    return it == state_.end() ? std::nullopt : std::optional<std::string>(it->second);
  }
  std::map<std::pair<std::string, std::string>, FakeRecord> records() const {
    return locked(records_);
  }
  std::map<std::int64_t, FakeOutboxEntry> outbox() const { return locked(outbox_); }
  std::optional<std::pair<std::string, std::uint64_t>> secret(const std::string& name) const {
    std::lock_guard lock(mu_);
    auto it = secrets_.find(name);
    if (it == secrets_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<std::string> statuses() const { return locked(statuses_); }
  std::map<std::string, FakeSubject> subjects() const { return locked(subjects_); }
  // remove_subject calls (ABI 1.5) that reached the host.
  std::size_t removed_subjects() const {
    std::lock_guard lock(mu_);
    return removed_subjects_;
  }
  std::map<std::string, double> metrics() const { return locked(metrics_); }
  std::vector<FakeLogLine> logs() const { return locked(logs_); }
  std::vector<FakeHttpRequest> http_requests() const { return locked(http_requests_); }
  std::uint32_t rejected_token_reports() const { return locked(rejected_token_reports_); }
  std::size_t open_transactions() const {
    std::lock_guard lock(mu_);
    return open_txns_.size();
  }
  std::size_t commits() const { return locked(commits_); }
  std::size_t rollbacks() const { return locked(rollbacks_); }

 private:
  // Writes are staged in the transaction and applied atomically on commit.
  struct Txn {
    FakeHost* host;
    std::vector<std::function<void(FakeHost&)>> ops;
  };

  template <typename V>
  V locked(const V& v) const {
    std::lock_guard lock(mu_);
    return v;
  }
  static FakeHost* self(chp_host_ctx* ctx) noexcept { return reinterpret_cast<FakeHost*>(ctx); }
  static Txn* txn_of(chp_txn* txn) noexcept { return reinterpret_cast<Txn*>(txn); }
  static std::string str(chp_str s) {
    return s.ptr == nullptr ? std::string() : std::string(s.ptr, s.len);
  }
  static void emit(chp_sink sink, void* user, const std::string& value) {
    sink(user, chp_str{value.data(), value.size()});
  }

  static void on_log(chp_host_ctx* ctx, chp_log_level level, chp_str message) {
    FakeHost* h = self(ctx);
    std::lock_guard lock(h->mu_);
    h->logs_.push_back(FakeLogLine{level, str(message)});
  }

  static chp_status_code on_state_get(chp_host_ctx* ctx, chp_str key, chp_sink sink, void* user) {
    std::optional<std::string> value = self(ctx)->state_value(str(key));
    if (!value) return CHP_ERR_NOT_FOUND;
    emit(sink, user, *value);
    return CHP_OK;
  }

  static chp_status_code on_txn_begin(chp_host_ctx* ctx, chp_txn** out_txn) {
    FakeHost* h = self(ctx);
    auto txn = std::make_unique<Txn>(Txn{h, {}});
    *out_txn = reinterpret_cast<chp_txn*>(txn.get());
    std::lock_guard lock(h->mu_);
    h->open_txns_[txn.get()] = std::move(txn);
    return CHP_OK;
  }
  static chp_status_code stage(chp_txn* txn, std::function<void(FakeHost&)> op) {
    txn_of(txn)->ops.push_back(std::move(op));
    return CHP_OK;
  }
  static chp_status_code on_txn_put(chp_txn* txn, chp_str key, chp_str value) {
    return stage(txn, [k = str(key), v = str(value)](FakeHost& h) { h.state_[k] = v; });
  }
  static chp_status_code on_txn_delete(chp_txn* txn, chp_str key) {
    return stage(txn, [k = str(key)](FakeHost& h) { h.state_.erase(k); });
  }
  static chp_status_code on_txn_upsert_record(chp_txn* txn, chp_str collection, chp_str id,
                                              chp_str json, int deleted) {
    return stage(txn,
                 [c = str(collection), i = str(id), j = str(json), d = deleted != 0](FakeHost& h) {
                   h.records_[{c, i}] = FakeRecord{j, d};
                 });
  }
  static chp_status_code on_txn_outbox_add(chp_txn* txn, chp_str collection, chp_str id,
                                           chp_str json) {
    return stage(txn, [c = str(collection), i = str(id), j = str(json)](FakeHost& h) {
      h.outbox_[h.next_outbox_id_++] = FakeOutboxEntry{c, i, j, {}};
    });
  }
  static chp_status_code on_txn_outbox_done(chp_txn* txn, std::int64_t entry_id, chp_str error) {
    return stage(txn, [entry_id, e = str(error)](FakeHost& h) {
      auto it = h.outbox_.find(entry_id);
      if (it == h.outbox_.end()) return;
      if (e.empty()) {
        h.outbox_.erase(it);
      } else {
        it->second.error = e;
      }
    });
  }
  // Ends the transaction (frees it) whatever the outcome, as the ABI says.
  static chp_status_code on_txn_commit(chp_txn* txn) {
    Txn* t = txn_of(txn);
    FakeHost& h = *t->host;
    std::lock_guard lock(h.mu_);
    auto node = h.open_txns_.extract(t);
    if (node.empty()) return CHP_ERR_PERMANENT;  // unknown or already ended
    if (h.commit_status_ != CHP_OK) {
      ++h.rollbacks_;
      return h.commit_status_;
    }
    for (auto& op : node.mapped()->ops) op(h);
    ++h.commits_;
    return CHP_OK;
  }
  static void on_txn_rollback(chp_txn* txn) {
    Txn* t = txn_of(txn);
    FakeHost& h = *t->host;
    std::lock_guard lock(h.mu_);
    if (h.open_txns_.erase(t) != 0) ++h.rollbacks_;
  }

  static chp_status_code on_record_get(chp_host_ctx* ctx, chp_str collection, chp_str id,
                                       chp_sink sink, void* user) {
    FakeHost* h = self(ctx);
    std::string json;
    {
      std::lock_guard lock(h->mu_);
      auto it = h->records_.find({str(collection), str(id)});
      if (it == h->records_.end()) return CHP_ERR_NOT_FOUND;
      json = it->second.json;
    }
    emit(sink, user, json);
    return CHP_OK;
  }
  // ABI 1.6: live ids of a collection after `after_id`, in byte order, as the real host lists
  // them (records_ is keyed by (collection, id), so a map walk is already that order).
  static chp_status_code on_record_list_ids(chp_host_ctx* ctx, chp_str collection, chp_str after_id,
                                            std::uint32_t limit, chp_sink sink, void* user) {
    if (limit == 0 || sink == nullptr) return CHP_ERR_PERMANENT;
    FakeHost* h = self(ctx);
    std::vector<std::string> ids;
    {
      std::lock_guard lock(h->mu_);
      const std::string c = str(collection);
      for (auto it = h->records_.upper_bound({c, str(after_id)});
           it != h->records_.end() && it->first.first == c && ids.size() < limit; ++it) {
        if (!it->second.deleted) ids.push_back(it->first.second);
      }
    }
    for (const std::string& id : ids) emit(sink, user, id);
    return CHP_OK;
  }
  static chp_status_code on_outbox_pending(chp_host_ctx* ctx, std::uint32_t limit, chp_sink sink,
                                           void* user) {
    FakeHost* h = self(ctx);
    std::vector<std::string> entries;
    {
      std::lock_guard lock(h->mu_);
      for (const auto& [entry_id, e] : h->outbox_) {
        if (entries.size() >= limit) break;
        if (!e.error.empty()) continue;
        // collection and id are plugin-chosen identifiers; escape only what JSON requires.
        entries.push_back("{\"entry_id\":" + std::to_string(entry_id) +
                          ",\"collection\":" + quote(e.collection) + ",\"id\":" + quote(e.id) +
                          ",\"record\":" + e.json + "}");
      }
    }
    for (const std::string& entry : entries) emit(sink, user, entry);
    return CHP_OK;
  }
  static std::string quote(const std::string& s) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "\"";
    for (unsigned char c : s) {
      if (c == '"' || c == '\\') {
        out.push_back('\\');
        out.push_back(static_cast<char>(c));
      } else if (c < 0x20) {
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
      } else {
        out.push_back(static_cast<char>(c));
      }
    }
    return out + "\"";
  }

  static chp_status_code on_secret_get(chp_host_ctx* ctx, chp_str name, chp_sink sink, void* user,
                                       std::uint64_t* out_version) {
    std::optional<std::pair<std::string, std::uint64_t>> s = self(ctx)->secret(str(name));
    if (!s) return CHP_ERR_NOT_FOUND;
    if (out_version != nullptr) *out_version = s->second;
    emit(sink, user, s->first);
    return CHP_OK;
  }
  static chp_status_code on_secret_put(chp_host_ctx* ctx, chp_str name, chp_str value,
                                       std::uint64_t expected_version) {
    FakeHost* h = self(ctx);
    std::lock_guard lock(h->mu_);
    auto it = h->secrets_.find(str(name));
    std::uint64_t current = it == h->secrets_.end() ? 0 : it->second.second;
    if (current != expected_version) return CHP_ERR_CONFLICT;
    h->secrets_[str(name)] = {str(value), current + 1};
    return CHP_OK;
  }

  static void on_report_status(chp_host_ctx* ctx, chp_str message) {
    FakeHost* h = self(ctx);
    std::lock_guard lock(h->mu_);
    h->statuses_.push_back(str(message));
  }
  static void on_report_subject(chp_host_ctx* ctx, chp_str subject_id, chp_str display_name,
                                chp_subject_state state, chp_str detail) {
    FakeHost* h = self(ctx);
    std::lock_guard lock(h->mu_);
    h->subjects_[str(subject_id)] = FakeSubject{str(display_name), state, str(detail)};
  }
  static void on_metric_add(chp_host_ctx* ctx, chp_str name, double delta) {
    FakeHost* h = self(ctx);
    std::lock_guard lock(h->mu_);
    h->metrics_[str(name)] += delta;
  }
  static void on_metric_set(chp_host_ctx* ctx, chp_str name, double value) {
    FakeHost* h = self(ctx);
    std::lock_guard lock(h->mu_);
    h->metrics_[str(name)] = value;
  }

  static chp_status_code on_http_request(chp_host_ctx* ctx, chp_call* call,
                                         const chp_http_request* request,
                                         const chp_http_response_sink* response,
                                         std::uint32_t* out_status) {
    FakeHost* h = self(ctx);
    if (call != nullptr && FakeCall::on_cancelled(call) != 0) {
      set_error(call, "HTTP request cancelled");
      return CHP_ERR_CANCELLED;
    }
    FakeHttpRequest req{str(request->method), str(request->url),   {},
                        str(request->body),   request->timeout_ms, request->flags};
    for (std::size_t i = 0; i < request->header_count; ++i) {
      req.headers.emplace_back(str(request->headers[i].name), str(request->headers[i].value));
    }
    FakeHttpHandler handler;
    {
      std::lock_guard lock(h->mu_);
      h->http_requests_.push_back(req);
      handler = h->http_handler_;
    }
    if (!handler) {
      set_error(call, "FakeHost: no HTTP handler installed");
      return CHP_ERR_TRANSIENT;
    }
    FakeHttpResponse resp = handler(req);
    if (resp.status != CHP_OK) {
      set_error(call, "FakeHost: simulated transport failure");
      return resp.status;
    }
    for (const auto& [name, value] : resp.headers) {
      response->on_header(response->user, chp_str{name.data(), name.size()},
                          chp_str{value.data(), value.size()});
    }
    if (!resp.body.empty()) {
      response->on_body(response->user, chp_str{resp.body.data(), resp.body.size()});
    }
    if (CHP_HAS_MEMBER(response, chp_http_response_sink, on_attempts) &&
        response->on_attempts != nullptr) {
      response->on_attempts(response->user, resp.attempts, resp.waited_ms);
    }
    *out_status = resp.http_status;
    return CHP_OK;
  }
  static void set_error(chp_call* call, std::string_view message) {
    if (call != nullptr) FakeCall::on_set_error(call, chp_str{message.data(), message.size()});
  }

  static chp_status_code on_connection_token(chp_host_ctx* ctx, chp_call* call, std::uint32_t flags,
                                             chp_sink sink, void* user) {
    FakeHost* h = self(ctx);
    std::optional<std::string> token;
    std::optional<std::pair<chp_status_code, std::string>> failure;
    {
      std::lock_guard lock(h->mu_);
      if ((flags & CHP_TOKEN_REJECTED) != 0) ++h->rejected_token_reports_;
      token = h->token_json_;
      failure = h->token_failure_;
    }
    if (failure) {
      set_error(call, failure->second);
      return failure->first;
    }
    if (!token) {
      set_error(call, "FakeHost: connection is not connected");
      return CHP_ERR_AUTH_REVOKED;
    }
    emit(sink, user, *token);
    return CHP_OK;
  }

  static chp_status_code on_remove_subject(chp_host_ctx* ctx, chp_str subject_id) {
    if (subject_id.len == 0) return CHP_ERR_PERMANENT;
    FakeHost* h = self(ctx);
    std::lock_guard lock(h->mu_);
    h->subjects_.erase(str(subject_id));
    ++h->removed_subjects_;
    return CHP_OK;
  }

  static constexpr chp_host kTable{sizeof(chp_host),
                                   CHP_ABI_MAJOR,
                                   CHP_ABI_MINOR,
                                   &on_log,
                                   &FakeCall::on_cancelled,
                                   &FakeCall::on_remaining_ms,
                                   &FakeCall::on_set_error,
                                   &FakeCall::on_set_output,
                                   &on_state_get,
                                   &on_txn_begin,
                                   &on_txn_put,
                                   &on_txn_delete,
                                   &on_txn_upsert_record,
                                   &on_txn_outbox_add,
                                   &on_txn_outbox_done,
                                   &on_txn_commit,
                                   &on_txn_rollback,
                                   &on_record_get,
                                   &on_outbox_pending,
                                   &on_secret_get,
                                   &on_secret_put,
                                   &on_report_status,
                                   &on_report_subject,
                                   &on_metric_add,
                                   &on_metric_set,
                                   &on_http_request,
                                   &on_connection_token,
                                   &FakeCall::on_set_retry_after,
                                   &on_remove_subject,
                                   &on_record_list_ids};

  mutable std::mutex mu_;
  std::map<std::string, std::string> state_;
  std::map<std::pair<std::string, std::string>, FakeRecord> records_;
  std::map<std::int64_t, FakeOutboxEntry> outbox_;
  std::int64_t next_outbox_id_ = 1;
  std::map<std::string, std::pair<std::string, std::uint64_t>> secrets_;
  std::vector<std::string> statuses_;
  std::map<std::string, FakeSubject> subjects_;
  std::map<std::string, double> metrics_;
  std::vector<FakeLogLine> logs_;
  std::vector<FakeHttpRequest> http_requests_;
  FakeHttpHandler http_handler_;
  std::optional<std::string> token_json_;
  std::optional<std::pair<chp_status_code, std::string>> token_failure_;
  std::uint32_t rejected_token_reports_ = 0;
  std::size_t removed_subjects_ = 0;
  chp_status_code commit_status_ = CHP_OK;
  std::size_t commits_ = 0;
  std::size_t rollbacks_ = 0;
  std::map<Txn*, std::unique_ptr<Txn>> open_txns_;  // left-open ones are freed with the host
};

}  // namespace chp::testing

#endif  // CONNECTOR_HOST_TESTING_FAKE_HOST_HPP_
