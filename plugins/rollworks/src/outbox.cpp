// RecordOutbox (see outbox.hpp): retry, backoff, parking and replacement of waiting records.
#include "outbox.hpp"

#include <connector_host/sdk/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <optional>

namespace rollworks {
namespace {

// Entries queued before the retry state moved to kv "outbox/retry/..." kept their count under
// this key; read once so an upgrade does not reset an entry's attempts.
std::string old_attempts_key(std::int64_t entry_id) {
  return "outbox/attempts/" + std::to_string(entry_id);
}

}  // namespace

RecordOutbox::RecordOutbox(chp::Context& ctx, const Config& config, std::int64_t now_s)
    : ctx_(ctx), config_(config), now_s_(now_s) {
  for (chp::OutboxEntry& e : ctx_.outbox_pending(kMaxLoadedEntries)) {
    entry_of_[{e.collection, e.id}] = e.entry_id;
    pending_[e.collection].push_back(std::move(e));
  }
}

std::string RecordOutbox::state_key(const std::string& collection, const std::string& id) {
  return "outbox/retry/" + collection + "/" + id;
}

RecordOutbox::RetryState RecordOutbox::state_of(const std::string& collection,
                                                const std::string& id) const {
  RetryState s;
  if (std::optional<std::string> raw = ctx_.state_get(state_key(collection, id))) {
    if (std::optional<boost::json::value> v = chp::try_parse(*raw); v && v->is_object()) {
      s.attempts = chp::optional_int(v->as_object(), "attempts", 1, chp::ErrorClass::kPermanent);
      s.due_s = chp::optional_int(v->as_object(), "due_s", 0, chp::ErrorClass::kPermanent);
    }
    return s;
  }
  if (auto it = entry_of_.find({collection, id}); it != entry_of_.end()) {
    if (std::optional<std::string> old = ctx_.state_get(old_attempts_key(it->second))) {
      s.attempts = std::max<std::int64_t>(1, std::atoll(old->c_str()));
    }
  }
  return s;
}

std::int64_t RecordOutbox::backoff_s(std::int64_t attempts) const {
  std::int64_t wait = config_.outbox_retry_backoff_s;
  for (std::int64_t i = 1; i < attempts && wait < kMaxBackoffS; ++i) wait *= 2;
  return std::min(wait, kMaxBackoffS);
}

void RecordOutbox::put_state(chp::Transaction& txn, const std::string& collection,
                             const std::string& id, std::int64_t attempts,
                             const std::string& error) {
  txn.put(state_key(collection, id),
          boost::json::serialize(boost::json::object{
              {"attempts", attempts}, {"due_s", now_s_ + backoff_s(attempts)}, {"error", error}}));
  last_error_ = error;
}

void RecordOutbox::retry(const std::string& collection, std::size_t chunk, const WriteFn& write,
                         OutboxCounts& counts, const RetryHooks& hooks) {
  auto it = pending_.find(collection);
  if (it == pending_.end()) return;
  std::vector<chp::OutboxEntry> due;
  std::vector<RetryState> states;
  std::vector<chp::OutboxEntry> later;
  std::optional<chp::Transaction> txn;  // only when an entry is dropped: BEGIN takes the lock
  for (chp::OutboxEntry& e : it->second) {
    if (hooks.stale) {
      if (const std::string why = hooks.stale(e); !why.empty()) {
        if (!txn) txn.emplace(ctx_.begin());
        ++counts.superseded;
        txn->outbox_done(e.entry_id);
        txn->del(state_key(collection, e.id));
        entry_of_.erase({collection, e.id});
        ctx_.log(chp::LogLevel::kInfo, collection + " " + e.id + ": waiting entry dropped, " + why);
        continue;
      }
    }
    RetryState s = state_of(collection, e.id);
    if (s.due_s > now_s_) {
      ++counts.not_due;
      later.push_back(std::move(e));
      continue;
    }
    states.push_back(s);
    due.push_back(std::move(e));
  }
  if (txn) txn->commit();
  it->second = std::move(later);
  for (std::size_t start = 0; start < due.size(); start += chunk) {
    const std::size_t end = std::min(due.size(), start + chunk);
    boost::json::array records;
    for (std::size_t i = start; i < end; ++i) records.push_back(due[i].record);
    const std::optional<std::vector<std::string>> answer = write(records);
    if (!answer) {  // nothing written: these and the later ones wait as they are
      it->second.insert(it->second.end(),
                        std::make_move_iterator(due.begin() + static_cast<std::ptrdiff_t>(start)),
                        std::make_move_iterator(due.end()));
      return;
    }
    const std::vector<std::string>& errors = *answer;
    chp::Transaction txn = ctx_.begin();
    for (std::size_t i = start; i < end; ++i) {
      const chp::OutboxEntry& e = due[i];
      const std::string& error = i - start < errors.size() ? errors[i - start] : "not answered";
      txn.del(old_attempts_key(e.entry_id));
      if (error.empty()) {
        ++counts.retried;
        if (hooks.written) hooks.written(txn, e);
        txn.outbox_done(e.entry_id);
        txn.del(state_key(collection, e.id));
        entry_of_.erase({collection, e.id});
        continue;
      }
      const std::int64_t attempts = states[i].attempts + 1;
      if (attempts >= config_.outbox_max_attempts) {
        ++counts.parked;
        const std::string why = error + " (after " + std::to_string(attempts) + " attempts)";
        txn.outbox_done(e.entry_id, why);
        txn.del(state_key(collection, e.id));
        entry_of_.erase({collection, e.id});
        last_error_ = why;
        ctx_.log(chp::LogLevel::kWarn, why + "; parked in the outbox for an admin");
        continue;
      }
      ++counts.refused;
      put_state(txn, collection, e.id, attempts, error);
      it->second.push_back(e);
      ctx_.log(chp::LogLevel::kWarn, error + "; still in the outbox (attempt " +
                                         std::to_string(attempts) + " of " +
                                         std::to_string(config_.outbox_max_attempts) + ")");
    }
    txn.commit();
  }
}

void RecordOutbox::supersede(chp::Transaction& txn, const std::string& collection,
                             const std::string& id, OutboxCounts& counts) {
  auto found = entry_of_.find({collection, id});
  if (found == entry_of_.end()) return;
  const std::int64_t entry_id = found->second;
  txn.outbox_done(entry_id);
  txn.del(state_key(collection, id));
  txn.del(old_attempts_key(entry_id));
  entry_of_.erase(found);
  if (auto it = pending_.find(collection); it != pending_.end()) {
    std::erase_if(it->second, [&](const chp::OutboxEntry& e) { return e.entry_id == entry_id; });
  }
  ++counts.superseded;
}

void RecordOutbox::add(chp::Transaction& txn, const std::string& collection, const std::string& id,
                       const boost::json::value& record, const std::string& error) {
  txn.outbox_add(collection, id, record);
  put_state(txn, collection, id, 1, error);
  ++added_[collection];
  ctx_.log(chp::LogLevel::kWarn, error + "; kept in the outbox, retried at a later sync");
}

void RecordOutbox::retire(const std::string& collection, const std::string& why,
                          OutboxCounts& counts) {
  auto it = pending_.find(collection);
  if (it == pending_.end() || it->second.empty()) return;
  chp::Transaction txn = ctx_.begin();
  for (const chp::OutboxEntry& e : it->second) {
    txn.outbox_done(e.entry_id);
    txn.del(state_key(collection, e.id));
    txn.del(old_attempts_key(e.entry_id));
    entry_of_.erase({collection, e.id});
    ++counts.retired;
  }
  txn.commit();
  ctx_.log(chp::LogLevel::kInfo, std::to_string(it->second.size()) + " waiting " + collection +
                                     " entr" + (it->second.size() == 1 ? "y" : "ies") +
                                     " removed: " + why);
  it->second.clear();
}

void RecordOutbox::park_unknown(const std::vector<std::string>& known, OutboxCounts& counts) {
  std::optional<chp::Transaction> txn;
  for (auto& [collection, entries] : pending_) {
    if (entries.empty() || std::find(known.begin(), known.end(), collection) != known.end()) {
      continue;
    }
    if (!txn) txn.emplace(ctx_.begin());
    for (const chp::OutboxEntry& e : entries) {
      txn->outbox_done(e.entry_id, collection + " " + e.id + ": " + collection +
                                       " is not written by the current configuration (a "
                                       "mapping change?); retry it after configuring it "
                                       "again, or leave it");
      txn->del(state_key(collection, e.id));
      entry_of_.erase({collection, e.id});
      ++counts.parked;
    }
    ctx_.log(chp::LogLevel::kWarn, std::to_string(entries.size()) + " waiting " + collection +
                                       " entr" + (entries.size() == 1 ? "y" : "ies") +
                                       " parked: the configuration no longer writes " + collection);
    entries.clear();
  }
  if (txn) txn->commit();
}

std::map<std::string, std::int64_t> RecordOutbox::waiting() const {
  std::map<std::string, std::int64_t> out = added_;
  for (const auto& [collection, entries] : pending_) {
    if (!entries.empty()) out[collection] += static_cast<std::int64_t>(entries.size());
  }
  return out;
}

}  // namespace rollworks
