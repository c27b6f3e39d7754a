// RgSyncConnector: the `rg-sync` plugin. Every entitled end user is connected to Salesforce
// through the ONE service connection this connector `uses:` (no end-user authorization,
// ever), and their mailbox, read with Microsoft Graph app-only access, is synced into
// Salesforce Tasks owned by them; their calendars (a sliding calendarView window) into Events.
// Per user and folder (and calendar), the Graph delta link is the checkpoint; it is committed
// only after the records of its page were upserted (by an external id derived from the message
// or meeting), so a crash or an outage re-reads at most one page and never duplicates. Users
// whose mailboxes stay quiet are polled less often (poll.hpp).
#ifndef PLUGINS_RG_SYNC_RG_SYNC_CONNECTOR_HPP_
#define PLUGINS_RG_SYNC_RG_SYNC_CONNECTOR_HPP_

#include <connector_host/sdk/salesforce/client.hpp>
#include <connector_host/sdk/sdk.hpp>

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "activity.hpp"
#include "config.hpp"
#include "graph_client.hpp"
#include "poll.hpp"

namespace rgsync {

// An entitled user as Salesforce knows them.
struct EndUser {
  std::string email;  // lower-case; the subject id
  std::string user_id;
  std::string username;
  std::string name;
  bool found = false;
  bool active = false;
};

// Who the service connection runs as, and what it lacks for this sync.
struct ServiceAccount {
  std::string user_id;
  std::string username;
  std::string email;                 // lower-case
  std::vector<std::string> missing;  // e.g. "View All Data", "Create on Task"
  std::chrono::steady_clock::time_point checked_at{};
};

// Counts of one sync, also the hook's summary output.
struct SyncCounts {
  std::int64_t users = 0;
  std::int64_t users_ok = 0;
  std::int64_t users_failed = 0;
  std::int64_t messages = 0;  // seen in delta pages (excluding @removed)
  std::int64_t removed = 0;
  std::int64_t tasks = 0;  // upserted
  std::int64_t tasks_failed = 0;
  std::int64_t unmatched = 0;       // messages/events: no Contact/Lead among their participants
  std::int64_t resyncs = 0;         // folders (and calendars) re-read after an expired delta token
  std::int64_t events = 0;          // calendar events seen in delta pages (excluding @removed)
  std::int64_t events_removed = 0;  // their Salesforce Events stay
  std::int64_t events_upserted = 0;
  std::int64_t events_failed = 0;
  std::int64_t users_skipped = 0;  // not due yet (adaptive polling)

  // Everything a delta page can bring: a pass that adds nothing here found no changes.
  std::int64_t changes() const noexcept { return messages + removed + events + events_removed; }
};

// One user's pass over their folders and calendar in one sync.
struct UserPass {
  const EndUser& user;
  std::int64_t changes_before = 0;  // SyncCounts::changes() when the pass began
  PollState poll;                   // as stored before the pass
  bool last_stream = false;         // this stream's final commit also stores the next poll state
};

class RgSyncConnector : public chp::Connector {
 public:
  static constexpr chp::PluginInfo kInfo{
      "rg-sync", "1.0.0",
      "Revenue Grid style sync: every end user through one Salesforce service connection, "
      "mailboxes and calendars read with Microsoft Graph app-only access into Salesforce Tasks "
      "and Events",
      kConfigSchemaJson, CHP_CAP_USES_CONNECTION | CHP_CAP_CHECKS_CONNECTION};

  static constexpr const char* kDeltaPrefix = "delta/";           // + email + "/" + folder
  static constexpr const char* kKnownUsersKey = "users";          // JSON array of subject ids
  static constexpr const char* kCalendarStream = "calendarView";  // delta/<email>/calendarView
  static constexpr const char* kWindowPrefix = "window/";         // + email + "/calendarView": ISO
  static constexpr const char* kPollPrefix = "poll/";             // + email: PollState JSON
  static constexpr std::chrono::minutes kServiceCheckTtl{60};

  RgSyncConnector(chp::Context& ctx, const boost::json::object& config);

  void sync(chp::Call& call, const boost::json::object& input) override;
  // Only the ABI 1.3 step "check_connection": the service account's permissions, and a warning
  // when it is one of the entitled end users.
  void authorize(chp::Call& call, const boost::json::object& input) override;

 protected:
  // The wall clock (calendar window, polling schedule); tests subclass and replace it.
  std::function<std::chrono::system_clock::time_point()> now_ = [] {
    return std::chrono::system_clock::now();
  };

 private:
  // Asks Salesforce who the service connection is and reads its permissions (permission
  // sets, the profile's included); cached for kServiceCheckTtl.
  const ServiceAccount& check_service_account(chp::salesforce::Client& sf);
  std::vector<EndUser> resolve_users(chp::salesforce::Client& sf);
  // Syncs one folder of one user; returns an error text for the admin, empty when fine.
  std::string initial_mail_url(const EndUser& user, const std::string& folder) const;
  std::string mail_prefer() const;
  // Where a user's calendar round goes on: the stored link while its window is current, else
  // the initial query of a fresh window (`moved`: a stored round was left for it).
  struct CalendarStart {
    std::string initial;  // the first query of a fresh window
    std::string fresh_start, fresh_end;
    std::string url;
    std::string window_start;
    bool moved = false;
  };
  CalendarStart calendar_start(const EndUser& user) const;
  std::string calendar_prefer() const;
  std::string sync_folder(chp::Call& call, chp::salesforce::Client& sf, GraphClient& graph,
                          const UserPass& pass, const std::string& folder, SyncCounts& counts);
  // Syncs the user's calendarView window into Events (calendar_sync.cpp); as sync_folder.
  std::string sync_calendar(chp::Call& call, chp::salesforce::Client& sf, GraphClient& graph,
                            const UserPass& pass, SyncCounts& counts);
  // The first address with a Contact/Lead (after lookup_people), if any.
  std::optional<Who> first_match(const std::vector<std::string>& addresses) const;
  // Upserts `records` of `sobject` by `field`; adds the successes to `upserted` and returns the
  // first refusal ("<errorCode>: <message>"), empty when all were written.
  static std::string upsert_records(chp::salesforce::Client& sf, const std::string& sobject,
                                    const std::string& field, boost::json::array& records,
                                    std::int64_t& upserted, std::int64_t& failed);
  // Commits a page's checkpoint `puts`; on the final page (`done`) of the pass's last stream,
  // the user's next poll state too, in the same transaction.
  void commit_checkpoint(const UserPass& pass, const SyncCounts& counts,
                         const std::vector<std::pair<std::string, std::string>>& puts, bool done);
  // Contact (preferred) or Lead for each address; misses are cached too.
  void lookup_people(chp::salesforce::Client& sf, const std::vector<std::string>& addresses);
  void forget_departed(const std::vector<EndUser>& users);

  chp::Context& ctx_;
  Config config_;
  GraphState graph_state_;
  std::optional<ServiceAccount> service_;
  std::map<std::string, std::optional<Who>> people_;  // per sync: address -> match
};

}  // namespace rgsync

#endif  // PLUGINS_RG_SYNC_RG_SYNC_CONNECTOR_HPP_
