// Out-of-line pieces of the StateStore vocabulary: wiping SecretValue, the state and outcome
// names.
#include <sodium.h>

#include <array>

#include "chost/store/state_store.hpp"

namespace chost::store {

SecretValue::~SecretValue() {
  if (!value.empty()) sodium_memzero(value.data(), value.size());
}

bool is_valid_connection_state(std::string_view state) {
  static constexpr std::array<std::string_view, 5> kStates = {
      "unauthorized", "connected", "refreshing", "disconnected", "disabled"};
  for (auto s : kStates) {
    if (s == state) return true;
  }
  return false;
}

bool is_valid_subject_state(std::string_view state) {
  return state == "active" || state == "suspended" || state == "disabled";
}

bool is_valid_sync_outcome(std::string_view outcome) {
  if (outcome.empty() || outcome == "ok") return true;
  // A failed sync is named by its error class; not_found and conflict never end a sync.
  for (ErrorClass c : {ErrorClass::kTransient, ErrorClass::kAuthRevoked, ErrorClass::kConfig,
                       ErrorClass::kPermanent, ErrorClass::kCancelled}) {
    if (outcome == to_string(c)) return true;
  }
  return false;
}

bool is_valid_notification_state(std::string_view state) {
  return state == "pending" || state == "delivered" || state == "failed";
}

}  // namespace chost::store
