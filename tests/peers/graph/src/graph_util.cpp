// Error bodies, date/time text and IDs for the Graph peer.
#include "graph_util.h"

#include <boost/json.hpp>

#include "chpeer/iso8601.h"
#include "chpeer/random_ids.h"

namespace chpeer::graph {

namespace json = boost::json;

Response GraphJson(int status, const json::value& body, const CallIds& ids) {
  Response r;
  r.status = status;
  r.headers["Content-Type"] =
      "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;"
      "charset=utf-8";
  r.headers["OData-Version"] = "4.0";
  r.headers["Cache-Control"] = "no-cache";
  r.headers["request-id"] = ids.request_id;
  r.headers["client-request-id"] = ids.client_request_id;
  r.body = json::serialize(body);
  return r;
}

Response GraphError(int status, std::string_view code, std::string_view message,
                    const CallIds& ids) {
  json::object inner{{"date", FormatIso8601(ids.now_ms, 0, false)},
                     {"request-id", ids.request_id},
                     {"client-request-id", ids.client_request_id}};
  json::object error{{"code", code}, {"message", message}, {"innerError", std::move(inner)}};
  Response r = GraphJson(status, json::object{{"error", std::move(error)}}, ids);
  r.headers["Content-Type"] = "application/json";
  return r;
}

Response AadError(int status, std::string_view error, int aadsts, std::string_view text,
                  std::int64_t now_ms) {
  std::string trace_id = NewGuid();
  std::string correlation_id = NewGuid();
  // The identity platform's timestamp layout: "2016-01-09 02:02:12Z".
  std::string timestamp = FormatIso8601(now_ms, 0, true);
  timestamp[10] = ' ';
  std::string description = "AADSTS" + std::to_string(aadsts) + ": " + std::string(text) +
                            "\r\nTrace ID: " + trace_id + "\r\nCorrelation ID: " + correlation_id +
                            "\r\nTimestamp: " + timestamp;
  json::object body{
      {"error", error},
      {"error_description", description},
      {"error_codes", json::array{aadsts}},
      {"timestamp", timestamp},
      {"trace_id", trace_id},
      {"correlation_id", correlation_id},
      {"error_uri", "https://login.microsoftonline.com/error?code=" + std::to_string(aadsts)}};
  Response r = Response::Json(status, json::serialize(body));
  r.headers["Content-Type"] = "application/json; charset=utf-8";
  r.headers["Cache-Control"] = "no-store, no-cache";
  r.headers["x-ms-request-id"] = trace_id;
  return r;
}

std::string GraphDateTime(std::int64_t epoch_ms) { return FormatIso8601(epoch_ms, 0, true); }

std::string EventDateTime(std::int64_t epoch_ms) { return FormatIso8601(epoch_ms, 7, false); }

std::string NewItemId() { return "AAMkAD" + RandomUrlSafe(58) + "AAA="; }

std::string NewFolderId() { return "AQMkAD" + RandomUrlSafe(40) + "AAAA"; }

std::string NewChangeKey() { return "CQAAABYAAA" + RandomUrlSafe(22); }

std::string BodyText(const json::object& body) {
  std::string content = Str(body, "content");
  bool html = EqualsIgnoreCase(Str(body, "contentType"), "html");
  std::string text;
  bool in_tag = false;
  for (std::size_t i = 0; i < content.size(); ++i) {
    char c = content[i];
    if (html && c == '<') {
      in_tag = true;
      continue;
    }
    if (html && in_tag) {
      in_tag = c != '>';
      continue;
    }
    if (html && c == '&') {
      static constexpr std::pair<std::string_view, char> kEntities[] = {
          {"&amp;", '&'},  {"&lt;", '<'},   {"&gt;", '>'},
          {"&quot;", '"'}, {"&#39;", '\''}, {"&nbsp;", ' '}};
      for (const auto& [entity, ch] : kEntities) {
        if (std::string_view(content).substr(i, entity.size()) == entity) {
          c = ch;
          i += entity.size() - 1;
          break;
        }
      }
    }
    bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (!space) {
      text.push_back(c);
    } else if (!text.empty() && text.back() != ' ') {
      text.push_back(' ');
    }
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

std::string Str(const json::object& o, std::string_view key, std::string fallback) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : fallback;
}

std::int64_t Int(const json::object& o, std::string_view key, std::int64_t fallback) {
  const json::value* v = o.if_contains(key);
  if (!v || !v->is_number()) return fallback;
  boost::system::error_code ec;
  auto n = v->to_number<std::int64_t>(ec);
  return ec ? fallback : n;
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    auto item = text.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    start = end + 1;
  }
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ToLower(a) == ToLower(b);
}

}  // namespace chpeer::graph
