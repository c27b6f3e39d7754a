// The record of what RollWorks last took (see sent_payloads.hpp).
#include "sent_payloads.hpp"

#include <connector_host/sdk/json.hpp>
#include <connector_host/sdk/oauth/pkce.hpp>

namespace rollworks {
namespace {

std::string collection_of(const std::string& object) { return "rollworks-sent-" + object; }

}  // namespace

std::string payload_digest(const boost::json::object& payload) {
  return chp::oauth::base64url_encode(chp::oauth::sha256(boost::json::serialize(payload)));
}

std::optional<SentPayload> last_sent(const chp::Context& ctx, const std::string& object,
                                     const std::string& id) {
  const std::optional<boost::json::value> v = ctx.record_get(collection_of(object), id);
  if (!v || !v->is_object()) return std::nullopt;
  SentPayload s;
  s.digest =
      chp::optional_string(v->as_object(), "sha256", chp::ErrorClass::kPermanent).value_or("");
  s.stamp_s = chp::optional_int(v->as_object(), "stamp_s", 0, chp::ErrorClass::kPermanent);
  s.refused_digest =
      chp::optional_string(v->as_object(), "refused_sha256", chp::ErrorClass::kPermanent)
          .value_or("");
  return s;
}

void remember_sent(chp::Transaction& txn, const std::string& object, const std::string& id,
                   const SentPayload& sent) {
  txn.upsert_record(collection_of(object), id,
                    boost::json::object{{"sha256", sent.digest},
                                        {"stamp_s", sent.stamp_s},
                                        {"refused_sha256", sent.refused_digest}});
}

}  // namespace rollworks
