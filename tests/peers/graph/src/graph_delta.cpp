// DeltaTokens bookkeeping and CollectChanges for messages in a folder and events in a
// calendar view window.
#include "graph_delta.h"

#include <algorithm>

#include <boost/json.hpp>

#include "chpeer/random_ids.h"
#include "graph_util.h"

namespace chpeer::graph {

namespace json = boost::json;

namespace {

json::object Project(const json::object& resource, const char* type,
                     const std::vector<std::string>& select) {
  json::object out{{"@odata.type", type}};
  if (select.empty()) {
    for (const auto& [k, v] : resource) out[k] = v;
    return out;
  }
  if (const json::value* etag = resource.if_contains("@odata.etag")) out["@odata.etag"] = *etag;
  for (const auto& field : select) {
    for (const auto& [k, v] : resource) {
      if (EqualsIgnoreCase(k, field)) out[k] = v;
    }
  }
  out["id"] = resource.at("id");
  return out;
}

json::object Removed(const char* type, const std::string& id) {
  return json::object{
      {"@odata.type", type}, {"id", id}, {"@removed", json::object{{"reason", "deleted"}}}};
}

bool Wants(const DeltaScope& scope, const char* change) {
  return scope.change_type.empty() || scope.change_type == change;
}

json::array MessageChanges(const Mailbox& mailbox, const DeltaScope& scope,
                           std::int64_t since_seq) {
  constexpr const char* kType = "#microsoft.graph.message";
  std::vector<std::pair<std::int64_t, json::object>> rows;  // (order key, item)
  for (const auto& [id, message] : mailbox.messages) {
    if (message.folder_id() != scope.folder_id) continue;
    if (since_seq < 0) {
      // Newest first, like receivedDateTime desc.
      rows.emplace_back(0, Project(message.resource, kType, scope.select));
    } else if (message.changed_seq > since_seq &&
               Wants(scope, message.created_seq > since_seq ? "created" : "updated")) {
      rows.emplace_back(message.changed_seq, Project(message.resource, kType, scope.select));
    }
  }
  if (since_seq < 0) {
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
      return Str(a.second, "receivedDateTime") > Str(b.second, "receivedDateTime");
    });
  } else if (Wants(scope, "deleted")) {
    for (const auto& removal : mailbox.removed_messages) {
      if (removal.seq > since_seq && removal.folder_id == scope.folder_id) {
        rows.emplace_back(removal.seq, Removed(kType, removal.id));
      }
    }
    std::stable_sort(rows.begin(), rows.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
  }
  json::array out;
  for (auto& [key, item] : rows) out.push_back(std::move(item));
  return out;
}

json::array EventChanges(const Mailbox& mailbox, const DeltaScope& scope, std::int64_t since_seq) {
  constexpr const char* kType = "#microsoft.graph.event";
  auto in_window = [&](std::int64_t start, std::int64_t end) {
    if (start == end) return start >= scope.window_start_ms && start < scope.window_end_ms;
    return start < scope.window_end_ms && end > scope.window_start_ms;
  };
  std::vector<std::pair<std::int64_t, json::object>> rows;
  for (const auto& [id, event] : mailbox.events) {
    bool inside = in_window(event.start_ms, event.end_ms);
    if (since_seq < 0) {
      if (inside) rows.emplace_back(event.start_ms, Project(event.resource, kType, scope.select));
    } else if (event.changed_seq > since_seq) {
      if (inside && Wants(scope, event.created_seq > since_seq ? "created" : "updated")) {
        rows.emplace_back(event.changed_seq, Project(event.resource, kType, scope.select));
      } else if (!inside && event.created_seq <= since_seq && Wants(scope, "deleted")) {
        // Moved out of the window: the client must drop it.
        rows.emplace_back(event.changed_seq, Removed(kType, id));
      }
    }
  }
  if (since_seq >= 0 && Wants(scope, "deleted")) {
    for (const auto& removal : mailbox.removed_events) {
      if (removal.seq > since_seq && in_window(removal.start_ms, removal.end_ms)) {
        rows.emplace_back(removal.seq, Removed(kType, removal.id));
      }
    }
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  json::array out;
  for (auto& [key, item] : rows) out.push_back(std::move(item));
  return out;
}

}  // namespace

void DeltaTokens::Reset() {
  skips_.clear();
  deltas_.clear();
  order_.clear();
}

std::string DeltaTokens::AddSkip(std::shared_ptr<const DeltaRound> round, std::size_t offset) {
  std::string token = RandomUrlSafe(40);
  skips_[token] = SkipState{std::move(round), offset, ""};
  order_.push_back(token);
  Bound();
  return token;
}

std::string DeltaTokens::AddDelta(DeltaScope scope, std::int64_t since_seq) {
  std::string token = RandomUrlSafe(40);
  deltas_[token] = DeltaState{std::move(scope), since_seq, ""};
  order_.push_back(token);
  Bound();
  return token;
}

void DeltaTokens::Bound() {
  // The oldest tokens fall out of the cache; using one then answers 410, as Exchange does.
  while (order_.size() > kMaxTokens) {
    skips_.erase(order_.front());
    deltas_.erase(order_.front());
    order_.pop_front();
  }
}

const SkipState* DeltaTokens::FindSkip(const std::string& token) const {
  auto it = skips_.find(token);
  return it == skips_.end() ? nullptr : &it->second;
}

const DeltaState* DeltaTokens::FindDelta(const std::string& token) const {
  auto it = deltas_.find(token);
  return it == deltas_.end() ? nullptr : &it->second;
}

std::int64_t DeltaTokens::Expire(const std::string& user_id, const std::string& folder_id,
                                 const std::string& code) {
  auto matches = [&](const DeltaScope& scope) {
    return (user_id.empty() || scope.user_id == user_id) &&
           (folder_id.empty() || scope.folder_id == folder_id);
  };
  std::int64_t n = 0;
  for (auto& [token, state] : skips_) {
    if (matches(state.round->scope)) {
      state.expired_code = code;
      ++n;
    }
  }
  for (auto& [token, state] : deltas_) {
    if (matches(state.scope)) {
      state.expired_code = code;
      ++n;
    }
  }
  return n;
}

json::array CollectChanges(const Mailbox& mailbox, const DeltaScope& scope,
                           std::int64_t since_seq) {
  return scope.kind == DeltaKind::kMessages ? MessageChanges(mailbox, scope, since_seq)
                                            : EventChanges(mailbox, scope, since_seq);
}

}  // namespace chpeer::graph
