// What RollWorks last took of each uploaded record: the SHA-256 of the mapped payload and the
// record's SystemModstamp, mirrored in the host store (collection "rollworks-sent-<Object>",
// by Salesforce Id; a digest, so no CRM data is copied into the store). It suppresses echoes:
// our own writes to Salesforce (the journey stage on a Contact or Lead) bump SystemModstamp,
// so the next up sync reads those records again, but their payload is the one already sent
// and is not sent again. The same suppression skips the records the overlap re-reads, and a
// refused version already in the outbox.
#ifndef PLUGINS_ROLLWORKS_SENT_PAYLOADS_HPP_
#define PLUGINS_ROLLWORKS_SENT_PAYLOADS_HPP_

#include <connector_host/sdk/sdk.hpp>

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>

namespace rollworks {

struct SentPayload {
  std::string digest;        // of the payload RollWorks took last ("" none yet)
  std::int64_t stamp_s = 0;  // SystemModstamp of that version, epoch seconds
  // Of the payload RollWorks refused last (it waits in the outbox, or was parked there): the
  // overlap re-reading that same version must not queue it again.
  std::string refused_digest;
};

// base64url(SHA-256(serialized payload)): the mapping builds payloads in a fixed member order.
std::string payload_digest(const boost::json::object& payload);

std::optional<SentPayload> last_sent(const chp::Context& ctx, const std::string& object,
                                     const std::string& id);
void remember_sent(chp::Transaction& txn, const std::string& object, const std::string& id,
                   const SentPayload& sent);

}  // namespace rollworks

#endif  // PLUGINS_ROLLWORKS_SENT_PAYLOADS_HPP_
