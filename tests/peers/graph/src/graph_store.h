// The Graph peer's directory and mailboxes: users, mail folders, messages and calendar events,
// each change stamped with a store-wide sequence number so delta rounds can ask "what changed
// after N". Messages and events are kept in their Graph JSON representation, normalised once
// when they enter the store (seed or control API).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "chpeer/manual_clock.h"

namespace chpeer::graph {

struct User {
  std::string id;  // GUID
  std::string user_principal_name;
  std::string mail;
  std::string display_name;
  bool account_enabled = true;
  bool has_mailbox = true;
  boost::json::object extra;  // givenName, surname, jobTitle, ... as seeded
};

struct MailFolder {
  std::string id;
  std::string well_known_name;  // "inbox", ... or empty
  std::string display_name;
};

struct Message {
  boost::json::object resource;  // Graph representation, id and parentFolderId included
  std::int64_t created_seq = 0;
  std::int64_t changed_seq = 0;
  std::string id() const;
  std::string folder_id() const;
};

struct Event {
  boost::json::object resource;
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  std::int64_t created_seq = 0;
  std::int64_t changed_seq = 0;
};

// A message that left a folder (deleted or moved) or an event that was deleted.
struct Removal {
  std::string id;
  std::string folder_id;  // messages only
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;  // events only
  std::int64_t seq = 0;
};

struct Mailbox {
  std::vector<MailFolder> folders;
  std::map<std::string, Message> messages;  // by id
  std::map<std::string, Event> events;      // by id
  std::vector<Removal> removed_messages;
  std::vector<Removal> removed_events;
};

class GraphStore {
 public:
  explicit GraphStore(const ManualClock& clock) : clock_(clock) {}
  void Reset();

  bool AddUser(User user, std::string* error);
  // By id, userPrincipalName or mail (case-insensitive); nullptr when unknown.
  const User* FindUser(std::string_view key) const;
  std::vector<const User*> Users() const;

  Mailbox* FindMailbox(const std::string& user_id);
  // By id or well-known name (case-insensitive).
  const MailFolder* FindFolder(const Mailbox& mailbox, std::string_view key) const;
  std::optional<std::string> AddFolder(const std::string& user_id, const std::string& display_name,
                                       const std::string& id, std::string* error);

  // Each returns the item's id, or nullopt with *error set.
  std::optional<std::string> AddMessage(const std::string& user_id, std::string_view folder,
                                        const boost::json::object& fields, std::string* error);
  bool UpdateMessage(const std::string& user_id, const std::string& id,
                     const boost::json::object& patch, std::string* error);
  bool DeleteMessage(const std::string& user_id, const std::string& id, std::string* error);
  // Moving gives the message a new id in the destination folder, as Exchange does.
  std::optional<std::string> MoveMessage(const std::string& user_id, const std::string& id,
                                         std::string_view destination, std::string* error);
  std::optional<std::string> AddEvent(const std::string& user_id, const boost::json::object& fields,
                                      std::string* error);
  bool UpdateEvent(const std::string& user_id, const std::string& id,
                   const boost::json::object& patch, std::string* error);
  bool DeleteEvent(const std::string& user_id, const std::string& id, std::string* error);

  // The sequence number of the latest change (0: none yet).
  std::int64_t seq() const { return seq_; }

 private:
  Mailbox* MailboxOrError(const std::string& user_id, std::string* error);
  void Touch(boost::json::object& resource);
  bool NormaliseMessage(const User& owner, const MailFolder& folder, boost::json::object& m,
                        std::string* error);
  bool NormaliseEvent(const User& owner, boost::json::object& e, Event* out, std::string* error);

  const ManualClock& clock_;
  std::map<std::string, User> users_;  // by id
  // Lower-cased id, userPrincipalName and mail → the ids of the users so named, so FindUser
  // (every request names its mailbox) is a lookup, not a scan of every user. The smallest id
  // wins, as the first match of a scan in id order would.
  std::map<std::string, std::set<std::string>, std::less<>> user_names_;
  void IndexUser(const User& user, bool add);
  std::map<std::string, Mailbox> mailboxes_;
  std::int64_t seq_ = 0;
};

}  // namespace chpeer::graph
