// Delta query state for the Graph peer: a round snapshots the changes it reports when it
// starts, pages through them with $skiptoken links (each token names one page, so a retried
// link returns the same page) and ends with a $deltatoken link that remembers the store
// sequence the round covered. Tokens are opaque, kept in memory (lost on restart: clients
// then see 410 and resynchronise) and bounded like Exchange's delta token cache.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/json/array.hpp>

#include "graph_store.h"

namespace chpeer::graph {

enum class DeltaKind { kMessages = 1, kEvents };

inline constexpr const char* kCalendarViewScope = "calendarView";

struct DeltaScope {
  DeltaKind kind = DeltaKind::kMessages;
  std::string user_id;
  std::string folder_id;  // messages; kCalendarViewScope for events
  std::int64_t window_start_ms = 0;
  std::int64_t window_end_ms = 0;   // events
  std::vector<std::string> select;  // empty: every property
  std::string change_type;          // "created", "updated", "deleted" or empty
  std::string link_path;            // "/v1.0/users/{id}/mailFolders/{id}/messages/delta"
};

struct DeltaRound {
  DeltaScope scope;
  boost::json::array items;
  std::int64_t high_seq = 0;  // store sequence when the round started
};

struct SkipState {
  std::shared_ptr<const DeltaRound> round;
  std::size_t offset = 0;
  std::string expired_code;  // non-empty: the next use answers 410 with this code
};

struct DeltaState {
  DeltaScope scope;
  std::int64_t since_seq = 0;
  std::string expired_code;
};

class DeltaTokens {
 public:
  static constexpr std::size_t kMaxTokens = 20000;

  void Reset();
  std::string AddSkip(std::shared_ptr<const DeltaRound> round, std::size_t offset);
  std::string AddDelta(DeltaScope scope, std::int64_t since_seq);
  const SkipState* FindSkip(const std::string& token) const;
  const DeltaState* FindDelta(const std::string& token) const;
  // Expires the tokens of one user (empty: all users) and one folder id or kCalendarViewScope
  // (empty: every scope of the user). Returns how many tokens it expired.
  std::int64_t Expire(const std::string& user_id, const std::string& folder_id,
                      const std::string& code);

 private:
  void Bound();
  std::map<std::string, SkipState> skips_;
  std::map<std::string, DeltaState> deltas_;
  std::deque<std::string> order_;  // oldest first, both kinds
};

// The changes a round reports: every current item in scope when since_seq < 0 (initial
// round), else items changed and removed after since_seq, as Graph JSON (projected to
// $select, removals as {"@odata.type","id","@removed":{"reason":"deleted"}}).
boost::json::array CollectChanges(const Mailbox& mailbox, const DeltaScope& scope,
                                  std::int64_t since_seq);

}  // namespace chpeer::graph
