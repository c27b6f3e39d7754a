// Salesforce datetimes as the sync checkpoint needs them: parsing the API's
// "2024-05-01T12:34:56.000+0000" form to epoch seconds and formatting SOQL datetime literals
// ("2024-05-01T12:29:56Z") after the overlap is subtracted.
#ifndef PLUGINS_SALESFORCE_SOQL_TIME_HPP_
#define PLUGINS_SALESFORCE_SOQL_TIME_HPP_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sfplugin {

// Seconds since the epoch (UTC); std::nullopt for text that is not an ISO-8601 datetime with
// a Z or ±hhmm / ±hh:mm offset.
std::optional<std::int64_t> parse_sf_datetime(std::string_view text);

// "YYYY-MM-DDThh:mm:ssZ" (UTC), the SOQL datetime literal form.
std::string format_soql_datetime(std::int64_t epoch_s);

}  // namespace sfplugin

#endif  // PLUGINS_SALESFORCE_SOQL_TIME_HPP_
