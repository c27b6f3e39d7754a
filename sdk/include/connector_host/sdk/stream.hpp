// chp::IncrementalStream: the paged, checkpointed sync loop most REST sources need, so a
// connector only says how to ask for a page, how to read one and what a record's id and cursor
// are. The helper pages, mirrors each page's records together with its checkpoint in ONE
// Transaction, resumes an interrupted run where it stopped, honours cancellation and the
// deadline, and counts records that changed versus records it only re-read.
//
// Checkpoint (state key "stream.<name>", JSON, owned by the helper):
//   {"cursor": C, "high": H, "next": T}
//   cursor  the cursor of the last COMPLETE run: what a new run asks for ("since" C);
//   high    the highest record cursor seen by the run in progress;
//   next    the next page token of the run in progress (absent between runs).
// While a run pages, `cursor` stays put and only `high` and `next` advance, so an API that does
// not return records in cursor order cannot make a restart skip any. A run that finishes sets
// cursor = high. A run that is interrupted (crash, cancel, deadline, error) resumes from `next`
// with the same `cursor`, without reading its committed pages again.
#ifndef CONNECTOR_HOST_SDK_STREAM_HPP_
#define CONNECTOR_HOST_SDK_STREAM_HPP_

#include <connector_host/sdk/call.hpp>
#include <connector_host/sdk/context.hpp>
#include <connector_host/sdk/error.hpp>
#include <connector_host/sdk/http/message.hpp>
#include <connector_host/sdk/json.hpp>
#include <connector_host/sdk/transaction.hpp>

#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>

namespace chp {

// Where a page request starts: `cursor` is the committed cursor ("" on the very first run),
// `page_token` the next-page token of the page before (std::nullopt for a run's first page).
struct StreamPosition {
  std::string cursor;
  std::optional<std::string> page_token;
  bool resumed = false;  // this run continues an interrupted one
};

// One page as the connector read it from a response.
struct StreamPage {
  boost::json::array records;             // each must be a JSON object
  std::optional<std::string> next_token;  // std::nullopt (or empty): the last page
};

// What a run did; also its sync summary (to_json).
struct StreamResult {
  std::int64_t pages = 0;
  std::int64_t records = 0;    // every record read
  std::int64_t changed = 0;    // new or different from the mirror: written
  std::int64_t unchanged = 0;  // equal to the mirrored record: re-read, not written again
  std::string cursor;          // the committed cursor after the run
  bool complete = false;       // false: stopped before the last page (page limit / deadline)
  bool resumed = false;        // started from an interrupted run's page token

  boost::json::object to_json() const {
    return {{"pages", pages},         {"records", records}, {"changed", changed},
            {"unchanged", unchanged}, {"cursor", cursor},   {"complete", complete},
            {"resumed", resumed}};
  }
};

// Sends a request; the default is Context::http. An Authenticator (http/authenticator.hpp)
// plugs in here to attach a token and retry once after a 401.
using StreamSend = std::function<http::Response(const Call&, const http::Request&)>;

struct StreamSpec {
  std::string name;        // [a-z0-9_]+; names the checkpoint "stream.<name>"
  std::string collection;  // mirror collection (table); empty: `name`
  // The request for the page at `position`.
  std::function<http::Request(const StreamPosition& position)> request;
  // Reads a 2xx response into records and the next page token. Throw PermanentError for a
  // body that is not what the API documents.
  std::function<StreamPage(const http::Response& response)> parse_page;
  // A record's id (required) and cursor (std::nullopt: the record does not move the cursor).
  // Cursors compare as strings: use fixed-width forms (ISO 8601 UTC, zero-padded numbers).
  std::function<std::string(const boost::json::object& record)> record_id;
  std::function<std::optional<std::string>(const boost::json::object& record)> record_cursor;
  // Optional: true marks the record soft-deleted in the mirror.
  std::function<bool(const boost::json::object& record)> record_deleted;
  StreamSend send;  // empty: Context::http

  std::int64_t max_pages = 10'000;  // per run: a server that loops on "next" cannot hang a sync
  // A page after the first is not started with less than this left before the deadline: the
  // run stops cleanly (complete = false) and the next run resumes, instead of being cut
  // mid-page.
  std::uint64_t min_page_budget_ms = 2'000;
};

class IncrementalStream {
 public:
  IncrementalStream(Context& ctx, StreamSpec spec) : ctx_(ctx), spec_(std::move(spec)) {
    if (spec_.name.empty()) throw PermanentError("stream: a name is required");
    if (spec_.collection.empty()) spec_.collection = spec_.name;
    if (!spec_.request || !spec_.parse_page || !spec_.record_id) {
      throw PermanentError("stream '" + spec_.name +
                           "': request, parse_page and record_id are required");
    }
    if (spec_.max_pages < 1) throw PermanentError("stream '" + spec_.name + "': max_pages < 1");
  }

  std::string checkpoint_key() const { return "stream." + spec_.name; }

  // The committed cursor ("" before the first complete run).
  std::string cursor() const { return load().cursor; }

  // Forgets the checkpoint: the next run reads everything again (e.g. after the API said the
  // cursor is too old).
  void reset() {
    Transaction txn = ctx_.begin();
    txn.del(checkpoint_key());
    txn.commit();
  }

  // One run. Throws CancelledError when cancelled (committed pages stay), the classes of
  // http::raise_for_status for failed responses, and what the connector's callbacks throw.
  StreamResult run(const Call& call) {
    Checkpoint cp = load();
    StreamResult result;
    result.resumed = cp.next.has_value();
    StreamPosition position{cp.cursor, cp.next, result.resumed};
    while (true) {
      call.throw_if_cancelled();
      // The first page always runs (a deadline shorter than the budget must not make every run
      // an empty success); later ones stop cleanly, and the checkpoint says where to resume.
      if (result.pages >= spec_.max_pages ||
          (result.pages > 0 && call.remaining_ms() < spec_.min_page_budget_ms)) {
        break;
      }
      http::Request request = spec_.request(position);
      http::Response response = spec_.send ? spec_.send(call, request) : ctx_.http(call, request);
      http::raise_for_status(response, "stream '" + spec_.name + "'");
      StreamPage page = spec_.parse_page(response);
      if (page.next_token && page.next_token->empty()) page.next_token.reset();
      if (page.next_token && position.page_token && *page.next_token == *position.page_token) {
        throw PermanentError("stream '" + spec_.name +
                             "': the server returned the same next page token again");
      }
      commit_page(page, cp, result);
      ++result.pages;
      if (!page.next_token) {
        result.complete = true;
        break;
      }
      position.page_token = page.next_token;
    }
    result.cursor = cp.cursor;
    return result;
  }

 private:
  struct Checkpoint {
    std::string cursor;
    std::string high;
    std::optional<std::string> next;
  };

  Checkpoint load() const {
    Checkpoint cp;
    std::optional<std::string> text = ctx_.state_get(checkpoint_key());
    if (!text) return cp;
    boost::json::object obj = parse_object(*text, ErrorClass::kPermanent, checkpoint_key());
    cp.cursor = optional_string(obj, "cursor", ErrorClass::kPermanent).value_or("");
    cp.high = optional_string(obj, "high", ErrorClass::kPermanent).value_or(cp.cursor);
    cp.next = optional_string(obj, "next", ErrorClass::kPermanent);
    return cp;
  }

  void commit_page(const StreamPage& page, Checkpoint& cp, StreamResult& result) {
    Checkpoint after = cp;
    std::int64_t changed = 0;
    std::int64_t unchanged = 0;
    Transaction txn = ctx_.begin();
    for (const boost::json::value& v : page.records) {
      if (!v.is_object()) {
        throw PermanentError("stream '" + spec_.name + "': a record is not a JSON object");
      }
      const boost::json::object& record = v.as_object();
      std::string id = spec_.record_id(record);
      if (id.empty()) throw PermanentError("stream '" + spec_.name + "': a record has no id");
      if (spec_.record_cursor) {
        std::optional<std::string> c = spec_.record_cursor(record);
        if (c && *c > after.high) after.high = *c;
      }
      bool deleted = spec_.record_deleted && spec_.record_deleted(record);
      std::optional<boost::json::value> mirrored = ctx_.record_get(spec_.collection, id);
      if (!deleted && mirrored && *mirrored == v) {
        ++unchanged;
        continue;
      }
      txn.upsert_record(spec_.collection, id, v, deleted);
      ++changed;
    }
    after.next = page.next_token;
    if (!after.next) after.cursor = after.high;  // the run is complete
    boost::json::object state{{"cursor", after.cursor}, {"high", after.high}};
    if (after.next) state["next"] = *after.next;
    txn.put(checkpoint_key(), boost::json::serialize(state));
    txn.commit();
    cp = std::move(after);
    result.records += changed + unchanged;
    result.changed += changed;
    result.unchanged += unchanged;
  }

  Context& ctx_;
  StreamSpec spec_;
};

}  // namespace chp

#endif  // CONNECTOR_HOST_SDK_STREAM_HPP_
