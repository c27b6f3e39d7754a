// GraphClient: Microsoft Graph with app-only access (OAuth 2.0 client credentials), on the
// host's HTTP client. One access token serves every mailbox until shortly before its
// `expires_in`; a 401 gets one new token and one retry. 429 and 503 wait the `Retry-After`
// Graph sends (bounded by the call's deadline and `max_wait_ms`) and try again, at most
// three times. Answers other than 2xx come back as a GraphResponse with Graph's error code and
// message, for the caller to attribute to the user they concern.
#ifndef PLUGINS_RG_SYNC_GRAPH_CLIENT_HPP_
#define PLUGINS_RG_SYNC_GRAPH_CLIENT_HPP_

#include <connector_host/sdk/sdk.hpp>

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "config.hpp"

namespace rgsync {

struct GraphToken {
  std::string access_token;
  std::chrono::steady_clock::time_point expires_at{};
};

// What a connector keeps between syncs: the token, and when each mailbox was last asked, for
// Outlook's budget of 10,000 requests per 10 minutes per mailbox and app. Graph's links name a
// mailbox by its object id while the first request of a round names it by email: `alias` maps
// each other spelling seen in a link to the key the mailbox is counted under.
struct GraphState {
  GraphToken token;
  std::map<std::string, std::deque<std::chrono::steady_clock::time_point>> recent_by_mailbox;
  std::map<std::string, std::string> alias;
};

// One GET of a JSON batch: its URL (absolute, or a path under graph_url) and Prefer header.
struct BatchGet {
  std::string url;
  std::string prefer;
};

struct GraphResponse {
  std::uint32_t status = 0;
  boost::json::object body;  // parsed 2xx body; for errors, whatever JSON came back
  std::string code;          // error.code, e.g. ErrorAccessDenied, syncStateNotFound
  std::string message;       // error.message
  bool ok() const noexcept { return status >= 200 && status < 300; }
  // "<status> <code>: <message>" for an admin.
  std::string error_text() const;
};

// Graph's answers for an expired or unknown delta token (410 Gone, syncStateNotFound, ...):
// the client starts a new round from the initial query.
bool needs_resync(const GraphResponse& r);

// What a failed Graph answer means for the user whose mailbox it concerns, in the admin's words.
std::string describe_mailbox_error(const GraphResponse& r);

class GraphClient {
 public:
  // `state` is kept by the connector across syncs. `mailbox_budget`: requests per mailbox in
  // any 10 minutes; one more is answered here with 429 ClientBudgetExceeded, not sent.
  GraphClient(const chp::Context& ctx, const chp::Call& call, const GraphApp& app,
              GraphState& state, std::size_t mailbox_budget = kMailboxBudget)
      : ctx_(ctx),
        call_(call),
        app_(app),
        token_(state.token),
        state_(state),
        mailbox_budget_(mailbox_budget) {}

  static constexpr std::size_t kMailboxBudget = 10'000;  // per 10 minutes (Outlook's limit)

  // Gets a token when there is none or it is about to expire. Throws ConfigError when the
  // identity platform refuses the app (wrong secret, tenant or consent), naming its error.
  void ensure_token();

  // GET `url` (absolute, or a path under graph_url) with `prefer` as the Prefer header.
  // A 2xx answer prefetched for this URL (see prefetch) is returned without a request.
  GraphResponse get(const std::string& url, const std::string& prefer = "");

  // Asks for these GETs in JSON batches of at most kBatchMax (POST /v1.0/$batch), keeping
  // each answer a second ask would repeat (2xx; 4xx but 401 and 429) for the next get() of its
  // URL. 401, 429 and 5xx inside the batch are not kept: get() asks again and handles them as
  // usual, so batching changes only the count.
  void prefetch(const std::vector<BatchGet>& gets);
  static constexpr std::size_t kBatchMax = 20;  // Graph's limit per $batch

  std::uint64_t calls() const noexcept { return calls_; }
  std::uint64_t throttled() const noexcept { return throttled_; }

  static constexpr std::int64_t kMaxWaitMs = 60'000;  // longest Retry-After waited in a sync

 private:
  void fetch_token();
  // Counts one request against its mailbox's 10-minute budget; false when it is used up.
  bool spend(const std::string& full_url);
  // Records that the links in a 2xx `body` answered for `full_url` name the same mailbox.
  void learn_alias(const std::string& full_url, const boost::json::object& body);
  // Sleeps `ms`, waking for cancellation; CancelledError when cancelled or past the deadline.

  const chp::Context& ctx_;
  const chp::Call& call_;
  const GraphApp& app_;
  GraphToken& token_;
  GraphState& state_;
  std::size_t mailbox_budget_;
  std::uint64_t calls_ = 0;
  std::map<std::string, GraphResponse> prefetched_;  // by full URL
  std::uint64_t throttled_ = 0;
};

}  // namespace rgsync

#endif  // PLUGINS_RG_SYNC_GRAPH_CLIENT_HPP_
