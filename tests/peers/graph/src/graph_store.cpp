// GraphStore: normalisation of seeded/added items into Graph's representation and the
// change bookkeeping (sequence numbers, removals) delta rounds read.
#include "graph_store.h"

#include <algorithm>

#include <boost/json.hpp>

#include "chpeer/iso8601.h"
#include "chpeer/random_ids.h"
#include "graph_util.h"

namespace chpeer::graph {

namespace json = boost::json;

namespace {

// Exchange's default folders for every mailbox: {well-known name, display name}.
constexpr std::pair<const char*, const char*> kDefaultFolders[] = {
    {"inbox", "Inbox"},     {"sentitems", "Sent Items"},
    {"drafts", "Drafts"},   {"deleteditems", "Deleted Items"},
    {"archive", "Archive"}, {"junkemail", "Junk Email"}};

json::value Recipient(const json::value& v) {
  if (v.is_string()) {
    return json::object{
        {"emailAddress", json::object{{"name", v.as_string()}, {"address", v.as_string()}}}};
  }
  if (v.is_object() && !v.as_object().contains("emailAddress")) {
    return json::object{{"emailAddress", v}};
  }
  return v;
}

json::value Recipients(const json::value* v) {
  json::array out;
  if (v && v->is_array()) {
    for (const auto& r : v->as_array()) out.push_back(Recipient(r));
  } else if (v && !v->is_null()) {
    out.push_back(Recipient(*v));
  }
  return out;
}

json::object Address(const User& user) {
  return json::object{
      {"emailAddress", json::object{{"name", user.display_name}, {"address", user.mail}}}};
}

// Graph's bodyPreview: the first 255 characters of the body as plain text.
std::string Preview(const json::object& body) { return BodyText(body).substr(0, 255); }

json::object Body(const json::value* v) {
  if (v && v->is_object()) {
    json::object b = v->as_object();
    if (!b.contains("contentType")) b["contentType"] = "text";
    if (!b.contains("content")) b["content"] = "";
    return b;
  }
  return json::object{{"contentType", "text"},
                      {"content", v && v->is_string() ? v->as_string() : json::string()}};
}

// Reads a date/time member as ISO text or as {"dateTime","timeZone"}; the peer treats every
// time zone as UTC (see README).
std::optional<std::int64_t> Time(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_string()) return ParseIso8601(v->as_string());
  if (v->is_object()) {
    if (const json::value* dt = v->as_object().if_contains("dateTime"); dt && dt->is_string()) {
      return ParseIso8601(dt->as_string());
    }
  }
  return std::nullopt;
}

json::object ZoneTime(std::int64_t ms) {
  return json::object{{"dateTime", EventDateTime(ms)}, {"timeZone", "UTC"}};
}

json::value Attendee(const json::value& v) {
  json::object a;
  if (v.is_object() && v.as_object().contains("emailAddress"))
    a = v.as_object();
  else
    a = Recipient(v).as_object();
  if (!a.contains("type")) a["type"] = "required";
  if (!a.contains("status")) {
    a["status"] = json::object{{"response", "none"}, {"time", "0001-01-01T00:00:00Z"}};
  }
  return a;
}

// Builds `out` from `defaults` in order, letting `given` override and keep its extra members.
json::object Ordered(json::object defaults, const json::object& given) {
  for (const auto& [k, v] : given) defaults[k] = v;
  return defaults;
}

}  // namespace

std::string Message::id() const { return Str(resource, "id"); }

std::string Message::folder_id() const { return Str(resource, "parentFolderId"); }

void GraphStore::IndexUser(const User& user, bool add) {
  for (const std::string& name : {user.id, user.user_principal_name, user.mail}) {
    const std::string key = ToLower(name);
    if (add) {
      user_names_[key].insert(user.id);
    } else if (auto it = user_names_.find(key); it != user_names_.end()) {
      it->second.erase(user.id);
      if (it->second.empty()) user_names_.erase(it);
    }
  }
}

void GraphStore::Reset() {
  users_.clear();
  user_names_.clear();
  mailboxes_.clear();
  seq_ = 0;
}

bool GraphStore::AddUser(User user, std::string* error) {
  if (user.id.empty()) user.id = NewGuid();
  if (user.user_principal_name.empty()) {
    *error = "user " + user.id + " needs a userPrincipalName";
    return false;
  }
  if (user.mail.empty()) user.mail = user.user_principal_name;
  if (user.display_name.empty()) user.display_name = user.user_principal_name;
  if (auto named = user_names_.find(ToLower(user.user_principal_name));
      named != user_names_.end()) {
    for (const std::string& id : named->second) {
      if (id != user.id &&
          EqualsIgnoreCase(users_.at(id).user_principal_name, user.user_principal_name)) {
        *error = "duplicate userPrincipalName " + user.user_principal_name;
        return false;
      }
    }
  }
  if (user.has_mailbox && !mailboxes_.contains(user.id)) {
    Mailbox& mailbox = mailboxes_[user.id];
    for (const auto& [name, display] : kDefaultFolders) {
      mailbox.folders.push_back(MailFolder{NewFolderId(), name, display});
    }
  }
  if (!user.has_mailbox) mailboxes_.erase(user.id);
  if (auto old = users_.find(user.id); old != users_.end()) IndexUser(old->second, false);
  IndexUser(user, true);
  users_[user.id] = std::move(user);
  return true;
}

const User* GraphStore::FindUser(std::string_view key) const {
  auto named = user_names_.find(ToLower(key));
  if (named == user_names_.end() || named->second.empty()) return nullptr;
  return &users_.at(*named->second.begin());
}

std::vector<const User*> GraphStore::Users() const {
  std::vector<const User*> out;
  for (const auto& [id, user] : users_) out.push_back(&user);
  return out;
}

Mailbox* GraphStore::FindMailbox(const std::string& user_id) {
  auto it = mailboxes_.find(user_id);
  return it == mailboxes_.end() ? nullptr : &it->second;
}

Mailbox* GraphStore::MailboxOrError(const std::string& user_id, std::string* error) {
  const User* user = FindUser(user_id);
  Mailbox* mailbox = user ? FindMailbox(user->id) : nullptr;
  if (!mailbox) *error = "unknown user or no mailbox: " + user_id;
  return mailbox;
}

const MailFolder* GraphStore::FindFolder(const Mailbox& mailbox, std::string_view key) const {
  for (const auto& folder : mailbox.folders) {
    if (folder.id == key ||
        (!folder.well_known_name.empty() && EqualsIgnoreCase(folder.well_known_name, key))) {
      return &folder;
    }
  }
  return nullptr;
}

std::optional<std::string> GraphStore::AddFolder(const std::string& user_id,
                                                 const std::string& display_name,
                                                 const std::string& id, std::string* error) {
  Mailbox* mailbox = MailboxOrError(user_id, error);
  if (!mailbox) return std::nullopt;
  for (const auto& folder : mailbox->folders) {
    if (EqualsIgnoreCase(folder.display_name, display_name)) return folder.id;
  }
  mailbox->folders.push_back(MailFolder{id.empty() ? NewFolderId() : id, "", display_name});
  return mailbox->folders.back().id;
}

void GraphStore::Touch(json::object& resource) {
  std::string change_key = NewChangeKey();
  resource["lastModifiedDateTime"] = GraphDateTime(clock_.NowMs());
  resource["changeKey"] = change_key;
  resource["@odata.etag"] = "W/\"" + change_key + "\"";
  ++seq_;
}

bool GraphStore::NormaliseMessage(const User& owner, const MailFolder& folder, json::object& m,
                                  std::string* error) {
  std::string now = GraphDateTime(clock_.NowMs());
  for (const char* key : {"receivedDateTime", "sentDateTime", "createdDateTime"}) {
    if (const json::value* v = m.if_contains(key)) {
      auto ms = v->is_string() ? ParseIso8601(v->as_string()) : std::nullopt;
      if (!ms) {
        *error = std::string(key) + " must be an ISO 8601 date/time";
        return false;
      }
      m[key] = GraphDateTime(*ms);
    }
  }
  bool outgoing = folder.well_known_name == "sentitems" || folder.well_known_name == "drafts";
  json::object body = Body(m.if_contains("body"));
  json::value from =
      m.contains("from")
          ? Recipient(m.at("from"))
          : json::value(outgoing
                            ? Address(owner)
                            : json::object{{"emailAddress",
                                            json::object{{"name", "Peer Sender"},
                                                         {"address", "sender@peer.example"}}}});
  std::string id = Str(m, "id", NewItemId());
  json::object defaults{{"@odata.etag", ""},
                        {"id", id},
                        {"createdDateTime", Str(m, "createdDateTime", now)},
                        {"lastModifiedDateTime", now},
                        {"changeKey", ""},
                        {"categories", json::array{}},
                        {"receivedDateTime", Str(m, "receivedDateTime", now)},
                        {"sentDateTime", Str(m, "sentDateTime", Str(m, "receivedDateTime", now))},
                        {"hasAttachments", false},
                        {"internetMessageId", "<" + RandomUrlSafe(24) + "@peer.example>"},
                        {"subject", ""},
                        {"bodyPreview", Preview(body)},
                        {"importance", "normal"},
                        {"parentFolderId", folder.id},
                        {"conversationId", "AAQkAD" + RandomUrlSafe(40) + "="},
                        {"isDeliveryReceiptRequested", false},
                        {"isReadReceiptRequested", false},
                        {"isRead", outgoing},
                        {"isDraft", folder.well_known_name == "drafts"},
                        {"webLink", "https://outlook.office365.com/owa/?ItemID=" + id +
                                        "&exvsurl=1&viewmodel=ReadMessageItem"},
                        {"inferenceClassification", "focused"},
                        {"body", body},
                        {"sender", m.contains("sender") ? Recipient(m.at("sender")) : from},
                        {"from", from},
                        {"toRecipients", Recipients(m.if_contains("toRecipients"))},
                        {"ccRecipients", Recipients(m.if_contains("ccRecipients"))},
                        {"bccRecipients", Recipients(m.if_contains("bccRecipients"))},
                        {"replyTo", Recipients(m.if_contains("replyTo"))},
                        {"flag", json::object{{"flagStatus", "notFlagged"}}}};
  for (const char* key : {"body", "from", "sender", "toRecipients", "ccRecipients", "bccRecipients",
                          "replyTo", "parentFolderId"}) {
    m.erase(key);
  }
  m = Ordered(std::move(defaults), m);
  return true;
}

std::optional<std::string> GraphStore::AddMessage(const std::string& user_id,
                                                  std::string_view folder_key,
                                                  const json::object& fields, std::string* error) {
  Mailbox* mailbox = MailboxOrError(user_id, error);
  if (!mailbox) return std::nullopt;
  const MailFolder* folder = FindFolder(*mailbox, folder_key);
  if (!folder) {
    *error = "unknown folder " + std::string(folder_key);
    return std::nullopt;
  }
  json::object m = fields;
  if (!NormaliseMessage(*FindUser(user_id), *folder, m, error)) return std::nullopt;
  std::string id = Str(m, "id");
  if (mailbox->messages.contains(id)) {
    *error = "duplicate message id " + id;
    return std::nullopt;
  }
  Touch(m);
  Message& message = mailbox->messages[id];
  message.resource = std::move(m);
  message.created_seq = message.changed_seq = seq_;
  return id;
}

bool GraphStore::UpdateMessage(const std::string& user_id, const std::string& id,
                               const json::object& patch, std::string* error) {
  Mailbox* mailbox = MailboxOrError(user_id, error);
  if (!mailbox) return false;
  auto it = mailbox->messages.find(id);
  if (it == mailbox->messages.end()) {
    *error = "unknown message " + id;
    return false;
  }
  for (const auto& [k, v] : patch) {
    if (k == "id" || k == "parentFolderId") continue;
    bool list =
        k == "toRecipients" || k == "ccRecipients" || k == "bccRecipients" || k == "replyTo";
    if (list) {
      it->second.resource[k] = Recipients(&v);
    } else if (k == "from" || k == "sender") {
      it->second.resource[k] = Recipient(v);
    } else if (k == "body") {
      json::object body = Body(&v);
      it->second.resource["bodyPreview"] = Preview(body);
      it->second.resource[k] = std::move(body);
    } else {
      it->second.resource[k] = v;
    }
  }
  Touch(it->second.resource);
  it->second.changed_seq = seq_;
  return true;
}

bool GraphStore::DeleteMessage(const std::string& user_id, const std::string& id,
                               std::string* error) {
  Mailbox* mailbox = MailboxOrError(user_id, error);
  if (!mailbox) return false;
  auto it = mailbox->messages.find(id);
  if (it == mailbox->messages.end()) {
    *error = "unknown message " + id;
    return false;
  }
  ++seq_;
  mailbox->removed_messages.push_back(Removal{id, it->second.folder_id(), 0, 0, seq_});
  mailbox->messages.erase(it);
  return true;
}

std::optional<std::string> GraphStore::MoveMessage(const std::string& user_id,
                                                   const std::string& id,
                                                   std::string_view destination,
                                                   std::string* error) {
  Mailbox* mailbox = MailboxOrError(user_id, error);
  if (!mailbox) return std::nullopt;
  auto it = mailbox->messages.find(id);
  const MailFolder* folder = FindFolder(*mailbox, destination);
  if (it == mailbox->messages.end() || !folder) {
    *error = it == mailbox->messages.end() ? "unknown message " + id
                                           : "unknown folder " + std::string(destination);
    return std::nullopt;
  }
  json::object moved = it->second.resource;
  std::string new_id = NewItemId();
  moved["id"] = new_id;
  moved["parentFolderId"] = folder->id;
  ++seq_;
  mailbox->removed_messages.push_back(Removal{id, it->second.folder_id(), 0, 0, seq_});
  mailbox->messages.erase(it);
  Touch(moved);
  Message& message = mailbox->messages[new_id];
  message.resource = std::move(moved);
  message.created_seq = message.changed_seq = seq_;
  return new_id;
}

bool GraphStore::NormaliseEvent(const User& owner, json::object& e, Event* out,
                                std::string* error) {
  auto start = Time(e, "start");
  auto end = Time(e, "end");
  if (!start || !end || *end < *start) {
    *error = "an event needs start and end (ISO 8601 or {dateTime,timeZone}), end >= start";
    return false;
  }
  out->start_ms = *start;
  out->end_ms = *end;
  std::string now = GraphDateTime(clock_.NowMs());
  json::object body = Body(e.if_contains("body"));
  json::array attendees;
  if (const json::value* a = e.if_contains("attendees"); a && a->is_array()) {
    for (const auto& item : a->as_array()) attendees.push_back(Attendee(item));
  }
  std::string id = Str(e, "id", NewItemId());
  json::object defaults{
      {"@odata.etag", ""},
      {"id", id},
      {"createdDateTime", now},
      {"lastModifiedDateTime", now},
      {"changeKey", ""},
      {"categories", json::array{}},
      {"originalStartTimeZone", "UTC"},
      {"originalEndTimeZone", "UTC"},
      {"iCalUId", "040000008200E00074C5B7101A82E00800000000" + RandomUrlSafe(32)},
      {"reminderMinutesBeforeStart", 15},
      {"isReminderOn", true},
      {"hasAttachments", false},
      {"subject", ""},
      {"bodyPreview", Preview(body)},
      {"importance", "normal"},
      {"sensitivity", "normal"},
      {"isAllDay", false},
      {"isCancelled", false},
      {"isOrganizer", true},
      {"responseRequested", true},
      {"showAs", "busy"},
      {"type", "singleInstance"},
      {"webLink",
       "https://outlook.office365.com/owa/?itemid=" + id + "&exvsurl=1&path=/calendar/item"},
      {"body", body},
      {"start", ZoneTime(*start)},
      {"end", ZoneTime(*end)},
      {"location", json::object{{"displayName", ""}}},
      {"locations", json::array{}},
      {"attendees", std::move(attendees)},
      {"organizer", e.contains("organizer") ? Recipient(e.at("organizer")) : Address(owner)}};
  for (const char* key : {"body", "start", "end", "attendees", "organizer"}) e.erase(key);
  e = Ordered(std::move(defaults), e);
  return true;
}

std::optional<std::string> GraphStore::AddEvent(const std::string& user_id,
                                                const json::object& fields, std::string* error) {
  Mailbox* mailbox = MailboxOrError(user_id, error);
  if (!mailbox) return std::nullopt;
  Event event;
  json::object e = fields;
  if (!NormaliseEvent(*FindUser(user_id), e, &event, error)) return std::nullopt;
  std::string id = Str(e, "id");
  if (mailbox->events.contains(id)) {
    *error = "duplicate event id " + id;
    return std::nullopt;
  }
  Touch(e);
  event.resource = std::move(e);
  event.created_seq = event.changed_seq = seq_;
  mailbox->events[id] = std::move(event);
  return id;
}

bool GraphStore::UpdateEvent(const std::string& user_id, const std::string& id,
                             const json::object& patch, std::string* error) {
  Mailbox* mailbox = MailboxOrError(user_id, error);
  if (!mailbox) return false;
  auto it = mailbox->events.find(id);
  if (it == mailbox->events.end()) {
    *error = "unknown event " + id;
    return false;
  }
  json::object merged = it->second.resource;
  for (const auto& [k, v] : patch) {
    if (k != "id") merged[k] = v;
  }
  Event updated;
  if (!NormaliseEvent(*FindUser(user_id), merged, &updated, error)) return false;
  Touch(merged);
  updated.resource = std::move(merged);
  updated.created_seq = it->second.created_seq;
  updated.changed_seq = seq_;
  it->second = std::move(updated);
  return true;
}

bool GraphStore::DeleteEvent(const std::string& user_id, const std::string& id,
                             std::string* error) {
  Mailbox* mailbox = MailboxOrError(user_id, error);
  if (!mailbox) return false;
  auto it = mailbox->events.find(id);
  if (it == mailbox->events.end()) {
    *error = "unknown event " + id;
    return false;
  }
  ++seq_;
  mailbox->removed_events.push_back(Removal{id, "", it->second.start_ms, it->second.end_ms, seq_});
  mailbox->events.erase(it);
  return true;
}

}  // namespace chpeer::graph
