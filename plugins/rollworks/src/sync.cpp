// sync: check the Salesforce user (preflight.hpp: refused before anything is read or pushed),
// check the advertiser, then up (per object) and down, each with its own checkpoint
// (see sync_up.cpp, sync_down.cpp). A Salesforce connection that is not connected
// (AuthRevokedError from connection_token) propagates before anything is pushed: the host
// suspends the connector and shows why. A refused RollWorks key is a ConfigError.
#include "mapping.hpp"
#include "preflight.hpp"
#include "rollworks_connector.hpp"

namespace rollworks {

namespace {

std::string refusal_text(const Preflight& preflight) {
  std::string list;
  for (const std::string& m : preflight.missing) list += (list.empty() ? "" : ", ") + m;
  return "the Salesforce user " + preflight.username + " lacks " + list +
         "; nothing is synced until the connection is authorized as a user that has them (a "
         "dedicated integration user)";
}

}  // namespace

RollworksConnector::RollworksConnector(chp::Context& ctx, const boost::json::object& config)
    : ctx_(ctx), config_(parse_config(config)) {}

void RollworksConnector::authorize(chp::Call& call, const boost::json::object& input) {
  const boost::json::value* step = input.if_contains("step");
  if (step == nullptr || !step->is_string() || step->as_string() != "check_connection") {
    throw chp::PermanentError(
        "rollworks authorizes nothing itself: authorize the Salesforce connection it uses");
  }
  chp::salesforce::Client sf(ctx_, call, chp::salesforce::host_token_source(ctx_, call),
                             config_.salesforce);
  const Preflight preflight = check_salesforce_user(sf);
  if (!preflight.missing.empty()) throw chp::ConfigError(refusal_text(preflight));
  boost::json::array warnings;
  if (!preflight.warning.empty()) warnings.emplace_back(preflight.warning);
  call.set_output(boost::json::object{{"warnings", std::move(warnings)}});
}

void RollworksConnector::check_advertiser(RollworksClient& rw) {
  RollworksResponse r = rw.get("");
  if (!r.ok()) {
    if (r.status == 403 || r.status == 404) {
      throw chp::ConfigError("RollWorks advertiser " + config_.advertiser_id + ": " +
                             r.error_text());
    }
    throw chp::TransientError("RollWorks advertiser check: " + r.error_text());
  }
  const boost::json::value* name = r.body.if_contains("name");
  ctx_.report_status("Success! We've connected your Audience to RollWorks. (" +
                     (name != nullptr && name->is_string() ? std::string(name->as_string())
                                                           : config_.advertiser_id) +
                     ")");
}

void RollworksConnector::sync(chp::Call& call, const boost::json::object& /*input*/) {
  chp::salesforce::Client sf(ctx_, call, chp::salesforce::host_token_source(ctx_, call),
                             config_.salesforce);
  RollworksClient rw(ctx_, call, config_);
  // The Salesforce session first: without it nothing may be pushed or read.
  (void)ctx_.connection_token(call, false);
  const Preflight preflight = check_salesforce_user(sf);
  if (!preflight.missing.empty()) {
    const std::string why = refusal_text(preflight);
    ctx_.report_status(why);
    throw chp::ConfigError(why);
  }
  check_advertiser(rw);
  if (!preflight.warning.empty()) {
    ctx_.log(chp::LogLevel::kWarn, preflight.warning);
    ctx_.report_status(preflight.warning);
  }

  const std::int64_t now_s = now_s_();
  RecordOutbox outbox(ctx_, config_, now_s);
  OutboxCounts orphans;
  outbox.park_unknown(outbox_collections(), orphans);

  std::vector<std::string> failures;
  std::int64_t record_errors = 0;
  std::int64_t records_in = 0;   // read from either side
  std::int64_t records_out = 0;  // written to the other side
  boost::json::object up;
  for (const std::string& object : config_.objects_up) {
    call.throw_if_cancelled();
    const UpCounts c = sync_up(call, sf, rw, outbox, object);
    record_errors += c.record_errors + c.outbox.refused;
    if (!c.failure.empty()) failures.push_back(c.failure);
    records_in += c.read;
    records_out += c.created + c.updated;
    up[object] = boost::json::object{{"read", c.read},
                                     {"created", c.created},
                                     {"updated", c.updated},
                                     {"unchanged", c.unchanged},
                                     {"echoes", c.echoes},
                                     {"errors", c.record_errors + c.outbox.refused},
                                     {"retried", c.outbox.retried},
                                     {"parked", c.outbox.parked}};
  }
  const DownCounts d = sync_down(call, sf, rw, outbox, now_s);
  record_errors += d.record_errors + d.outbox.refused;
  if (!d.failure.empty()) failures.push_back(d.failure);
  const DownCounts dc = sync_contacts(call, sf, rw, outbox);
  record_errors += dc.record_errors + dc.outbox.refused;
  if (!dc.failure.empty()) failures.push_back(dc.failure);

  std::int64_t waiting = 0;
  boost::json::object waiting_by_collection;
  for (const auto& [collection, n] : outbox.waiting()) {
    waiting += n;
    waiting_by_collection[collection] = n;
  }
  std::int64_t parked = orphans.parked;
  for (const auto& [name, c] : up) parked += c.as_object().at("parked").as_int64();
  parked += d.outbox.parked + dc.outbox.parked;

  boost::json::object summary{
      {"up", std::move(up)},
      {"down",
       boost::json::object{
           {"accounts", boost::json::object{{"received", d.received},
                                            {"upserted", d.upserted},
                                            {"legacy_upserted", d.legacy_upserted},
                                            {"errors", d.record_errors + d.outbox.refused},
                                            {"resyncs", d.resyncs},
                                            {"mapping_backfill", d.mapping_backfill},
                                            {"retried", d.outbox.retried},
                                            {"parked", d.outbox.parked},
                                            {"retired", d.outbox.retired}}},
           {"contacts", boost::json::object{{"received", dc.received},
                                            {"updated", dc.upserted},
                                            {"unlinked", dc.unlinked},
                                            {"errors", dc.record_errors + dc.outbox.refused},
                                            {"resyncs", dc.resyncs},
                                            {"retried", dc.outbox.retried},
                                            {"parked", dc.outbox.parked}}}}},
      {"mapping", mapping_summary(config_, now_s)},
      {"outbox", boost::json::object{{"waiting", waiting},
                                     {"waiting_by_collection", std::move(waiting_by_collection)},
                                     {"parked", parked}}},
      {"record_errors", record_errors},
      // The members the host reads for /metrics (host README, "Ops").
      {"records",
       boost::json::object{{"in", records_in + d.received + dc.received},
                           {"out", records_out + d.upserted + d.legacy_upserted + dc.upserted},
                           {"failed", record_errors}}},
      {"rollworks_calls", static_cast<std::int64_t>(rw.calls())},
      {"rollworks_throttled", static_cast<std::int64_t>(rw.throttled())},
      {"salesforce_calls", static_cast<std::int64_t>(sf.api_calls())}};
  if (const auto& usage = sf.usage().last()) {
    summary["api_quota"] =
        boost::json::object{{"used", usage->used_calls}, {"limit", usage->max_calls}};
  }
  if (!preflight.warning.empty()) summary["warnings"] = boost::json::array{preflight.warning};
  if (config_.legacy_account_data) ctx_.report_status(mapping_status(config_, now_s));
  if (waiting > 0 || parked > 0) {
    std::string line =
        std::to_string(waiting) + " record(s) wait in the outbox, retried at a " + "later sync";
    if (parked > 0) {
      line += "; " + std::to_string(parked) +
              " parked in this sync for an admin (connector-host outbox NAME --retry)";
    }
    if (!outbox.last_error().empty()) line += "; last refusal: " + outbox.last_error();
    ctx_.report_status(line);
  }
  if (!failures.empty()) {
    std::string why;
    for (const std::string& f : failures) why += (why.empty() ? "" : "; ") + f;
    ctx_.report_status(why);
    throw chp::TransientError(why);
  }
  call.set_output(summary);
}

std::vector<std::string> RollworksConnector::outbox_collections() const {
  std::vector<std::string> out;
  for (const std::string& object : config_.objects_up) out.push_back(up_collection(object));
  out.push_back(config_.account_data.object);
  if (config_.legacy_account_data) out.push_back(config_.legacy_account_data->target.object);
  if (!config_.contact_journey_stage_field.empty()) {
    out.insert(out.end(), {"Contact", "Lead"});
  }
  return out;
}

}  // namespace rollworks
