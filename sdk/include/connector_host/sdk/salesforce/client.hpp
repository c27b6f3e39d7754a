// chp::salesforce::Client: the Salesforce REST API client shared by every connector that
// talks to Salesforce (salesforce, rg-sync, rollworks). Runs on chp::Context::http(), so the
// host's proxy/CA/timeouts/redaction apply. It provides:
//  - query / query_all: SOQL iterated page by page through `nextRecordsUrl`; the callback gets
//    one page at a time and the client never holds more than one page.
//  - composite_create / composite_update / composite_upsert: sObject Collections, chunked by
//    200 records (the API maximum) with one RecordResult per input record, in input order.
//    `all_or_none` applies per chunk of 200 (that is what Salesforce offers).
//  - upsert_by_external_id (one record), limits().
//  - Session handling: the access token comes from a TokenSource (normally the host's
//    connection_token). On HTTP 401 the client reports the token as rejected once (the host
//    refreshes single-flight) and retries once; a second 401 is AuthRevokedError.
//  - Quota protection: every response's `Sforce-Limit-Info: api-usage=N/M` is tracked and
//    calls are refused with TransientError once usage reaches the configured threshold.
//  - Errors: non-2xx answers become classified chp errors (see errors.hpp).
#ifndef CONNECTOR_HOST_SDK_SALESFORCE_CLIENT_HPP_
#define CONNECTOR_HOST_SDK_SALESFORCE_CLIENT_HPP_

#include <connector_host/sdk/call.hpp>
#include <connector_host/sdk/context.hpp>
#include <connector_host/sdk/error.hpp>
#include <connector_host/sdk/http/message.hpp>
#include <connector_host/sdk/http/url.hpp>
#include <connector_host/sdk/salesforce/errors.hpp>
#include <connector_host/sdk/salesforce/limits.hpp>
#include <connector_host/sdk/salesforce/soql_time.hpp>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chp::salesforce {

// The public half of a Salesforce session.
struct Connection {
  std::string access_token;
  std::string instance_url;  // https://<my domain>.my.salesforce.com, no trailing slash
  std::string token_type = "Bearer";
};

// Reads {"access_token","instance_url","token_type"} (the shape connection_token returns).
inline Connection connection_from_json(const boost::json::object& o) {
  Connection c;
  c.access_token = optional_string(o, "access_token", ErrorClass::kPermanent).value_or("");
  c.instance_url = optional_string(o, "instance_url", ErrorClass::kPermanent).value_or("");
  c.token_type = optional_string(o, "token_type", ErrorClass::kPermanent).value_or("Bearer");
  while (!c.instance_url.empty() && c.instance_url.back() == '/') c.instance_url.pop_back();
  if (c.access_token.empty() || c.instance_url.empty()) {
    throw PermanentError("Salesforce connection lacks access_token or instance_url");
  }
  return c;
}

// Supplies the session; `rejected` = true means the last one got a 401 and a fresh one is
// needed.
using TokenSource = std::function<Connection(bool rejected)>;

// The host-owned connection (the connector's own, or the one it `use:`s).
inline TokenSource host_token_source(const Context& ctx, const Call& call) {
  return [&ctx, &call](bool rejected) {
    return connection_from_json(ctx.connection_token(call, rejected));
  };
}

// A fixed session (e.g. right after a token exchange, before the host stored it). A 401 on
// it cannot be refreshed and ends as AuthRevokedError.
inline TokenSource fixed_token_source(Connection connection) {
  return [connection = std::move(connection)](bool rejected) -> Connection {
    if (rejected) throw AuthRevokedError("Salesforce rejected the newly issued access token");
    return connection;
  };
}

struct ClientOptions {
  std::string api_version = "59.0";
  double api_usage_threshold_percent = 90.0;  // refuse calls at/over this share of the quota
  std::uint32_t page_size_records = 2000;     // Sforce-Query-Options batchSize (200..2000)
  std::uint32_t timeout_ms = 0;               // per request; 0 = host default
};

// One page of a query: its records (owned by the page; move them out if needed).
struct QueryPage {
  boost::json::array records;
  std::int64_t total_size = 0;  // of the whole result set
  bool done = false;            // last page
  std::size_t page_index = 0;   // 0-based
  // The server's clock when it answered this page (its `Date` header), epoch seconds; absent
  // when the response had none. Page 0's is when the query's result set was taken.
  std::optional<std::int64_t> server_time_s;
};
using PageHandler = std::function<void(QueryPage& page)>;

// Outcome for one record of a Collections request.
struct RecordResult {
  std::string id;
  bool success = false;
  bool created = false;
  std::vector<ApiError> errors;
  std::string error_text() const {
    std::string out;
    for (const ApiError& e : errors) out += (out.empty() ? "" : "; ") + e.to_string();
    return out;
  }
};

class Client {
 public:
  static constexpr std::size_t kCollectionChunkRecords = 200;  // sObject Collections maximum

  Client(const Context& ctx, const Call& call, TokenSource tokens, ClientOptions options = {})
      : ctx_(ctx),
        call_(call),
        tokens_(std::move(tokens)),
        options_(std::move(options)),
        guard_(options_.api_usage_threshold_percent) {}

  // "/services/data/v59.0/<rest>"
  std::string data_path(std::string_view rest) const {
    return "/services/data/v" + options_.api_version + "/" + std::string(rest);
  }

  // One REST call with session handling, quota guard and error mapping. `path_or_url` is a
  // path on the instance ("/services/data/...") or an absolute URL. Returns 2xx responses;
  // throws the classified error otherwise. `what` names the operation in messages.
  http::Response send(std::string_view method, std::string_view path_or_url, std::string body,
                      std::string_view what, const http::Headers& extra_headers = {}) {
    http::Response resp = exchange(method, path_or_url, std::move(body), what, extra_headers);
    if (!resp.ok()) throw_api_error(what, resp);
    return resp;
  }

  // send() for a resource that may be gone: std::nullopt on 404 (e.g. a Bulk API job that
  // Salesforce deleted), the classified error for any other failure.
  std::optional<http::Response> send_unless_not_found(std::string_view method,
                                                      std::string_view path_or_url,
                                                      std::string_view what,
                                                      const http::Headers& extra_headers = {}) {
    http::Response resp = exchange(method, path_or_url, {}, what, extra_headers);
    if (resp.status == 404) return std::nullopt;
    if (!resp.ok()) throw_api_error(what, resp);
    return resp;
  }

  // One exchange with session handling and the quota guard; any status but 401 is returned.
  // An `Accept` in `extra_headers` replaces the default application/json.
  http::Response exchange(std::string_view method, std::string_view path_or_url, std::string body,
                          std::string_view what, const http::Headers& extra_headers = {}) {
    guard_.check_before_call();
    bool own_accept = std::any_of(extra_headers.begin(), extra_headers.end(),
                                  [](const auto& h) { return http::iequals(h.first, "Accept"); });
    if (!connection_) connection_ = tokens_(false);
    for (int attempt = 0;; ++attempt) {
      http::Request req;
      req.method = std::string(method);
      req.url = path_or_url.starts_with("/") ? connection_->instance_url + std::string(path_or_url)
                                             : std::string(path_or_url);
      req.headers.emplace_back("Authorization",
                               connection_->token_type + " " + connection_->access_token);
      if (!own_accept) req.headers.emplace_back("Accept", "application/json");
      if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
      for (const auto& h : extra_headers) req.headers.push_back(h);
      req.body = body;
      req.timeout_ms = options_.timeout_ms;
      // Writes must not be replayed by the transport: a lost response would duplicate them.
      req.no_retry = method != "GET";
      http::Response resp = ctx_.http(call_, req);
      ++api_calls_;
      guard_.observe(resp);
      if (resp.status == 401) {
        if (attempt == 0) {
          connection_ = tokens_(true);  // host refreshes single-flight, then we retry once
          continue;
        }
        throw AuthRevokedError(std::string(what) +
                               ": Salesforce rejected the session again after a refresh "
                               "(INVALID_SESSION_ID); re-authorize the connection");
      }
      return resp;
    }
  }

  boost::json::value get_json(std::string_view path_or_url, std::string_view what) {
    http::Response resp = send("GET", path_or_url, {}, what);
    std::optional<boost::json::value> v = try_parse(resp.body);
    if (!v) throw PermanentError(std::string(what) + ": response is not JSON");
    return std::move(*v);
  }

  // SOQL over live records, page by page.
  void query(std::string_view soql, const PageHandler& on_page) {
    run_query("query", soql, on_page);
  }
  // Same, including deleted and archived records (IsDeleted = true rows).
  void query_all(std::string_view soql, const PageHandler& on_page) {
    run_query("queryAll", soql, on_page);
  }

  std::vector<RecordResult> composite_create(std::string_view type,
                                             const boost::json::array& records, bool all_or_none) {
    return collections("POST", data_path("composite/sobjects"), type, records, all_or_none,
                       "create " + std::string(type));
  }
  // Each record must carry "Id".
  std::vector<RecordResult> composite_update(std::string_view type,
                                             const boost::json::array& records, bool all_or_none) {
    return collections("PATCH", data_path("composite/sobjects"), type, records, all_or_none,
                       "update " + std::string(type));
  }
  // Upsert matched on `external_id_field`, which each record must carry.
  std::vector<RecordResult> composite_upsert(std::string_view type,
                                             std::string_view external_id_field,
                                             const boost::json::array& records, bool all_or_none) {
    return collections("PATCH",
                       data_path("composite/sobjects/" + http::url_encode(type) + "/" +
                                 http::url_encode(external_id_field)),
                       type, records, all_or_none, "upsert " + std::string(type));
  }

  // PATCH /sobjects/<type>/<field>/<value>: 201 created (with id), 204/200 updated.
  RecordResult upsert_by_external_id(std::string_view type, std::string_view field,
                                     std::string_view value, const boost::json::object& record) {
    http::Response resp = send("PATCH",
                               data_path("sobjects/" + http::url_encode(type) + "/" +
                                         http::url_encode(field) + "/" + http::url_encode(value)),
                               boost::json::serialize(record), "upsert " + std::string(type));
    RecordResult r;
    r.success = true;
    r.created = resp.status == 201;
    if (std::optional<boost::json::value> v = try_parse(resp.body); v && v->is_object()) {
      if (const boost::json::value* id = v->as_object().if_contains("id"); id && id->is_string()) {
        r.id = std::string(id->as_string());
      }
    }
    return r;
  }

  // GET /limits: {"DailyApiRequests":{"Max":..,"Remaining":..}, ...}
  boost::json::object limits() {
    boost::json::value v = get_json(data_path("limits"), "limits");
    if (!v.is_object()) throw PermanentError("limits: response is not a JSON object");
    return std::move(v.as_object());
  }

  const ApiUsageGuard& usage() const noexcept { return guard_; }
  std::uint64_t api_calls() const noexcept { return api_calls_; }
  const ClientOptions& options() const noexcept { return options_; }

 private:
  // Moves the page's records out with their storage (a move assignment into an array of
  // another storage would copy them).
  static boost::json::array take_records(boost::json::object& page) {
    if (boost::json::value* r = page.if_contains("records"); r && r->is_array()) {
      return boost::json::array(std::move(r->as_array()));
    }
    return {};
  }

  void run_query(std::string_view resource, std::string_view soql, const PageHandler& on_page) {
    std::string what = std::string(resource) + " (" + soql_object(soql) + ")";
    std::uint32_t batch = std::clamp<std::uint32_t>(options_.page_size_records, 200, 2000);
    http::Headers headers{{"Sforce-Query-Options", "batchSize=" + std::to_string(batch)}};
    std::string next = data_path(resource) + "?q=" + http::url_encode(soql);
    for (std::size_t page_index = 0;; ++page_index) {
      call_.throw_if_cancelled();
      http::Response resp = send("GET", next, {}, what, headers);
      // The page's values live in one arena freed with the page (records moved out keep it
      // alive): a page of 2,000 records is parsed without one allocation per key and string.
      std::optional<boost::json::value> v = try_parse(
          resp.body, boost::json::make_shared_resource<boost::json::monotonic_resource>());
      if (!v || !v->is_object()) throw PermanentError(what + ": response is not a JSON object");
      boost::json::object& o = v->as_object();
      QueryPage page{take_records(o), /*total_size=*/0, /*done=*/false, page_index, std::nullopt};
      if (std::optional<std::string> date = resp.header("Date")) {
        page.server_time_s = parse_http_date(*date);
      }
      if (const boost::json::value* t = o.if_contains("totalSize"); t && t->is_int64()) {
        page.total_size = t->as_int64();
      }
      const boost::json::value* d = o.if_contains("done");
      const boost::json::value* n = o.if_contains("nextRecordsUrl");
      bool has_next = n != nullptr && n->is_string() && !n->as_string().empty();
      page.done = (d != nullptr && d->is_bool() && d->as_bool()) || !has_next;
      std::string next_url = has_next ? std::string(n->as_string()) : std::string();
      on_page(page);
      if (page.done) return;
      next = std::move(next_url);
    }
  }

  std::vector<RecordResult> collections(std::string_view method, const std::string& path,
                                        std::string_view type, const boost::json::array& records,
                                        bool all_or_none, const std::string& what) {
    std::vector<RecordResult> results;
    results.reserve(records.size());
    for (std::size_t start = 0; start < records.size(); start += kCollectionChunkRecords) {
      call_.throw_if_cancelled();
      std::size_t end = std::min(records.size(), start + kCollectionChunkRecords);
      boost::json::array chunk;
      chunk.reserve(end - start);
      for (std::size_t i = start; i < end; ++i) {
        boost::json::object rec =
            records[i].is_object() ? records[i].as_object() : boost::json::object{};
        if (!rec.contains("attributes")) rec["attributes"] = boost::json::object{{"type", type}};
        chunk.push_back(std::move(rec));
      }
      boost::json::object body{{"allOrNone", all_or_none}, {"records", std::move(chunk)}};
      http::Response resp = send(method, path, boost::json::serialize(body), what);
      std::optional<boost::json::value> v = try_parse(resp.body);
      if (!v || !v->is_array() || v->as_array().size() != end - start) {
        throw PermanentError(what + ": Collections response does not have one result per record");
      }
      for (const boost::json::value& item : v->as_array()) {
        RecordResult r;
        if (item.is_object()) {
          const boost::json::object& o = item.as_object();
          if (const auto* id = o.if_contains("id"); id && id->is_string()) {
            r.id = std::string(id->as_string());
          }
          if (const auto* s = o.if_contains("success"); s && s->is_bool()) r.success = s->as_bool();
          if (const auto* c = o.if_contains("created"); c && c->is_bool()) r.created = c->as_bool();
          if (const auto* e = o.if_contains("errors"); e && e->is_array()) {
            for (const boost::json::value& err : e->as_array()) {
              if (err.is_object()) r.errors.push_back(parse_api_error_object(err.as_object()));
            }
          }
        }
        if (!r.success && r.errors.empty()) r.errors.push_back(ApiError{"UNKNOWN_ERROR", "", {}});
        results.push_back(std::move(r));
      }
    }
    return results;
  }

  // The object a SOQL statement reads ("FROM X"), for messages; "?" when not found.
  static std::string soql_object(std::string_view soql) {
    std::string upper(soql);
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    std::size_t pos = upper.find(" FROM ");
    if (pos == std::string::npos) return "?";
    std::size_t start = pos + 6;
    std::size_t end = soql.find_first_of(" \t\n", start);
    return std::string(soql.substr(start, end == std::string_view::npos ? end : end - start));
  }

  const Context& ctx_;
  const Call& call_;
  TokenSource tokens_;
  ClientOptions options_;
  ApiUsageGuard guard_;
  std::optional<Connection> connection_;
  std::uint64_t api_calls_ = 0;
};

}  // namespace chp::salesforce

#endif  // CONNECTOR_HOST_SDK_SALESFORCE_CLIENT_HPP_
