// RecordOutbox: where a record the other side refused waits, in both directions. Every kind of
// write has its own outbox collection: the account data object(s) and "Contact"/"Lead" for
// writes to Salesforce, "rollworks-<object>" (accounts, contacts, opportunities, campaigns)
// for uploads to RollWorks; the entry id is the record's key there (RollWorks account id,
// Salesforce Id).
//
// A refused record is queued in the same transaction as the checkpoint that moves past it, so
// it is never lost and never blocks later changes. Later syncs retry it once it is due: the
// first retry after outbox_retry_backoff_s, each further wait twice the last (at most a day).
// Sync-time retries need no jitter: one sync of one instance retries, never a crowd. After
// outbox_max_attempts refusals in all, the entry is parked with the other side's error, where
// an admin sees and retries it (outbox API / `connector-host outbox NAME --retry`); a retried
// entry starts counting again. A fresh write of the same record replaces its waiting entry, so
// only the newest data waits. The attempt count, the next due time and the last error live in
// kv "outbox/retry/<collection>/<id>" (the entry id is not known until the transaction that
// adds it commits); the admin's checkpoint listing shows them.
#ifndef PLUGINS_ROLLWORKS_OUTBOX_HPP_
#define PLUGINS_ROLLWORKS_OUTBOX_HPP_

#include <connector_host/sdk/sdk.hpp>

#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config.hpp"

namespace rollworks {

struct OutboxCounts {
  std::int64_t retried = 0;     // written now, after waiting
  std::int64_t refused = 0;     // refused again, still waiting (backoff)
  std::int64_t parked = 0;      // given up on: kept with the error for an admin
  std::int64_t not_due = 0;     // waiting, not yet due
  std::int64_t superseded = 0;  // replaced by newer data of the same record
  std::int64_t retired = 0;     // removed: their target is no longer written
};

class RecordOutbox {
 public:
  static constexpr std::uint32_t kMaxLoadedEntries = 10'000;  // per sync
  static constexpr std::int64_t kMaxBackoffS = 86'400;

  // Reads the pending entries once (oldest first).
  RecordOutbox(chp::Context& ctx, const Config& config, std::int64_t now_s);

  // Writes `records` (the waiting entries' records, in order) and answers one error text per
  // record, "" when it was written; std::nullopt when the call as a whole failed (nothing was
  // written, the entries stay as they were and the rest waits for the next sync).
  using WriteFn =
      std::function<std::optional<std::vector<std::string>>(const boost::json::array& records)>;
  struct RetryHooks {
    // Why an entry's record must not be written any more (newer data went out meanwhile), or
    // "": such entries are removed, counted as superseded.
    std::function<std::string(const chp::OutboxEntry&)> stale;
    // Called in the chunk's transaction for each entry written.
    std::function<void(chp::Transaction&, const chp::OutboxEntry&)> written;
  };
  // Retries the due entries of `collection`, `chunk` per write, each chunk's outcome in one
  // transaction (opened after the write: no store lock is held across a network call).
  void retry(const std::string& collection, std::size_t chunk, const WriteFn& write,
             OutboxCounts& counts, const RetryHooks& hooks = {});

  // A fresh write of (collection, id) is in `txn`: the entry waiting for it, if any, goes.
  void supersede(chp::Transaction& txn, const std::string& collection, const std::string& id,
                 OutboxCounts& counts);
  // A fresh write was refused with `error`: queue `record` (attempt 1) in `txn`.
  void add(chp::Transaction& txn, const std::string& collection, const std::string& id,
           const boost::json::value& record, const std::string& error);
  // Removes every pending entry of `collection`, logging `why`.
  void retire(const std::string& collection, const std::string& why, OutboxCounts& counts);
  // Parks every pending entry whose collection is not in `known` (a target that no mapping
  // names any more), with a reason an admin can act on.
  void park_unknown(const std::vector<std::string>& known, OutboxCounts& counts);

  // Entries still waiting after this sync's work: per collection.
  std::map<std::string, std::int64_t> waiting() const;
  // The most recent refusal text queued or kept in this sync, for the status line.
  const std::string& last_error() const noexcept { return last_error_; }

 private:
  struct RetryState {
    std::int64_t attempts = 1;
    std::int64_t due_s = 0;
  };
  static std::string state_key(const std::string& collection, const std::string& id);
  RetryState state_of(const std::string& collection, const std::string& id) const;
  void put_state(chp::Transaction& txn, const std::string& collection, const std::string& id,
                 std::int64_t attempts, const std::string& error);
  std::int64_t backoff_s(std::int64_t attempts) const;

  chp::Context& ctx_;
  const Config& config_;
  std::int64_t now_s_;
  std::map<std::string, std::vector<chp::OutboxEntry>> pending_;  // by collection
  std::map<std::pair<std::string, std::string>, std::int64_t> entry_of_;
  std::map<std::string, std::int64_t> added_;  // by collection, queued in this sync
  std::string last_error_;
};

}  // namespace rollworks

#endif  // PLUGINS_ROLLWORKS_OUTBOX_HPP_
