// JSON shapes of the admin API (views, errors) and the mapping of error classes to HTTP
// status codes. Shared by the server's router; the client parses the same shapes.
#pragma once

#include <boost/json/value.hpp>

#include "chost/admin/admin_backend.hpp"
#include "chost/common/result.hpp"

namespace chost::admin {

boost::json::value to_json(const ConnectorView& view);
boost::json::value to_json(const SubjectView& view);
boost::json::value to_json(const TransitionView& view);
// {"id","collection","record_id","error","attempts","created_at","created_at_ms","failed_at",
// "failed_at_ms"}: times as UTC ISO 8601 text for people and as ms for programs; null when
// never failed.
boost::json::value to_json(const OutboxEntryView& view);
boost::json::value to_json(const NotificationView& view);

// {"error":{"class":"not_found","message":".."}}
boost::json::value error_json(const Error& error);

// not_found 404, config 400, conflict 409, auth_revoked 409, anything else 500.
int http_status_for(ErrorClass cls);

}  // namespace chost::admin
