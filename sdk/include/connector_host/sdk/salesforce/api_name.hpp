// Salesforce API names (sObject and field names such as Account, Rollworks__Shift__c): the one
// check every connector applies before putting a name from its config or its outbox into a SOQL
// query or a REST path.
#ifndef CONNECTOR_HOST_SDK_SALESFORCE_API_NAME_HPP_
#define CONNECTOR_HOST_SDK_SALESFORCE_API_NAME_HPP_

#include <cstddef>
#include <string_view>

namespace chp::salesforce {

// Longest name accepted. Salesforce's own limit is 40 characters per developer name; with a
// 15-character namespace prefix and the "__c"/"__r" suffixes a real name stays well below this,
// so anything longer is a mistake (or an attempt to smuggle text into a query), not a name.
inline constexpr std::size_t kMaxApiNameChars = 80;

// A letter first, then ASCII letters, digits and underscores (which covers namespace__Name__c),
// at most kMaxApiNameChars. ASCII ranges rather than std::isalpha: the C++ locale of the host
// process must not change what a plugin accepts.
inline bool is_api_name(std::string_view s) noexcept {
  if (s.empty() || s.size() > kMaxApiNameChars) return false;
  auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
  if (!letter(s.front())) return false;
  for (char c : s) {
    if (!letter(c) && !(c >= '0' && c <= '9') && c != '_') return false;
  }
  return true;
}

}  // namespace chp::salesforce

#endif  // CONNECTOR_HOST_SDK_SALESFORCE_API_NAME_HPP_
