// libFuzzer target: every SDK parser of what a network peer sends (sdk/include): OAuth token and
// error responses (oauth/token.hpp), Salesforce's token/userinfo answers (salesforce/oauth.hpp),
// API error bodies (salesforce/errors.hpp), query pages with nextRecordsUrl and the Date header,
// sObject Collections results, upsert and /limits answers (salesforce/client.hpp), the
// Sforce-Limit-Info header (salesforce/limits.hpp), Bulk API 2.0 job answers and CSV result sets
// (salesforce/bulk_query.hpp), the stream helper's checkpoint and pages (stream.hpp), the
// permission and user reads (salesforce/permissions.hpp), the connection token and grants
// (client.hpp, grant.hpp) and the JSON helpers (json.hpp) under all of them.
//
// Input: the first byte picks the scenario; the rest is a list of HTTP answers separated by
// "\n===\n", each "<status>[ Name: value[|Name: value]...]\n<body>" (status 200 when the first
// line does not start with digits). The FakeHost answers the client's requests with them in order
// and with 404 once they run out, so every loop is bounded. Any input must end in a chp::Error
// (the SDK's classified errors) or a result: a crash, UB, a hang or any other exception (e.g.
// std::out_of_range from an unchecked conversion) is a finding.
#include <connector_host/sdk/context.hpp>
#include <connector_host/sdk/grant.hpp>
#include <connector_host/sdk/json.hpp>
#include <connector_host/sdk/oauth/token.hpp>
#include <connector_host/sdk/salesforce/bulk_query.hpp>
#include <connector_host/sdk/salesforce/client.hpp>
#include <connector_host/sdk/salesforce/errors.hpp>
#include <connector_host/sdk/salesforce/limits.hpp>
#include <connector_host/sdk/salesforce/oauth.hpp>
#include <connector_host/sdk/salesforce/permissions.hpp>
#include <connector_host/sdk/stream.hpp>
#include <connector_host/testing/fake_call.hpp>
#include <connector_host/testing/fake_host.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using chp::testing::FakeHttpResponse;

constexpr std::string_view kSeparator = "\n===\n";
constexpr size_t kMaxAnswers = 64;

std::vector<FakeHttpResponse> split_answers(std::string_view in) {
  std::vector<FakeHttpResponse> out;
  while (out.size() < kMaxAnswers) {
    const size_t end = in.find(kSeparator);
    std::string_view part = in.substr(0, end);
    FakeHttpResponse r;
    const size_t nl = part.find('\n');
    std::string_view first = part.substr(0, nl);
    if (!first.empty() && first[0] >= '0' && first[0] <= '9') {
      uint32_t status = 0;
      size_t i = 0;
      for (; i < first.size() && i < 3 && first[i] >= '0' && first[i] <= '9'; ++i) {
        status = status * 10 + static_cast<uint32_t>(first[i] - '0');
      }
      r.http_status = status;
      std::string_view headers = first.substr(i);
      while (!headers.empty()) {
        if (headers[0] == ' ' || headers[0] == '|') {
          headers.remove_prefix(1);
          continue;
        }
        const size_t bar = headers.find('|');
        std::string_view h = headers.substr(0, bar);
        const size_t colon = h.find(": ");
        if (colon != std::string_view::npos) {
          r.headers.emplace_back(std::string(h.substr(0, colon)), std::string(h.substr(colon + 2)));
        }
        if (bar == std::string_view::npos) break;
        headers.remove_prefix(bar + 1);
      }
      part = nl == std::string_view::npos ? std::string_view() : part.substr(nl + 1);
    }
    r.body = std::string(part);
    out.push_back(std::move(r));
    if (end == std::string_view::npos) break;
    in.remove_prefix(end + kSeparator.size());
  }
  return out;
}

chp::http::Response to_response(const FakeHttpResponse& r) {
  chp::http::Response resp;
  resp.status = r.http_status;
  resp.headers = r.headers;
  resp.body = r.body;
  return resp;
}

const char* const kSession =
    R"({"access_token":"00D!fuzz","instance_url":"https://fuzz.my.salesforce.com"})";

void run(uint8_t scenario, const std::vector<FakeHttpResponse>& answers) {
  chp::testing::FakeHost host;
  size_t next = 0;
  host.set_http_handler([&](const chp::testing::FakeHttpRequest&) {
    if (next < answers.size()) return answers[next++];
    FakeHttpResponse gone;
    gone.http_status = 404;
    gone.body = R"([{"message":"gone","errorCode":"NOT_FOUND"}])";
    return gone;
  });
  host.set_connection_token(kSession);
  chp::Context ctx(chp::testing::FakeHost::table(), host.ctx());
  chp::testing::FakeCall fake_call;
  chp::Call call(chp::testing::FakeHost::table(), fake_call.get());
  const std::string& first = answers.front().body;

  switch (scenario % 12) {
    case 0: {  // RFC 6749 token and error responses
      (void)chp::oauth::parse_oauth_error(first);
      const chp::oauth::TokenResponse t = chp::oauth::parse_token_response(first);
      (void)t.expires_in_s;
      break;
    }
    case 1:  // a failed token request: classification of the error body
      chp::oauth::throw_oauth_error("refresh", to_response(answers.front()));
    case 2: {  // Salesforce API error bodies
      (void)chp::salesforce::parse_api_errors(first);
      chp::salesforce::throw_api_error("query", to_response(answers.front()));
    }
    case 3: {  // query / queryAll pages through nextRecordsUrl
      chp::salesforce::Client client(ctx, call, chp::salesforce::host_token_source(ctx, call));
      client.query_all("SELECT Id FROM Account",
                       [](chp::salesforce::QueryPage& page) { (void)page.records.size(); });
      break;
    }
    case 4: {  // sObject Collections results (one chunk of 3 records)
      chp::salesforce::Client client(ctx, call, chp::salesforce::host_token_source(ctx, call));
      boost::json::array records{boost::json::object{{"Name", "a"}},
                                 boost::json::object{{"Name", "b"}},
                                 boost::json::object{{"Name", "c"}}};
      for (const auto& r : client.composite_create("Account", records, false)) {
        (void)r.error_text();
      }
      break;
    }
    case 5: {  // upsert by external id, /limits, the quota header on each answer
      chp::salesforce::Client client(ctx, call, chp::salesforce::host_token_source(ctx, call));
      (void)client.upsert_by_external_id("Account", "Ext__c", "1", {{"Name", "a"}});
      (void)client.limits();
      break;
    }
    case 6: {  // grants and hook inputs (parsed at the ABI boundary)
      (void)chp::grant_from_json(std::string_view(first));
      const boost::json::object o = chp::parse_object(first, chp::ErrorClass::kPermanent, "input");
      (void)chp::parse_credentials_input(o);
      (void)chp::parse_authorize_input(o);
      break;
    }
    case 7: {  // the host's connection token, then one query on it
      host.set_connection_token(first);
      chp::salesforce::Client client(ctx, call, chp::salesforce::host_token_source(ctx, call));
      client.query("SELECT Id FROM Contact", [](chp::salesforce::QueryPage&) {});
      break;
    }
    case 8: {  // Bulk API 2.0: job info, then result sets (CSV, Sforce-Locator)
      chp::salesforce::Client client(ctx, call, chp::salesforce::host_token_source(ctx, call));
      chp::salesforce::BulkQuery bulk(client);
      if (!bulk.info("750fuzz")) break;
      std::string locator;
      for (int i = 0; i < 8; ++i) {
        auto set = bulk.results("750fuzz", locator, 1000);
        if (!set || set->next_locator.empty()) break;
        locator = set->next_locator;
      }
      break;
    }
    case 9: {  // Salesforce OAuth: token post (refresh) and userinfo
      chp::salesforce::OAuthClient oauth(
          ctx, call, {"https://login.salesforce.com", "client-id", "client-secret"});
      const chp::salesforce::TokenGrant g = oauth.refresh("5Aep-fuzz");
      (void)oauth.userinfo(g.token.access_token, g.instance_url);
      break;
    }
    case 10: {  // the permission and user reads (queries)
      chp::salesforce::Client client(ctx, call, chp::salesforce::host_token_source(ctx, call));
      (void)chp::salesforce::read_user_record(client, "005fuzz");
      (void)chp::salesforce::read_user_permissions(client, "005fuzz");
      break;
    }
    default: {  // the stream helper: a stored checkpoint, then pages read with the JSON helpers
      host.seed_state("stream.items", first);
      chp::StreamSpec spec;
      spec.name = "items";
      spec.max_pages = 16;
      spec.request = [](const chp::StreamPosition& p) {
        chp::http::Request r;
        r.url = "https://api.example.com/items?since=" + p.cursor;
        return r;
      };
      spec.parse_page = [](const chp::http::Response& resp) {
        const boost::json::object o =
            chp::parse_object(resp.body, chp::ErrorClass::kPermanent, "items page");
        chp::StreamPage page;
        if (auto items = o.if_contains("items"); items && items->is_array()) {
          page.records = items->as_array();
        }
        page.next_token = chp::optional_string(o, "next", chp::ErrorClass::kPermanent);
        (void)chp::optional_int(o, "count", 0, chp::ErrorClass::kPermanent);
        (void)chp::optional_bool(o, "more", false, chp::ErrorClass::kPermanent);
        (void)chp::optional_number(o, "score", 0, chp::ErrorClass::kPermanent);
        return page;
      };
      spec.record_id = [](const boost::json::object& r) {
        return chp::require_string(r, "id", chp::ErrorClass::kPermanent, "item");
      };
      spec.record_cursor = [](const boost::json::object& r) {
        return chp::optional_string(r, "updated", chp::ErrorClass::kPermanent, "item");
      };
      chp::IncrementalStream stream(ctx, std::move(spec));
      (void)stream.run(call);
      break;
    }
  }
  (void)chp::salesforce::parse_limit_info(first);
  (void)chp::salesforce::parse_http_date(first);
  (void)chp::salesforce::parse_sf_datetime(first);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::vector<FakeHttpResponse> answers =
      split_answers(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  try {
    run(data[0], answers);
  } catch (const chp::Error&) {
    // The documented outcome for a bad answer: a classified error naming what was read.
  }
  return 0;
}
