// sync: check the Salesforce user (preflight.hpp: refused before anything is read or pushed),
// check the advertiser, then up (per object) and down, each with its own checkpoint
// (see sync_up.cpp, sync_down.cpp). A Salesforce connection that is not connected
// (AuthRevokedError from connection_token) propagates before anything is pushed: the host
// suspends the connector and shows why. A refused RollWorks key is a ConfigError.
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
                             config_.client_options());
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
                             config_.client_options());
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

  std::vector<std::string> failures;
  std::int64_t record_errors = 0;
  boost::json::object up;
  for (const std::string& object : config_.objects_up) {
    call.throw_if_cancelled();
    const UpCounts c = sync_up(call, sf, rw, object);
    record_errors += c.record_errors;
    if (!c.failure.empty()) failures.push_back(c.failure);
    up[object] = boost::json::object{{"read", c.read},
                                     {"created", c.created},
                                     {"updated", c.updated},
                                     {"unchanged", c.unchanged},
                                     {"errors", c.record_errors}};
  }
  const DownCounts d = sync_down(call, sf, rw);
  record_errors += d.record_errors;
  if (!d.failure.empty()) failures.push_back(d.failure);
  const DownCounts dc = sync_contacts(call, sf, rw);
  record_errors += dc.record_errors;
  if (!dc.failure.empty()) failures.push_back(dc.failure);

  boost::json::object summary{
      {"up", std::move(up)},
      {"down", boost::json::object{{"accounts", boost::json::object{{"received", d.received},
                                                                    {"upserted", d.upserted},
                                                                    {"errors", d.record_errors},
                                                                    {"resyncs", d.resyncs},
                                                                    {"retried", d.retried},
                                                                    {"parked", d.parked}}},
                                   {"contacts", boost::json::object{{"received", dc.received},
                                                                    {"updated", dc.upserted},
                                                                    {"unlinked", dc.unlinked},
                                                                    {"errors", dc.record_errors},
                                                                    {"resyncs", dc.resyncs}}}}},
      {"record_errors", record_errors},
      {"rollworks_calls", static_cast<std::int64_t>(rw.calls())},
      {"rollworks_throttled", static_cast<std::int64_t>(rw.throttled())},
      {"salesforce_calls", static_cast<std::int64_t>(sf.api_calls())}};
  if (!preflight.warning.empty()) summary["warnings"] = boost::json::array{preflight.warning};
  if (record_errors > 0) {
    ctx_.report_status(std::to_string(record_errors) +
                       " record(s) refused in this sync (see the log; those from RollWorks wait "
                       "in the outbox and are retried next sync); the rest synced");
  }
  if (!failures.empty()) {
    std::string why;
    for (const std::string& f : failures) why += (why.empty() ? "" : "; ") + f;
    ctx_.report_status(why);
    throw chp::TransientError(why);
  }
  call.set_output(summary);
}

}  // namespace rollworks
