// Thread-safe named counters the peers expose through their control APIs ("calls per path",
// "grants per type", ...) so tests can assert how a client talked to them.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include <boost/json/value.hpp>

namespace chpeer {

class CallCounters {
 public:
  void Increment(const std::string& group, const std::string& key, std::int64_t delta = 1);
  std::int64_t Get(const std::string& group, const std::string& key) const;
  void Clear();
  // {"group": {"key": n, ...}, ...}
  boost::json::value ToJson() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::map<std::string, std::int64_t>> groups_;
};

}  // namespace chpeer
