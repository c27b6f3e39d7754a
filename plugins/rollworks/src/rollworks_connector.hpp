// RollworksConnector: the `rollworks` plugin. Each sync runs both directions through the
// Salesforce connection this connector `uses:`:
//  - up: per object, Salesforce records changed since the SystemModstamp checkpoint (minus
//    the overlap) are batch-upserted to RollWorks by external_id = Salesforce Id;
//  - down: the RollWorks accounts change feed, from the stored cursor, is upserted into the
//    account data custom object by the RollWorks account id.
// Each direction keeps its own checkpoint in the host kv, committed only after the writes of
// its page: a crash repeats at most one page and never loses one; upserts make the repeat a
// no-op on both sides.
#ifndef PLUGINS_ROLLWORKS_ROLLWORKS_CONNECTOR_HPP_
#define PLUGINS_ROLLWORKS_ROLLWORKS_CONNECTOR_HPP_

#include <connector_host/sdk/salesforce/client.hpp>
#include <connector_host/sdk/sdk.hpp>

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "config.hpp"
#include "outbox.hpp"
#include "rollworks_client.hpp"

namespace rollworks {

// Counts of one object uploaded to RollWorks.
struct UpCounts {
  std::int64_t read = 0;  // Salesforce records read
  std::int64_t created = 0;
  std::int64_t updated = 0;
  std::int64_t unchanged = 0;
  std::int64_t echoes = 0;         // not sent: the same payload as the last one RollWorks took
  std::int64_t record_errors = 0;  // per-record `error` results (kept in the outbox)
  OutboxCounts outbox;
  std::string failure;  // whole-batch failure: the object stopped here
};

// Counts of a RollWorks change feed written to Salesforce.
struct DownCounts {
  std::int64_t received = 0;
  std::int64_t upserted = 0;         // written to the current target
  std::int64_t legacy_upserted = 0;  // written to the legacy target (dual write)
  std::int64_t record_errors = 0;    // Salesforce refused the record (kept in the outbox)
  std::int64_t resyncs = 0;          // feed restarted without a cursor (410 / invalid_cursor)
  std::int64_t unlinked = 0;         // contacts feed: no linked Contact/Lead to write to
  bool mapping_backfill = false;     // the mapping version changed: re-read from a snapshot
  OutboxCounts outbox;
  std::string failure;
};

class RollworksConnector : public chp::Connector {
 public:
  static constexpr chp::PluginInfo kInfo{
      "rollworks", "0.1.0",
      "RollWorks ABM: Salesforce Accounts, Contacts, Leads, Opportunities and Campaigns up as "
      "batch upserts, per-account "
      "ABM data down into a Salesforce custom object",
      kConfigSchemaJson, CHP_CAP_USES_CONNECTION | CHP_CAP_CHECKS_CONNECTION};

  static constexpr const char* kUpCheckpointPrefix = "up/";  // + object: newest SystemModstamp
  static constexpr const char* kDownCursorKey = "down/accounts/cursor";
  static constexpr const char* kDownContactsCursorKey = "down/contacts/cursor";
  static constexpr std::size_t kMaxFeedPages = 100'000;
  static constexpr const char* kMappingVersionKey = "down/accounts/mapping_version";
  static constexpr std::uint32_t kOutboxBatchEntries = 200;  // one sObject Collections call

  RollworksConnector(chp::Context& ctx, const boost::json::object& config);

  void sync(chp::Call& call, const boost::json::object& input) override;
  // The outbox collection of the RollWorks uploads of `object` ("rollworks-accounts", ...).
  static std::string up_collection(const std::string& object);
  // Only the ABI 1.3 step "check_connection": the user check a sync makes first, answered to
  // the admin who just authorized the Salesforce connection.
  void authorize(chp::Call& call, const boost::json::object& input) override;

 protected:
  // The wall clock in epoch seconds (outbox backoff, the mapping's dual-write period); tests
  // subclass and replace it.
  std::function<std::int64_t()> now_s_ = [] {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };

 private:
  void check_advertiser(RollworksClient& rw);
  UpCounts sync_up(chp::Call& call, chp::salesforce::Client& sf, RollworksClient& rw,
                   RecordOutbox& outbox, const std::string& object);
  // Sends `records` to RollWorks' `path`; answers one error text per record ("" = taken) and
  // counts the statuses, or throws nothing and sets counts.failure for a refused batch.
  std::vector<std::string> upload(RollworksClient& rw, const std::string& object,
                                  const boost::json::array& records, UpCounts& counts);
  DownCounts sync_down(chp::Call& call, chp::salesforce::Client& sf, RollworksClient& rw,
                       RecordOutbox& outbox, std::int64_t now_s);
  DownCounts sync_contacts(chp::Call& call, chp::salesforce::Client& sf, RollworksClient& rw,
                           RecordOutbox& outbox);
  // Writes one feed page; what it adds to `txn` commits together with the page's cursor.
  using FeedPageHandler = std::function<void(const boost::json::array&, chp::Transaction&)>;
  // Pages RollWorks' `feed` ("accounts", "contacts") change feed from the cursor in kv
  // `cursor_key` until has_more is false; 410 / invalid_cursor restarts it from a snapshot once.
  void read_feed(chp::Call& call, RollworksClient& rw, const std::string& feed,
                 const std::string& cursor_key, DownCounts& counts, const FeedPageHandler& on_page);
  // Every outbox collection the configuration writes.
  std::vector<std::string> outbox_collections() const;

  chp::Context& ctx_;
  Config config_;
};

// The SOQL of one up object: changed since `checkpoint` minus `overlap_s`.
std::string build_up_query(const std::string& object, const std::string& checkpoint,
                           std::int64_t overlap_s);
// The RollWorks record for one Salesforce row of `object`.
boost::json::object to_rollworks_record(const std::string& object, const boost::json::object& row);
// "https://www.Acme.com/x" -> "acme.com"; "" when nothing host-like is left.
std::string domain_from_website(std::string_view website);

}  // namespace rollworks

#endif  // PLUGINS_ROLLWORKS_ROLLWORKS_CONNECTOR_HPP_
