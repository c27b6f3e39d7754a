// SalesforceConnector: the `salesforce` plugin. Provides the Salesforce connection (OAuth
// web-server flow with PKCE, JWT bearer or client credentials; refresh with rotation; revoke
// on disable), mirrors configured objects incrementally by SystemModstamp, and pushes outbox
// entries back with sObject Collections. Hooks live in auth_flows.cpp, sync.cpp and
// write_back.cpp.
#ifndef PLUGINS_SALESFORCE_SALESFORCE_CONNECTOR_HPP_
#define PLUGINS_SALESFORCE_SALESFORCE_CONNECTOR_HPP_

#include <connector_host/sdk/salesforce/client.hpp>
#include <connector_host/sdk/salesforce/oauth.hpp>
#include <connector_host/sdk/sdk.hpp>

#include <boost/json.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config.hpp"

namespace sfplugin {

// Counts of one write-back run.
struct WriteBackStats {
  static constexpr std::size_t kErrorsKept = 5;
  std::int64_t pushed = 0;         // accepted by Salesforce, removed from the outbox
  std::int64_t failed = 0;         // refused (per record or with their call), parked with the error
  std::int64_t refused_calls = 0;  // Collections calls Salesforce refused as a whole
  std::vector<std::string> errors;  // the first distinct errors, for the sync summary
};

// How one object is read (read_plan.cpp): chosen from its describe.
struct ReadPlan {
  std::vector<std::string> select;   // Id, the cursor, IsDeleted when it exists, then the fields
  std::string cursor;                // SystemModstamp, else LastModifiedDate, else CreatedDate
  bool query_all = true;             // the object has IsDeleted: queryAll brings soft deletes
  std::vector<std::string> missing;  // configured, but the object has no such field
  std::int64_t planned_at_s = 0;     // local clock
  bool cached = false;               // read from the state, not described in this run
  // Fields added to the config since the saved plan: read once by Id and merged into the
  // mirrored rows, so the checkpoint stays (no reset, no full re-read).
  std::vector<std::string> backfill;
  // Describe's type of each selected field ("double", "string", ...), kept with the plan.
  std::map<std::string, std::string> types;
  // Selected fields whose type at Salesforce differs from the one the previous plan recorded:
  // reported (summary, status line) until the next plan, nothing reset.
  struct TypeChange {
    std::string field;
    std::string from;
    std::string to;
  };
  std::vector<TypeChange> type_changes;

  std::string to_json(const ObjectSpec& spec) const;
  // std::nullopt when unreadable or made for other configured fields.
  // `same_config` (optional) tells whether it was made for the fields configured now.
  static std::optional<ReadPlan> from_json(const std::string& text, const ObjectSpec& spec,
                                           bool* same_config = nullptr);
};

class SalesforceConnector : public chp::Connector {
 public:
  static constexpr chp::PluginInfo kInfo{
      "salesforce", "1.0.0",
      "Salesforce: OAuth connection (web server + PKCE, JWT bearer, client credentials), "
      "incremental object mirror and write-back",
      kConfigSchemaJson,
      CHP_CAP_PROVIDES_CONNECTION | CHP_CAP_INTERACTIVE_AUTHORIZE | CHP_CAP_WRITE_BACK};

  // kv keys
  static constexpr const char* kPendingAuthPrefix = "oauth/pending/";  // + OAuth state
  static constexpr const char* kCheckpointPrefix = "checkpoint/";      // + object name
  static constexpr const char* kBulkLoadPrefix = "bulk/";              // + object name
  static constexpr const char* kPlanPrefix = "plan/";                  // + object name
  // + object name: {"Field": "text|real|integer|boolean"}, the store's typed view of the mirror
  static constexpr const char* kMirrorColumnsPrefix = "mirror-columns/";
  // + object name: Salesforce time up to which getDeleted's tombstones are in the mirror
  static constexpr const char* kReconcilePrefix = "reconcile/";
  static constexpr const char* kReconcileFullPrefix = "reconcile-full/";
  // A started browser authorization is good for this long (Salesforce codes live 15 min).
  static constexpr std::int64_t kPendingAuthTtlMs = 15 * 60 * 1000;
  static constexpr std::uint32_t kOutboxBatchEntries = 1000;
  static constexpr const char* kOrganizationQuery =
      "SELECT IsSandbox, OrganizationType FROM Organization";

  SalesforceConnector(chp::Context& ctx, const boost::json::object& config);

  // check-config's dry check and create's first step (config.cpp).
  static void validate(const boost::json::object& config, chp::ConfigProblems& problems) {
    validate_config(config, problems);
  }

  void authorize(chp::Call& call, const boost::json::object& input) override;
  void refresh(chp::Call& call, const boost::json::object& input) override;
  void disable(chp::Call& call, const boost::json::object& input) override;
  void sync(chp::Call& call, const boost::json::object& input) override;

  const Config& config() const noexcept { return config_; }

 private:
  // auth_flows.cpp
  void start_web_server(chp::Call& call, const chp::AuthorizeStart& start);
  void finish_web_server(chp::Call& call, const chp::AuthorizeCallback& callback);
  chp::salesforce::TokenGrant grant_without_browser(chp::Call& call) const;
  // `with_userinfo`: ask Salesforce who the token belongs to (authorize) for the full identity
  // and the integration-user warning; refresh skips it.
  chp::Grant make_grant(chp::Call& call, const chp::salesforce::TokenGrant& grant,
                        const std::string& refresh_token, bool with_userinfo) const;
  // Refuses (ConfigError naming each missing permission) when the authorizing user lacks
  // what `require` asks for, revoking the refused grant first.
  void check_requirements(chp::Call& call, const chp::salesforce::TokenGrant& grant,
                          const std::string& refresh_token,
                          const chp::salesforce::UserInfo& info) const;
  // Adds identity "environment" (sandbox | production, from Organization.IsSandbox) and
  // "organization_type"; a query that fails for another reason than a dead token is a warning.
  void read_org_environment(chp::Call& call, const chp::salesforce::TokenGrant& grant,
                            chp::Grant& out) const;

  // read_plan.cpp. The saved plan unless `fresh` (or none fits); a new one is described and
  // its JSON left in `to_store`, for the caller to commit with the object's first page.
  ReadPlan read_plan(chp::salesforce::Client& client, const ObjectSpec& spec, bool fresh,
                     std::optional<std::string>* to_store) const;
  ReadPlan plan_from_describe(chp::salesforce::Client& client, const ObjectSpec& spec) const;
  // Reads `plan.backfill` (Id + those fields) and merges them into the mirrored rows; the
  // plan commits with the last page. Returns the rows merged.
  std::int64_t backfill_fields(chp::Call& call, chp::salesforce::Client& client,
                               const ObjectSpec& spec, const ReadPlan& plan,
                               std::optional<std::string>& plan_to_store);

  // sync.cpp
  boost::json::object sync_object(chp::Call& call, chp::salesforce::Client& client,
                                  const ObjectSpec& spec, const ReadPlan& plan,
                                  std::optional<std::string>& plan_to_store);
  std::string build_query(const ObjectSpec& spec, const ReadPlan& plan,
                          const std::string& checkpoint) const;
  // One object: its plan, then Bulk (a load under way, or a large full load) or REST pages.
  boost::json::object sync_with_plan(chp::Call& call, chp::salesforce::Client& client,
                                     const ObjectSpec& spec);

  // bulk_query.cpp: full loads through Bulk API 2.0 query jobs.
  // Whether a full load whose first REST page is `first` should go through Bulk instead.
  bool wants_bulk(const chp::salesforce::QueryPage& first) const;
  // Continues a Bulk load a crash or failure interrupted (its job id and locator are in the
  // state); std::nullopt when none is under way for this object.
  std::optional<boost::json::object> resume_bulk_load(chp::Call& call,
                                                      chp::salesforce::Client& client,
                                                      const ObjectSpec& spec, const ReadPlan& plan,
                                                      std::optional<std::string>& plan_to_store);
  // A whole Bulk load: the job, its result sets committed one by one, then the checkpoint.
  // A new read plan (`plan_to_store`) commits with the first write.
  boost::json::object bulk_load(chp::Call& call, chp::salesforce::Client& client,
                                const ObjectSpec& spec, const ReadPlan& plan,
                                std::optional<std::string>& plan_to_store);

  // reconcile.cpp: deletes the incremental cannot see (hard deletes, an emptied Recycle Bin),
  // from Salesforce's delete log; adds "reconcile" {tombstoned, ...} to `out` when it ran.
  // The first run only adds its start point to `to_store`.
  using KvWrites = std::vector<std::pair<std::string, std::string>>;
  void reconcile(chp::salesforce::Client& client, const ObjectSpec& spec, const ReadPlan& plan,
                 boost::json::object& out, KvWrites& to_store);
  // getDeleted; sets `log_gap` when the log no longer reaches back to the covered point.
  void reconcile_delete_log(chp::salesforce::Client& client, const ObjectSpec& spec,
                            const ReadPlan& plan, boost::json::object& out, KvWrites& to_store,
                            bool& log_gap);
  // The Id-listing pass, when due or `forced`: adds "reconcile" {"full": {listed, tombstoned}}.
  void reconcile_full(chp::salesforce::Client& client, const ObjectSpec& spec,
                      boost::json::object& out, KvWrites& to_store, bool forced);
  // Adds kv mirror-columns/<Object> (from the plan's describe types) to `to_store` when they
  // changed.
  void declare_columns(const ObjectSpec& spec, const ReadPlan& plan, KvWrites& to_store);

  // write_back.cpp
  WriteBackStats write_back(chp::Call& call, chp::salesforce::Client& client);

  chp::Context& ctx_;
  Config config_;
  // Records committed by the sync under way (REST pages and Bulk result sets), for the
  // summary's "records.in". Hooks of one instance never overlap, so no lock.
  std::int64_t records_in_run_ = 0;
  std::int64_t run_started_ms_ = 0;  // steady clock, for the progress line's rate
  // "Object.Field old -> new" of the run's plans, for the final status line.
  std::vector<std::string> type_changes_;
  // ", N records/s, M API call(s)" of the run so far, for the status line a CLI shows live.
  std::string progress_rate(std::int64_t records, const chp::salesforce::Client& client) const;
};

// Heuristic: does this userinfo look like a dedicated integration user? See auth_flows.cpp.
bool looks_like_integration_user(const chp::salesforce::UserInfo& info);
// " (sandbox)" / " (production)" for log lines; empty when the environment is unknown.
std::string environment_text(const chp::Identity& identity);

}  // namespace sfplugin

#endif  // PLUGINS_SALESFORCE_SALESFORCE_CONNECTOR_HPP_
