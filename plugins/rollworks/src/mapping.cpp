// The account data mapping (see mapping.hpp).
#include "mapping.hpp"

namespace rollworks {
namespace {

boost::json::value member_or_null(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr ? *v : boost::json::value(nullptr);
}

// Account list names joined by "; " (a text field: Salesforce has no list type to map to).
boost::json::value list_names(const boost::json::object& entry) {
  const boost::json::value* lists = entry.if_contains("account_lists");
  if (lists == nullptr || !lists->is_array() || lists->as_array().empty()) return nullptr;
  std::string out;
  for (const boost::json::value& l : lists->as_array()) {
    if (!l.is_object()) continue;
    const boost::json::value* name = l.as_object().if_contains("name");
    if (name == nullptr || !name->is_string() || name->as_string().empty()) continue;
    out += (out.empty() ? "" : "; ") + std::string(name->as_string());
  }
  return out.empty() ? boost::json::value(nullptr) : boost::json::value(out);
}

}  // namespace

std::vector<const AccountDataTarget*> written_account_data_targets(const Config& config,
                                                                   std::int64_t now_s) {
  std::vector<const AccountDataTarget*> out{&config.account_data};
  if (config.legacy_account_data && now_s < config.legacy_account_data->until_s) {
    out.push_back(&config.legacy_account_data->target);
  }
  return out;
}

const LegacyAccountDataTarget* ended_legacy_target(const Config& config, std::int64_t now_s) {
  return config.legacy_account_data && now_s >= config.legacy_account_data->until_s
             ? &*config.legacy_account_data
             : nullptr;
}

boost::json::object account_data_record(const AccountDataTarget& target,
                                        const boost::json::object& feed_entry) {
  return boost::json::object{
      {target.external_id_field, member_or_null(feed_entry, "account_id")},
      {target.account_field, member_or_null(feed_entry, "account_external_id")},
      {"Journey_Stage__c", member_or_null(feed_entry, "journey_stage")},
      {"ICP_Fit_Grade__c", member_or_null(feed_entry, "icp_fit_grade")},
      {"Intent_Score__c", member_or_null(feed_entry, "intent_score")},
      {"Account_Lists__c", list_names(feed_entry)},
      {"Ad_Impressions_30d__c", member_or_null(feed_entry, "ad_impressions_30d")},
      {"Ad_Clicks_30d__c", member_or_null(feed_entry, "ad_clicks_30d")}};
}

std::string mapping_status(const Config& config, std::int64_t now_s) {
  std::string s = "account data mapping v" + std::to_string(config.account_data.version) + " → " +
                  config.account_data.object;
  if (const auto& legacy = config.legacy_account_data) {
    const std::string old =
        "v" + std::to_string(legacy->target.version) + " → " + legacy->target.object;
    s += now_s < legacy->until_s
             ? "; also " + old + " until " + legacy->until
             : "; " + old + " no longer written (dual write ended " + legacy->until + ")";
  }
  return s;
}

boost::json::object mapping_summary(const Config& config, std::int64_t now_s) {
  boost::json::object out{{"version", config.account_data.version},
                          {"object", config.account_data.object}};
  if (const auto& legacy = config.legacy_account_data) {
    out["legacy"] = boost::json::object{{"version", legacy->target.version},
                                        {"object", legacy->target.object},
                                        {"until", legacy->until},
                                        {"written", now_s < legacy->until_s}};
  }
  return out;
}

}  // namespace rollworks
