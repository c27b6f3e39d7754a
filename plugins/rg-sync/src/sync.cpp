// sync: resolve the entitled users in Salesforce, then per user and folder read the Graph
// delta and upsert one Task per message with a known external participant.
//
// Order per delta page: look up the participants (Contacts first, then unconverted Leads,
// batched, cached for the sync), upsert the page's Tasks through sObject Collections (200 per
// call, by the external id), then commit the page's next/delta link as the checkpoint. A crash
// between the upsert and the commit re-reads that page; the upsert makes it a no-op.
//
// Failures are per user: the user is reported "disabled" with the reason (user not in
// Salesforce, inactive, mailbox not found, app-only access denied, a Task refused) and the
// others go on. A Salesforce connection that is not connected (AuthRevokedError) ends the
// whole sync at once: there is nothing any user can do until the admin reauthorizes, and the
// host marks every user with the connection's reason.
#include <connector_host/sdk/http/url.hpp>
#include <connector_host/sdk/salesforce/permissions.hpp>

#include <algorithm>
#include <set>

#include "rg_sync_connector.hpp"

namespace rgsync {
namespace {

constexpr std::size_t kSoqlInChunk = 100;  // values per IN (...) list: keeps the URL short
constexpr std::size_t kMaxPagesPerFolder = 10'000;

constexpr const char* kMessageSelect =
    "subject,bodyPreview,from,sender,toRecipients,ccRecipients,bccRecipients,"
    "receivedDateTime,sentDateTime,internetMessageId,isDraft";

std::string str(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string in_list(const std::vector<std::string>& values, std::size_t from, std::size_t n) {
  std::string out = "(";
  for (std::size_t i = from; i < from + n && i < values.size(); ++i) {
    out += (i == from ? "" : ", ") + soql_quote(values[i]);
  }
  return out + ")";
}

std::string lacks_text(const ServiceAccount& service) {
  std::string what;
  for (const std::string& m : service.missing) what += (what.empty() ? "" : ", ") + m;
  return "the Salesforce service account " + service.username + " lacks: " + what +
         " (give it a permission set with these, then sync again)";
}

std::optional<std::string> end_user_warning(const ServiceAccount& service,
                                            const std::vector<EndUser>& users) {
  if (std::none_of(users.begin(), users.end(),
                   [&](const EndUser& u) { return u.email == service.email; })) {
    return std::nullopt;
  }
  return "the Salesforce service account " + service.username +
         " is also an entitled end user: do not use an active end-user account as the service "
         "account (when that person leaves, every user's sync stops)";
}

}  // namespace

// ABI 1.3 "check_connection": right after an admin's "Log in with Salesforce", the same checks
// a sync makes first, answered to the admin instead of found at the next cycle.
void RgSyncConnector::authorize(chp::Call& call, const boost::json::object& input) {
  if (str(input, "step") != "check_connection") {
    throw chp::PermanentError(
        "rg-sync authorizes nothing itself: authorize the Salesforce connection it uses");
  }
  chp::salesforce::Client sf(ctx_, call, chp::salesforce::host_token_source(ctx_, call),
                             config_.salesforce);
  // A short-lived instance (see the ABI): nothing is cached yet, the check asks Salesforce.
  const ServiceAccount& service = check_service_account(sf);
  if (!service.missing.empty()) throw chp::ConfigError(lacks_text(service));
  boost::json::array warnings;
  if (std::optional<std::string> w = end_user_warning(service, resolve_users(sf))) {
    warnings.emplace_back(*w);
  }
  call.set_output(boost::json::object{{"warnings", std::move(warnings)}});
}

const ServiceAccount& RgSyncConnector::check_service_account(chp::salesforce::Client& sf) {
  if (service_ && std::chrono::steady_clock::now() - service_->checked_at < kServiceCheckTtl) {
    return *service_;
  }
  ServiceAccount acct;
  boost::json::value info = sf.get_json("/services/oauth2/userinfo", "userinfo");
  if (info.is_object()) {
    acct.user_id = str(info.as_object(), "user_id");
    acct.username = str(info.as_object(), "preferred_username");
    acct.email = lower(str(info.as_object(), "email"));
  }
  if (acct.user_id.empty()) throw chp::PermanentError("userinfo did not name the user");
  const chp::salesforce::UserPermissions p =
      chp::salesforce::read_user_permissions(sf, acct.user_id);
  if (!p.has_system("ApiEnabled")) acct.missing.push_back("API Enabled");
  if (!p.has_system("ViewAllData") && !p.has_system("ModifyAllData")) {
    // Every user's Contacts and Leads must be visible: View All Data, or View All per object.
    std::string objects_missing;
    for (const char* object : {"Account", "Contact", "Lead"}) {
      if (!p.has_object(object, "ViewAllRecords")) {
        objects_missing += (objects_missing.empty() ? "" : ", ") + std::string(object);
      }
    }
    if (!objects_missing.empty()) {
      acct.missing.push_back("View All Data (or View All on " + objects_missing + ")");
    }
  }
  // Tasks owned by every end user are created and updated (Modify All Data covers it).
  if (!p.has_object("Task", "Create")) acct.missing.push_back("Create on Task");
  if (!p.has_object("Task", "Edit")) acct.missing.push_back("Edit on Task");
  if (config_.calendar) {  // meetings become Events owned by the end users
    if (!p.has_object("Event", "Create")) acct.missing.push_back("Create on Event");
    if (!p.has_object("Event", "Edit")) acct.missing.push_back("Edit on Event");
  }
  acct.checked_at = std::chrono::steady_clock::now();
  service_ = std::move(acct);
  return *service_;
}

RgSyncConnector::RgSyncConnector(chp::Context& ctx, const boost::json::object& config)
    : ctx_(ctx), config_(parse_config(config)) {}

std::vector<EndUser> RgSyncConnector::resolve_users(chp::salesforce::Client& sf) {
  std::map<std::string, EndUser> by_email;
  for (const std::string& e : config_.users) by_email[e].email = e;
  auto take = [&](chp::salesforce::QueryPage& page, bool add_new) {
    for (const boost::json::value& v : page.records) {
      if (!v.is_object()) continue;
      const boost::json::object& r = v.as_object();
      const std::string email = lower(str(r, "Email"));
      auto it = by_email.find(email);
      if (it == by_email.end()) {
        if (!add_new || email.empty()) continue;
        it = by_email.emplace(email, EndUser{}).first;
        it->second.email = email;
      }
      EndUser& u = it->second;
      const boost::json::value* a = r.if_contains("IsActive");
      const bool active = a != nullptr && a->is_bool() && a->as_bool();
      // Several Users may share an email: the active one wins, then the one named by it.
      if (u.found && (u.active || !active) &&
          !(active == u.active && lower(str(r, "Username")) == email)) {
        continue;
      }
      u.found = true;
      u.active = active;
      u.user_id = str(r, "Id");
      u.username = str(r, "Username");
      u.name = str(r, "Name");
    }
  };
  const std::string fields = "SELECT Id, Username, Email, Name, IsActive FROM User WHERE ";
  for (std::size_t i = 0; i < config_.users.size(); i += kSoqlInChunk) {
    sf.query(fields + "Email IN " + in_list(config_.users, i, kSoqlInChunk),
             [&](chp::salesforce::QueryPage& page) { take(page, false); });
  }
  if (!config_.users_where.empty()) {
    sf.query(fields + "IsActive = true AND (" + config_.users_where + ")",
             [&](chp::salesforce::QueryPage& page) { take(page, true); });
  }
  std::vector<EndUser> out;
  out.reserve(by_email.size());
  for (auto& [email, u] : by_email) out.push_back(std::move(u));
  return out;
}

void RgSyncConnector::lookup_people(chp::salesforce::Client& sf,
                                    const std::vector<std::string>& addresses) {
  std::vector<std::string> todo;
  for (const std::string& a : addresses) {
    if (!people_.contains(a) && std::find(todo.begin(), todo.end(), a) == todo.end()) {
      todo.push_back(a);
    }
  }
  if (todo.empty()) return;
  for (std::size_t i = 0; i < todo.size(); i += kSoqlInChunk) {
    sf.query("SELECT Id, Email, AccountId FROM Contact WHERE Email IN " +
                 in_list(todo, i, kSoqlInChunk) + " ORDER BY CreatedDate ASC",
             [&](chp::salesforce::QueryPage& page) {
               for (const boost::json::value& v : page.records) {
                 const boost::json::object& r = v.as_object();
                 const std::string email = lower(str(r, "Email"));
                 if (people_.contains(email)) continue;  // the oldest Contact wins
                 people_[email] = Who{str(r, "Id"), str(r, "AccountId"), false};
               }
             });
  }
  std::vector<std::string> leads;
  for (const std::string& a : todo) {
    if (!people_.contains(a)) leads.push_back(a);
  }
  for (std::size_t i = 0; i < leads.size(); i += kSoqlInChunk) {
    sf.query("SELECT Id, Email FROM Lead WHERE IsConverted = false AND Email IN " +
                 in_list(leads, i, kSoqlInChunk) + " ORDER BY CreatedDate ASC",
             [&](chp::salesforce::QueryPage& page) {
               for (const boost::json::value& v : page.records) {
                 const boost::json::object& r = v.as_object();
                 const std::string email = lower(str(r, "Email"));
                 if (people_.contains(email)) continue;
                 people_[email] = Who{str(r, "Id"), "", true};
               }
             });
  }
  for (const std::string& a : todo) people_.try_emplace(a, std::nullopt);
}

std::optional<Who> RgSyncConnector::first_match(const std::vector<std::string>& addresses) const {
  for (const std::string& a : addresses) {
    if (auto it = people_.find(a); it != people_.end() && it->second) return it->second;
  }
  return std::nullopt;
}

std::string RgSyncConnector::upsert_records(chp::salesforce::Client& sf, const std::string& sobject,
                                            const std::string& field, boost::json::array& records,
                                            std::int64_t& upserted, std::int64_t& failed) {
  if (records.empty()) return "";
  std::vector<chp::salesforce::RecordResult> results =
      sf.composite_upsert(sobject, field, records, false);
  std::string first_error;
  for (const chp::salesforce::RecordResult& res : results) {
    if (res.success) {
      ++upserted;
    } else {
      ++failed;
      if (first_error.empty()) first_error = res.error_text();
    }
  }
  return first_error;
}

void RgSyncConnector::commit_checkpoint(
    const UserPass& pass, const SyncCounts& counts,
    const std::vector<std::pair<std::string, std::string>>& puts, bool done) {
  chp::Transaction txn = ctx_.begin();
  for (const auto& [key, value] : puts) txn.put(key, value);
  if (done && pass.last_stream) {
    const std::int64_t now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now_().time_since_epoch()).count();
    const PollState next = next_poll_state(pass.poll, counts.changes() > pass.changes_before,
                                           config_.idle_intervals_minutes, now_ms);
    txn.put(std::string(kPollPrefix) + pass.user.email, serialize_poll_state(next));
  }
  txn.commit();
}

std::string RgSyncConnector::initial_mail_url(const EndUser& user,
                                              const std::string& folder) const {
  return "/v1.0/users/" + chp::http::url_encode(user.email) + "/mailFolders/" + folder +
         "/messages/delta?$select=" + kMessageSelect;
}

std::string RgSyncConnector::mail_prefer() const {
  return "odata.maxpagesize=" + std::to_string(config_.page_size);
}

std::string RgSyncConnector::sync_folder(chp::Call& call, chp::salesforce::Client& sf,
                                         GraphClient& graph, const UserPass& pass,
                                         const std::string& folder, SyncCounts& counts) {
  const EndUser& user = pass.user;
  const std::string key = std::string(kDeltaPrefix) + user.email + "/" + folder;
  const std::string initial = initial_mail_url(user, folder);
  const std::string prefer = mail_prefer();
  std::string url = ctx_.state_get(key).value_or(initial);
  bool resynced = false;
  for (std::size_t page_no = 0; page_no < kMaxPagesPerFolder; ++page_no) {
    call.throw_if_cancelled();
    GraphResponse r = graph.get(url, prefer);
    if (!r.ok()) {
      if (needs_resync(r) && url != initial && !resynced) {
        // The delta token expired: read the folder again from the start. The upsert by
        // external id makes the re-read messages no-ops in Salesforce.
        ctx_.log(chp::LogLevel::kInfo, user.email + "/" + folder + ": delta token expired (" +
                                           r.error_text() + "), re-reading the folder");
        resynced = true;
        ++counts.resyncs;
        url = initial;
        continue;
      }
      return describe_mailbox_error(r);
    }
    const boost::json::value* value = r.body.if_contains("value");
    std::vector<MailMessage> messages;
    if (value != nullptr && value->is_array()) {
      for (const boost::json::value& item : value->as_array()) {
        std::optional<MailMessage> m = parse_message(item);
        if (!m) continue;
        if (m->removed) {
          ++counts.removed;  // the Task stays: the conversation happened
          continue;
        }
        ++counts.messages;
        if (!m->is_draft) messages.push_back(std::move(*m));
      }
    }
    std::vector<std::vector<std::string>> externals;
    std::vector<std::string> all;
    for (const MailMessage& m : messages) {
      externals.push_back(
          external_participants(m, user.email, config_.internal_domains, config_.blocklist));
      all.insert(all.end(), externals.back().begin(), externals.back().end());
    }
    lookup_people(sf, all);
    boost::json::array tasks;
    for (std::size_t i = 0; i < messages.size(); ++i) {
      const MailMessage& m = messages[i];
      std::optional<Who> who = first_match(externals[i]);
      if (!who) {
        if (!externals[i].empty()) ++counts.unmatched;
        continue;
      }
      TaskFields f;
      f.owner_id = user.user_id;
      f.who = *who;
      f.external_id_field = config_.task_external_id_field;
      f.external_id = task_external_id(user.email, m);
      f.outgoing = m.from && m.from->address == user.email;
      f.snippet_chars = config_.snippet_chars;
      tasks.emplace_back(build_task(m, f));
    }
    const std::string refused = upsert_records(sf, "Task", config_.task_external_id_field, tasks,
                                               counts.tasks, counts.tasks_failed);
    // The checkpoint stays before this page: the next cycle tries its messages again.
    if (!refused.empty()) return "Salesforce refused a Task: " + refused;
    const std::string next = str(r.body, "@odata.nextLink");
    const std::string delta = str(r.body, "@odata.deltaLink");
    if (next.empty() && delta.empty()) {
      return "Microsoft Graph: a delta page without @odata.nextLink or @odata.deltaLink";
    }
    commit_checkpoint(pass, counts, {{key, next.empty() ? delta : next}}, next.empty());
    if (next.empty()) return "";
    url = next;
  }
  return "Microsoft Graph: more than " + std::to_string(kMaxPagesPerFolder) +
         " delta pages in one sync; continuing next cycle";
}

void RgSyncConnector::forget_departed(const std::vector<EndUser>& users) {
  std::set<std::string> now;
  for (const EndUser& u : users) now.insert(u.email);
  std::set<std::string> before;
  if (std::optional<std::string> known = ctx_.state_get(kKnownUsersKey)) {
    if (auto v = chp::try_parse(*known); v && v->is_array()) {
      for (const boost::json::value& e : v->as_array()) {
        if (e.is_string()) before.insert(std::string(e.as_string()));
      }
    }
  }
  for (const std::string& email : before) {
    if (!now.contains(email)) {
      ctx_.report_subject(email, email, chp::SubjectState::kDisabled,
                          "no longer entitled: not in 'users' and not matched by 'users_where'");
    }
  }
  if (before != now) {
    boost::json::array list;
    for (const std::string& e : now) list.emplace_back(e);
    chp::Transaction txn = ctx_.begin();
    txn.put(kKnownUsersKey, boost::json::serialize(list));
    txn.commit();
  }
}

// A set of subject ids from the sync input (ABI 1.2: "subjects", "disabled_subjects").
static std::optional<std::set<std::string>> subject_set(const boost::json::object& input,
                                                        std::string_view key) {
  const boost::json::value* v = input.if_contains(key);
  if (v == nullptr || !v->is_array()) return std::nullopt;
  std::set<std::string> out;
  for (const boost::json::value& id : v->as_array()) {
    if (id.is_string()) out.insert(lower(std::string(id.as_string())));
  }
  return out;
}

void RgSyncConnector::sync(chp::Call& call, const boost::json::object& input) {
  // An admin pressed sync, or the connection came back: everyone now, whatever their interval.
  const std::string reason = str(input, "reason");
  const bool poll_everyone = reason == "manual" || reason == "resume";
  people_.clear();
  // An admin's per-user switches: skip the users switched off (the host shows "Disabled"),
  // and "sync now" for some users reads only those.
  const std::set<std::string> disabled =
      subject_set(input, "disabled_subjects").value_or(std::set<std::string>{});
  const std::optional<std::set<std::string>> only = subject_set(input, "subjects");
  chp::salesforce::Client sf(ctx_, call, chp::salesforce::host_token_source(ctx_, call),
                             config_.salesforce);
  std::vector<EndUser> users = resolve_users(sf);
  forget_departed(users);
  const ServiceAccount& service = check_service_account(sf);
  if (!service.missing.empty()) {
    const std::string why = lacks_text(service);
    service_.reset();  // check again next time: the admin may fix it at once
    for (const EndUser& u : users) {
      ctx_.report_subject(u.email, u.name.empty() ? u.email : u.name, chp::SubjectState::kDisabled,
                          why);
    }
    throw chp::ConfigError(why);
  }
  if (std::optional<std::string> w = end_user_warning(service, users)) {
    ctx_.log(chp::LogLevel::kWarn, *w);
  }
  GraphClient graph(ctx_, call, config_.graph, graph_state_, config_.mailbox_requests_per_10min);
  SyncCounts counts;
  counts.users = static_cast<std::int64_t>(users.size());
  try {
    graph.ensure_token();
  } catch (const chp::AuthRevokedError&) {
    throw;
  } catch (const chp::CancelledError&) {
    throw;
  } catch (const chp::Error& e) {
    for (const EndUser& u : users) {
      ctx_.report_subject(u.email, u.name.empty() ? u.email : u.name, chp::SubjectState::kDisabled,
                          e.what());
    }
    throw;
  }
  // The first mail page of the next users that will be polled, asked for in JSON batches: a
  // user with no new mail then costs a twentieth of a request instead of one per folder.
  auto will_poll = [&](const EndUser& u) {
    if (disabled.contains(u.email) || (only && !only->contains(u.email))) return false;
    if (!u.found || !u.active) return false;
    if (poll_everyone) return true;
    std::optional<std::string> stored = ctx_.state_get(std::string(kPollPrefix) + u.email);
    std::optional<PollState> poll = stored ? parse_poll_state(*stored) : std::nullopt;
    const std::int64_t now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now_().time_since_epoch()).count();
    return !poll || poll_due(*poll, now_ms);
  };
  // Each polled user's first page of every folder and, with calendars, of the calendar.
  const std::size_t per_user = config_.folders.size() + (config_.calendar ? 1 : 0);
  const std::size_t users_per_batch = std::max<std::size_t>(1, GraphClient::kBatchMax / per_user);
  std::size_t prefetched_until = 0;
  for (std::size_t index = 0; index < users.size(); ++index) {
    const EndUser& u = users[index];
    call.throw_if_cancelled();
    if (index >= prefetched_until) {
      std::vector<BatchGet> gets;
      std::size_t j = index;
      for (std::size_t taken = 0; j < users.size() && taken < users_per_batch; ++j) {
        if (!will_poll(users[j])) continue;
        ++taken;
        for (const std::string& folder : config_.folders) {
          gets.push_back({ctx_.state_get(std::string(kDeltaPrefix) + users[j].email + "/" + folder)
                              .value_or(initial_mail_url(users[j], folder)),
                          mail_prefer()});
        }
        if (config_.calendar) gets.push_back({calendar_start(users[j]).url, calendar_prefer()});
      }
      prefetched_until = j;
      if (gets.size() > 1) graph.prefetch(gets);
    }
    if (disabled.contains(u.email) || (only && !only->contains(u.email))) {
      ++counts.users_skipped;  // switched off by an admin, or not named by a sync-now
      continue;
    }
    const std::string shown = u.name.empty() ? u.email : u.name;
    std::string error;
    if (!u.found) {
      error = "user not found in Salesforce (no User has this email)";
    } else if (!u.active) {
      error = "Salesforce user " + u.username + " is inactive";
    } else {
      const std::string poll_key = std::string(kPollPrefix) + u.email;
      std::optional<PollState> poll;
      if (std::optional<std::string> stored = ctx_.state_get(poll_key)) {
        poll = parse_poll_state(*stored);
      }
      const std::int64_t now_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(now_().time_since_epoch()).count();
      if (!poll_everyone && poll && !poll_due(*poll, now_ms)) {
        ++counts.users_skipped;  // its status detail stays that of its last sync
        continue;
      }
      UserPass pass{u, counts.changes(), poll.value_or(PollState{}), false};
      const SyncCounts before = counts;
      try {
        for (std::size_t i = 0; i < config_.folders.size() && error.empty(); ++i) {
          const std::string& folder = config_.folders[i];
          pass.last_stream = !config_.calendar && i + 1 == config_.folders.size();
          error = sync_folder(call, sf, graph, pass, folder, counts);
          if (!error.empty()) error = folder + ": " + error;
        }
        if (error.empty() && config_.calendar) {
          pass.last_stream = true;
          error = sync_calendar(call, sf, graph, pass, counts);
          if (!error.empty()) error = "calendar: " + error;
        }
      } catch (const chp::AuthRevokedError&) {
        throw;  // the service connection: every user waits for the admin (see top)
      } catch (const chp::CancelledError&) {
        throw;
      } catch (const chp::Error& e) {
        error = e.what();
      }
      if (error.empty()) {
        ++counts.users_ok;
        std::string detail = "synced " + std::to_string(counts.messages - before.messages) +
                             " message(s), " + std::to_string(counts.tasks - before.tasks) +
                             " task(s)";
        if (config_.calendar) {
          detail += ", " + std::to_string(counts.events - before.events) + " event(s), " +
                    std::to_string(counts.events_upserted - before.events_upserted) +
                    " Salesforce Event(s)";
        }
        ctx_.report_subject(u.email, shown, chp::SubjectState::kActive, detail);
        continue;
      }
    }
    ++counts.users_failed;
    ctx_.report_subject(u.email, shown, chp::SubjectState::kDisabled, error);
  }
  boost::json::object summary{{"users", counts.users},
                              {"users_ok", counts.users_ok},
                              {"users_failed", counts.users_failed},
                              {"messages", counts.messages},
                              {"removed", counts.removed},
                              {"tasks", counts.tasks},
                              {"tasks_failed", counts.tasks_failed},
                              {"unmatched", counts.unmatched},
                              {"resyncs", counts.resyncs},
                              {"events", counts.events},
                              {"events_removed", counts.events_removed},
                              {"events_upserted", counts.events_upserted},
                              {"events_failed", counts.events_failed},
                              {"users_skipped", counts.users_skipped},
                              {"graph_calls", static_cast<std::int64_t>(graph.calls())},
                              {"graph_throttled", static_cast<std::int64_t>(graph.throttled())},
                              {"salesforce_calls", static_cast<std::int64_t>(sf.api_calls())}};
  // The members the host reads for /metrics (host README, "Ops"): mail and calendar items
  // read from Graph, Salesforce activities written, and those refused.
  summary["records"] = boost::json::object{{"in", counts.messages + counts.events},
                                           {"out", counts.tasks + counts.events_upserted},
                                           {"failed", counts.tasks_failed + counts.events_failed}};
  if (const auto& usage = sf.usage().last()) {
    summary["api_quota"] =
        boost::json::object{{"used", usage->used_calls}, {"limit", usage->max_calls}};
  }
  call.set_output(summary);
}

}  // namespace rgsync
