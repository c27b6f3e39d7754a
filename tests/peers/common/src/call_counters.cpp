// chpeer::CallCounters.
#include "chpeer/call_counters.h"

#include <boost/json.hpp>

namespace chpeer {

void CallCounters::Increment(const std::string& group, const std::string& key, std::int64_t delta) {
  std::lock_guard lock(mu_);
  groups_[group][key] += delta;
}

std::int64_t CallCounters::Get(const std::string& group, const std::string& key) const {
  std::lock_guard lock(mu_);
  auto g = groups_.find(group);
  if (g == groups_.end()) return 0;
  auto k = g->second.find(key);
  return k == g->second.end() ? 0 : k->second;
}

void CallCounters::Clear() {
  std::lock_guard lock(mu_);
  groups_.clear();
}

boost::json::value CallCounters::ToJson() const {
  std::lock_guard lock(mu_);
  boost::json::object out;
  for (const auto& [group, keys] : groups_) {
    boost::json::object g;
    for (const auto& [key, n] : keys) g[key] = n;
    out[group] = std::move(g);
  }
  return out;
}

}  // namespace chpeer
