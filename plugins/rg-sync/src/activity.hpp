// What one Graph message becomes in Salesforce, as pure functions so they are tested without a
// network: parsing the message, choosing its external participants, its stable external id
// and the Task fields. No I/O here.
#ifndef PLUGINS_RG_SYNC_ACTIVITY_HPP_
#define PLUGINS_RG_SYNC_ACTIVITY_HPP_

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rgsync {

struct Address {
  std::string address;  // lower-case
  std::string name;
};

// The fields of a Graph `message` the sync uses.
struct MailMessage {
  std::string id;  // Graph id (changes when the message moves unless immutable ids are used)
  std::string internet_message_id;  // RFC 5322 Message-ID: the same in every mailbox
  std::string subject;
  std::string preview;  // bodyPreview
  std::optional<Address> from;
  std::vector<Address> recipients;  // to + cc + bcc
  std::string sent_at;              // sentDateTime (ISO 8601, UTC)
  std::string received_at;          // receivedDateTime
  bool is_draft = false;
  bool removed = false;  // "@removed": deleted or moved out of the folder
};

// A Salesforce record an address matched.
struct Who {
  std::string id;          // Contact or Lead Id
  std::string account_id;  // the Contact's AccountId; empty for Leads
  bool is_lead = false;
};

bool is_plausible_email(std::string_view s);

// Escapes a value for a single-quoted SOQL string literal.
std::string soql_quote(std::string_view value);

// Parses one item of a delta page. nullopt when it has no id (not a message).
std::optional<MailMessage> parse_message(const boost::json::value& item);

// The participants that are neither the mailbox owner, internal, nor blocklisted, in order of
// appearance (sender first), de-duplicated.
std::vector<std::string> external_participants(const MailMessage& m, std::string_view owner,
                                               const std::vector<std::string>& internal_domains,
                                               const std::vector<std::string>& blocklist);

// Stable across retries, folder moves and re-syncs: "rg-" + 40 hex digits of
// SHA-256(owner + "\n" + internetMessageId, else the Graph id). One Task per message and owner.
std::string task_external_id(std::string_view owner, const MailMessage& m);

struct TaskFields {
  std::string owner_id;  // the end user's Salesforce User Id
  Who who;
  std::string external_id_field;
  std::string external_id;
  bool outgoing = false;  // sent by the owner
  std::size_t snippet_chars = 1000;
};

// The Task for sObject Collections upsert (with "attributes":{"type":"Task"}).
boost::json::object build_task(const MailMessage& m, const TaskFields& f);

}  // namespace rgsync

#endif  // PLUGINS_RG_SYNC_ACTIVITY_HPP_
