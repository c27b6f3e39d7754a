// POST /v1.0/$batch: JSON batching as Graph documents it. At most 20 requests with unique ids;
// each runs through the same path as a direct call (token, scope, service limits, faults), in
// dependsOn order; a request whose dependency failed answers 424. Each response carries its
// own status, headers and body, so a 429 can sit beside 200s.
#include <algorithm>
#include <set>

#include <boost/json.hpp>

#include "chpeer/random_ids.h"
#include "graph_peer_state.h"

namespace chpeer::graph {
namespace {

namespace json = boost::json;

struct Step {
  std::string id;
  std::string method;
  std::string url;
  json::object headers;
  json::value body;
  std::vector<std::string> depends_on;
};

Response Invalid(const GraphCall& call, const std::string& message) {
  return GraphError(400, "BadRequest", message, call.ids);
}

std::optional<std::vector<Step>> ParseSteps(const json::value& payload, std::string* error) {
  const json::object* root = payload.if_object();
  const json::value* list = root ? root->if_contains("requests") : nullptr;
  if (!list || !list->is_array()) {
    *error = "Invalid batch payload format.";
    return std::nullopt;
  }
  if (list->as_array().size() > static_cast<std::size_t>(kMaxBatchRequests)) {
    *error = "The number of batch requests exceeds the limit of " +
             std::to_string(kMaxBatchRequests) + ".";
    return std::nullopt;
  }
  std::vector<Step> steps;
  std::set<std::string> ids;
  for (const auto& item : list->as_array()) {
    const json::object* o = item.if_object();
    Step step;
    if (o) {
      step.id = Str(*o, "id");
      step.method = Str(*o, "method");
      step.url = Str(*o, "url");
    }
    if (!o || step.id.empty() || step.method.empty() || step.url.empty()) {
      *error = "Invalid batch payload format.";
      return std::nullopt;
    }
    if (!ids.insert(ToLower(step.id)).second) {
      *error = "Batch request ids must be unique: '" + step.id + "'.";
      return std::nullopt;
    }
    if (const json::value* h = o->if_contains("headers"); h && h->is_object()) {
      step.headers = h->as_object();
    }
    if (const json::value* b = o->if_contains("body")) step.body = *b;
    if (!step.body.is_null() && !step.headers.contains("Content-Type") &&
        !step.headers.contains("content-type")) {
      *error = "Content-Type header is required when a body is specified ('" + step.id + "').";
      return std::nullopt;
    }
    if (const json::value* d = o->if_contains("dependsOn"); d && d->is_array()) {
      for (const auto& dep : d->as_array()) {
        if (dep.is_string()) step.depends_on.emplace_back(dep.as_string());
      }
    }
    steps.push_back(std::move(step));
  }
  for (const auto& step : steps) {
    for (const auto& dep : step.depends_on) {
      if (!ids.contains(ToLower(dep)) || EqualsIgnoreCase(dep, step.id)) {
        *error = "Request '" + step.id + "' depends on an unknown request '" + dep + "'.";
        return std::nullopt;
      }
    }
  }
  return steps;
}

GraphCall SubCall(const GraphCall& outer, const Step& step, std::int64_t now_ms) {
  GraphCall call;
  call.method = step.method;
  std::string url = step.url;
  if (!url.empty() && url.front() != '/') url = "/" + url;
  auto question = url.find('?');
  call.path = "/v1.0" + PercentDecode(url.substr(0, question), false);
  if (question != std::string::npos) call.query = ParseUrlEncoded(url.substr(question + 1));
  if (auto auth = outer.headers.find("Authorization"); auth != outer.headers.end()) {
    call.headers["Authorization"] = auth->second;
  }
  for (const auto& [k, v] : step.headers) {
    if (v.is_string()) call.headers[std::string(k)] = std::string(v.as_string());
  }
  if (!step.body.is_null()) call.body = json::serialize(step.body);
  call.ids = CallIds{NewGuid(), outer.ids.client_request_id, now_ms};
  call.hold_ms = outer.hold_ms;
  call.in_batch = true;
  return call;
}

json::object Entry(const std::string& id, const Response& r) {
  json::object headers;
  for (const char* name : {"Content-Type", "Retry-After", "Location", "Preference-Applied",
                           "WWW-Authenticate", "Cache-Control", "OData-Version"}) {
    auto it = r.headers.find(name);
    if (it != r.headers.end()) headers[name] = it->second;
  }
  json::object entry{{"id", id}, {"status", r.status}, {"headers", std::move(headers)}};
  if (!r.body.empty()) {
    boost::system::error_code ec;
    json::value parsed = json::parse(r.body, ec);
    entry["body"] = ec ? json::value(r.body) : parsed;
  }
  return entry;
}

}  // namespace

Response HandleBatch(PeerState& state, const GraphCall& call) {
  if (call.method != "POST") {
    return GraphError(405, "BadRequest",
                      "Specified HTTP method is not allowed for the request target.", call.ids);
  }
  boost::system::error_code ec;
  json::value payload = json::parse(call.body, ec);
  if (ec) return Invalid(call, "Invalid batch payload format.");
  std::string error;
  auto steps = ParseSteps(payload, &error);
  if (!steps) return Invalid(call, error);

  std::map<std::string, int> status_by_id;  // lower-case id -> status, once run
  std::map<std::string, json::object> entries;
  // Run every step whose dependencies have run; dependency cycles never become ready.
  for (bool progressed = true; progressed;) {
    progressed = false;
    for (const auto& step : *steps) {
      if (status_by_id.contains(ToLower(step.id))) continue;
      bool ready = std::all_of(step.depends_on.begin(), step.depends_on.end(),
                               [&](const auto& d) { return status_by_id.contains(ToLower(d)); });
      if (!ready) continue;
      progressed = true;
      bool failed_dependency =
          std::any_of(step.depends_on.begin(), step.depends_on.end(),
                      [&](const auto& d) { return status_by_id[ToLower(d)] >= 400; });
      GraphCall sub = SubCall(call, step, state.clock.NowMs());
      state.counters.Increment("batch_paths", sub.path);
      Response response;
      if (failed_dependency) {
        response = GraphError(424, "FailedDependency",
                              "The request depends on a request that failed.", sub.ids);
      } else {
        Request probe;
        probe.method = sub.method;
        probe.path = sub.path;
        auto fault = state.faults.Match(probe);
        if (fault && fault->status != 0) {
          state.counters.Increment("events", "faults_injected");
          response = *fault;
        } else {
          response = HandleGraph(state, sub);
        }
      }
      status_by_id[ToLower(step.id)] = response.status;
      entries[ToLower(step.id)] = Entry(step.id, response);
    }
  }
  json::array responses;
  for (const auto& step : *steps) {
    auto it = entries.find(ToLower(step.id));
    if (it != entries.end()) {
      responses.push_back(it->second);
    } else {
      Response cycle = GraphError(424, "FailedDependency",
                                  "The request depends on a request that never ran.", call.ids);
      responses.push_back(Entry(step.id, cycle));
    }
  }
  Response r = GraphJson(200, json::object{{"responses", std::move(responses)}}, call.ids);
  r.headers["Content-Type"] = "application/json";
  return r;
}

}  // namespace chpeer::graph
