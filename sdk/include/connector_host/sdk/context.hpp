// chp::Context: the per-instance view of the host — logging, durable state, transactions,
// mirrored records, outbox, secrets, status, metrics, HTTP and the borrowed connection token.
// Thread-safe like the host callbacks it wraps; failures surface as chp::Error exceptions so
// that hook code reads straight through and the adapter maps them to a status.
#ifndef CONNECTOR_HOST_SDK_CONTEXT_HPP_
#define CONNECTOR_HOST_SDK_CONTEXT_HPP_

#include <connector_host/plugin_api.h>
#include <connector_host/sdk/call.hpp>
#include <connector_host/sdk/detail/abi_str.hpp>
#include <connector_host/sdk/error.hpp>
#include <connector_host/sdk/http/message.hpp>
#include <connector_host/sdk/json.hpp>
#include <connector_host/sdk/transaction.hpp>

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chp {

enum class LogLevel : chp_log_level {
  kTrace = CHP_LOG_TRACE,
  kDebug = CHP_LOG_DEBUG,
  kInfo = CHP_LOG_INFO,
  kWarn = CHP_LOG_WARN,
  kError = CHP_LOG_ERROR,
};

enum class SubjectState : chp_subject_state {
  kActive = CHP_SUBJECT_ACTIVE,
  kSuspended = CHP_SUBJECT_SUSPENDED,
  kDisabled = CHP_SUBJECT_DISABLED,
};

struct Secret {
  std::string value;
  std::uint64_t version = 0;  // pass back to secret_put as expected_version
};

struct OutboxEntry {
  std::int64_t entry_id = 0;
  std::string collection;
  std::string id;
  boost::json::value record;
};

class Context {
 public:
  Context(const chp_host* host, chp_host_ctx* ctx) noexcept : host_(host), ctx_(ctx) {}
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  // The host adds the connector name and redacts known secrets; still, log no secrets.
  void log(LogLevel level, std::string_view message) const noexcept {
    host_->log(ctx_, static_cast<chp_log_level>(level), detail::to_chp(message));
  }

  // --- durable key/value state ---

  std::optional<std::string> state_get(std::string_view key) const {
    std::string value;
    chp_status_code status =
        host_->state_get(ctx_, detail::to_chp(key), &detail::append_sink, &value);
    if (status == CHP_ERR_NOT_FOUND) return std::nullopt;
    if (status != CHP_OK) throw_for_status(status, "state get");
    return value;
  }

  // Opens a transaction; every write goes through one. Roll back is automatic unless
  // Transaction::commit() is reached.
  Transaction begin() const {
    chp_txn* txn = nullptr;
    chp_status_code status = host_->txn_begin(ctx_, &txn);
    if (status != CHP_OK || txn == nullptr) throw_for_status(status, "transaction begin");
    return Transaction(host_, txn, ctx_);
  }

  // --- mirrored records and outbox ---

  std::optional<boost::json::value> record_get(std::string_view collection,
                                               std::string_view id) const {
    std::string json;
    chp_status_code status = host_->record_get(ctx_, detail::to_chp(collection), detail::to_chp(id),
                                               &detail::append_sink, &json);
    if (status == CHP_ERR_NOT_FOUND) return std::nullopt;
    if (status != CHP_OK) throw_for_status(status, "record get");
    std::optional<boost::json::value> value = try_parse(json);
    if (!value) throw PermanentError("record get: stored record is not valid JSON");
    return value;
  }

  // One page of the live (not deleted) ids of a mirror collection greater than `after_id` (empty:
  // from the start), in ascending byte order, at most `limit` (> 0); fewer than `limit` means the
  // end. Committed data only. For reconciling the mirror against the ids the source still has.
  // Throws PermanentError("unsupported") in a 1.0-1.5 host (ABI 1.6 record_list_ids).
  std::vector<std::string> record_list_ids(std::string_view collection, std::string_view after_id,
                                           std::uint32_t limit) const {
    if (!CHP_HAS_MEMBER(host_, chp_host, record_list_ids) || host_->record_list_ids == nullptr) {
      throw PermanentError("record list ids: unsupported by this host (needs plugin ABI 1.6)");
    }
    if (limit == 0) throw PermanentError("record list ids: limit must be at least 1");
    std::vector<std::string> ids;
    auto sink = [](void* user, chp_str data) noexcept {
      try {
        static_cast<std::vector<std::string>*>(user)->emplace_back(detail::from_chp(data));
      } catch (...) {
      }
    };
    chp_status_code status = host_->record_list_ids(ctx_, detail::to_chp(collection),
                                                    detail::to_chp(after_id), limit, sink, &ids);
    if (status != CHP_OK) throw_for_status(status, "record list ids");
    return ids;
  }

  std::vector<OutboxEntry> outbox_pending(std::uint32_t limit) const {
    std::vector<std::string> raw;
    auto sink = [](void* user, chp_str data) noexcept {
      try {
        static_cast<std::vector<std::string>*>(user)->emplace_back(detail::from_chp(data));
      } catch (...) {
      }
    };
    chp_status_code status = host_->outbox_pending(ctx_, limit, sink, &raw);
    if (status != CHP_OK) throw_for_status(status, "outbox pending");
    std::vector<OutboxEntry> entries;
    entries.reserve(raw.size());
    for (const std::string& text : raw) {
      boost::json::object obj = parse_object(text, ErrorClass::kPermanent, "outbox entry");
      OutboxEntry entry;
      entry.entry_id = optional_int(obj, "entry_id", 0, ErrorClass::kPermanent);
      entry.collection = optional_string(obj, "collection", ErrorClass::kPermanent).value_or("");
      entry.id = optional_string(obj, "id", ErrorClass::kPermanent).value_or("");
      if (const boost::json::value* r = obj.if_contains("record")) entry.record = *r;
      entries.push_back(std::move(entry));
    }
    return entries;
  }

  // --- secrets (encrypted at rest, never logged) ---

  std::optional<Secret> secret_get(std::string_view name) const {
    Secret secret;
    chp_status_code status = host_->secret_get(ctx_, detail::to_chp(name), &detail::append_sink,
                                               &secret.value, &secret.version);
    if (status == CHP_ERR_NOT_FOUND) return std::nullopt;
    if (status != CHP_OK) throw_for_status(status, "secret get");
    return secret;
  }

  // Compare-and-swap: stores `value` only if the secret is still at `expected_version`
  // (0: must not exist yet). Returns false when another writer won; re-read and retry.
  bool secret_put(std::string_view name, std::string_view value,
                  std::uint64_t expected_version) const {
    chp_status_code status =
        host_->secret_put(ctx_, detail::to_chp(name), detail::to_chp(value), expected_version);
    if (status == CHP_ERR_CONFLICT) return false;
    if (status != CHP_OK) throw_for_status(status, "secret put");
    return true;
  }

  // --- status and metrics ---

  void report_status(std::string_view message) const noexcept {
    host_->report_status(ctx_, detail::to_chp(message));
  }
  void report_subject(std::string_view subject_id, std::string_view display_name,
                      SubjectState state, std::string_view detail_text = {}) const noexcept {
    host_->report_subject(ctx_, detail::to_chp(subject_id), detail::to_chp(display_name),
                          static_cast<chp_subject_state>(state), detail::to_chp(detail_text));
  }
  // Removes a subject this instance reported (e.g. a user who left): its status row and the
  // admin's switch for it go from the host (ABI 1.5 remove_subject; idempotent). The host does
  // not know which kv keys and records are the subject's: delete those in a transaction and
  // commit it BEFORE calling this, so a crash in between leaves a row the next run removes
  // again, never a row without its checkpoint. Throws PermanentError("unsupported") in a
  // 1.0-1.4 host.
  void remove_subject(std::string_view subject_id) const {
    if (!CHP_HAS_MEMBER(host_, chp_host, remove_subject) || host_->remove_subject == nullptr) {
      throw PermanentError("remove subject: unsupported by this host (needs plugin ABI 1.5)");
    }
    chp_status_code status = host_->remove_subject(ctx_, detail::to_chp(subject_id));
    if (status != CHP_OK) throw_for_status(status, "remove subject");
  }
  // `name` must match [a-z_][a-z0-9_]*; the host prefixes and labels it.
  void metric_add(std::string_view name, double delta) const noexcept {
    host_->metric_add(ctx_, detail::to_chp(name), delta);
  }
  void metric_set(std::string_view name, double value) const noexcept {
    host_->metric_set(ctx_, detail::to_chp(name), value);
  }

  // --- HTTP through the host's client ---

  // Any received response is returned whatever its status. Transport failures throw
  // TransientError, cancellation CancelledError; the host's reason is what the admin sees
  // (Error::host_reason_attached). Messages never carry the query string, which often holds
  // tokens.
  http::Response http(const Call& call, const http::Request& request) const {
    std::vector<chp_http_header> headers;
    headers.reserve(request.headers.size());
    for (const auto& [name, value] : request.headers) {
      headers.push_back(chp_http_header{detail::to_chp(name), detail::to_chp(value)});
    }
    chp_http_request req{};
    req.struct_size = sizeof(chp_http_request);
    req.abi_major = CHP_ABI_MAJOR;
    req.abi_minor = CHP_ABI_MINOR;
    req.method = detail::to_chp(request.method);
    req.url = detail::to_chp(request.url);
    req.headers = headers.data();
    req.header_count = headers.size();
    req.body = detail::to_chp(request.body);
    req.timeout_ms = request.timeout_ms;
    req.flags = (request.no_retry ? CHP_HTTP_NO_RETRY : 0u) |
                (request.body_is_secret ? CHP_HTTP_BODY_IS_SECRET : 0u);

    http::Response response;
    chp_http_response_sink sink{};
    sink.struct_size = sizeof(chp_http_response_sink);
    sink.abi_major = CHP_ABI_MAJOR;
    sink.abi_minor = CHP_ABI_MINOR;
    sink.user = &response;
    sink.on_header = [](void* user, chp_str name, chp_str value) noexcept {
      try {
        static_cast<http::Response*>(user)->headers.emplace_back(detail::from_chp(name),
                                                                 detail::from_chp(value));
      } catch (...) {
      }
    };
    sink.on_body = [](void* user, chp_str chunk) noexcept {
      try {
        static_cast<http::Response*>(user)->body.append(detail::from_chp(chunk));
      } catch (...) {
      }
    };
    sink.on_attempts = [](void* user, std::uint32_t attempts, std::uint64_t waited_ms) noexcept {
      static_cast<http::Response*>(user)->attempts = attempts;
      static_cast<http::Response*>(user)->waited_ms = waited_ms;
    };
    std::uint32_t http_status = 0;
    chp_status_code status = host_->http_request(ctx_, call.raw(), &req, &sink, &http_status);
    if (status == CHP_OK) {
      response.status = http_status;
      return response;
    }
    std::string what = request.method + " " + redact_query(request.url);
    if (status == CHP_ERR_TRANSIENT) what += ": no response";
    throw_for_host_call(call, status, what);
  }

  // --- borrowed connection (CHP_CAP_USES_CONNECTION) ---

  // The connection's access token and public part, e.g. {"access_token", "token_type",
  // "instance_url"}: of the connection this connector `uses:`, or of its own when it provides
  // one (a provider's sync gets its token here too, never from its own refresh). Returns at
  // once or waits for the host's single-flight refresh, at most until this call's deadline or
  // cancellation (then CancelledError). Pass `rejected` = true after the last token got an
  // HTTP 401: the host refreshes once and returns the new one. AuthRevokedError when the
  // connection is not connected (the host suspends this instance until it is). On failure
  // the host's reason (e.g. "refresh failed, retrying in 30 s: ...") is what the admin sees;
  // what() only names the operation (see Error::host_reason_attached).
  boost::json::object connection_token(const Call& call, bool rejected = false) const {
    std::string json;
    chp_status_code status = host_->connection_token(
        ctx_, call.raw(), rejected ? CHP_TOKEN_REJECTED : 0u, &detail::append_sink, &json);
    if (status != CHP_OK) throw_for_host_call(call, status, "connection token");
    return parse_object(json, ErrorClass::kPermanent, "connection token");
  }

  const chp_host* host() const noexcept { return host_; }
  chp_host_ctx* raw() const noexcept { return ctx_; }

 private:
  // A failed callback that took `call`: the host attached its reason to the call unless there
  // was no call to attach it to.
  [[noreturn]] static void throw_for_host_call(const Call& call, chp_status_code status,
                                               const std::string& what) {
    if (call.raw() == nullptr) throw_for_status(status, what);
    throw_for_call_status(status, what);
  }

  static std::string redact_query(std::string_view url) {
    std::size_t cut = url.find_first_of("?#");
    return std::string(url.substr(0, cut));
  }

  const chp_host* host_;
  chp_host_ctx* ctx_;
};

}  // namespace chp

#endif  // CONNECTOR_HOST_SDK_CONTEXT_HPP_
