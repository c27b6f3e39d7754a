#include "activity.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>

namespace rgsync {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string str(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

// {"emailAddress":{"name","address"}}
std::optional<Address> recipient(const boost::json::value& v) {
  if (!v.is_object()) return std::nullopt;
  const boost::json::value* ea = v.as_object().if_contains("emailAddress");
  if (ea == nullptr || !ea->is_object()) return std::nullopt;
  Address a{lower(str(ea->as_object(), "address")), str(ea->as_object(), "name")};
  if (a.address.empty()) return std::nullopt;
  return a;
}

void recipients(const boost::json::object& o, std::string_view key, std::vector<Address>& out) {
  const boost::json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_array()) return;
  for (const boost::json::value& r : v->as_array()) {
    if (auto a = recipient(r)) out.push_back(std::move(*a));
  }
}

std::string domain_of(std::string_view address) {
  const std::size_t at = address.rfind('@');
  return at == std::string_view::npos ? std::string() : std::string(address.substr(at + 1));
}

bool blocked(const std::string& address, const std::vector<std::string>& blocklist) {
  const std::string domain = "@" + domain_of(address);
  return std::any_of(blocklist.begin(), blocklist.end(),
                     [&](const std::string& b) { return b == address || b == domain; });
}

// Cuts at `n` bytes without splitting a UTF-8 sequence.
std::string utf8_prefix(std::string_view s, std::size_t n) {
  if (s.size() <= n) return std::string(s);
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n));
}

}  // namespace

bool is_plausible_email(std::string_view s) {
  const std::size_t at = s.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 >= s.size()) return false;
  if (s.find('@', at + 1) != std::string_view::npos) return false;
  if (s.find('.', at + 1) == std::string_view::npos) return false;
  return std::none_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isspace(c) || std::iscntrl(c) || c == '\'' || c == '"' || c == '\\' || c == ',';
  });
}

std::string soql_quote(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    switch (c) {
      case '\'':
        out += "\\'";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += c;
    }
  }
  out += "'";
  return out;
}

std::optional<MailMessage> parse_message(const boost::json::value& item) {
  if (!item.is_object()) return std::nullopt;
  const boost::json::object& o = item.as_object();
  MailMessage m;
  m.id = str(o, "id");
  if (m.id.empty()) return std::nullopt;
  m.removed = o.contains("@removed");
  if (m.removed) return m;
  m.internet_message_id = str(o, "internetMessageId");
  m.subject = str(o, "subject");
  m.preview = str(o, "bodyPreview");
  if (const boost::json::value* f = o.if_contains("from")) m.from = recipient(*f);
  if (!m.from) {
    if (const boost::json::value* s = o.if_contains("sender")) m.from = recipient(*s);
  }
  recipients(o, "toRecipients", m.recipients);
  recipients(o, "ccRecipients", m.recipients);
  recipients(o, "bccRecipients", m.recipients);
  m.sent_at = str(o, "sentDateTime");
  m.received_at = str(o, "receivedDateTime");
  const boost::json::value* d = o.if_contains("isDraft");
  m.is_draft = d != nullptr && d->is_bool() && d->as_bool();
  return m;
}

std::vector<std::string> external_participants(const MailMessage& m, std::string_view owner,
                                               const std::vector<std::string>& internal_domains,
                                               const std::vector<std::string>& blocklist) {
  std::vector<std::string> out;
  auto consider = [&](const Address& a) {
    if (a.address == owner || !is_plausible_email(a.address)) return;
    const std::string domain = domain_of(a.address);
    if (std::find(internal_domains.begin(), internal_domains.end(), domain) !=
        internal_domains.end()) {
      return;
    }
    if (blocked(a.address, blocklist)) return;
    if (std::find(out.begin(), out.end(), a.address) == out.end()) out.push_back(a.address);
  };
  if (m.from) consider(*m.from);
  for (const Address& a : m.recipients) consider(a);
  return out;
}

std::string task_external_id(std::string_view owner, const MailMessage& m) {
  const std::string input =
      std::string(owner) + "\n" + (m.internet_message_id.empty() ? m.id : m.internet_message_id);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(input.data(), input.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "rg-";
  for (unsigned int i = 0; i < 20 && i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xF];
  }
  return out;
}

boost::json::object build_task(const MailMessage& m, const TaskFields& f) {
  boost::json::object t;
  t["attributes"] = boost::json::object{{"type", "Task"}};
  t[f.external_id_field] = f.external_id;
  const std::string subject = m.subject.empty() ? "(no subject)" : m.subject;
  // Salesforce's own email logging names tasks "Email: <subject>"; Subject holds 255 chars.
  t["Subject"] = utf8_prefix("Email: " + subject, 255);
  t["Status"] = "Completed";
  t["Priority"] = "Normal";
  t["OwnerId"] = f.owner_id;
  t["WhoId"] = f.who.id;
  // Salesforce refuses a WhatId next to a Lead WhoId.
  if (!f.who.is_lead && !f.who.account_id.empty()) t["WhatId"] = f.who.account_id;
  const std::string& when = f.outgoing ? (m.sent_at.empty() ? m.received_at : m.sent_at)
                                       : (m.received_at.empty() ? m.sent_at : m.received_at);
  if (when.size() >= 10) t["ActivityDate"] = when.substr(0, 10);
  std::string description = (f.outgoing ? "Sent: " : "Received: ") + when;
  if (f.snippet_chars > 0 && !m.preview.empty()) {
    description += "\n\n" + utf8_prefix(m.preview, f.snippet_chars);
  }
  t["Description"] = description;
  return t;
}

}  // namespace rgsync
