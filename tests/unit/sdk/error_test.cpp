// error.hpp: a failed host callback becomes the Error subclass of its class, with a message
// that names the operation but never the class (the host prints the class once, in front).
#include <gtest/gtest.h>
#include <connector_host/sdk/error.hpp>

#include <string>

namespace {

struct Thrown {
  chp::ErrorClass cls;
  std::string message;
  bool host_reason_attached;
};

template <typename F>
Thrown catch_error(F&& f) {
  try {
    f();
  } catch (const chp::Error& e) {
    return Thrown{e.cls(), e.what(), e.host_reason_attached()};
  }
  ADD_FAILURE() << "nothing thrown";
  return {};
}

TEST(ThrowForStatus, MapsEachStatusToItsClassWithoutNamingTheClass) {
  struct Case {
    chp_status_code status;
    chp::ErrorClass cls;
    const char* message;
  };
  for (const Case& c : {
           Case{CHP_ERR_TRANSIENT, chp::ErrorClass::kTransient, "state get failed"},
           Case{CHP_ERR_AUTH_REVOKED, chp::ErrorClass::kAuthRevoked, "state get failed"},
           Case{CHP_ERR_CONFIG, chp::ErrorClass::kConfig, "state get failed"},
           Case{CHP_ERR_CANCELLED, chp::ErrorClass::kCancelled, "state get failed"},
           Case{CHP_ERR_PERMANENT, chp::ErrorClass::kPermanent, "state get failed"},
           Case{CHP_ERR_NOT_FOUND, chp::ErrorClass::kPermanent, "state get: not found"},
           Case{CHP_ERR_CONFLICT, chp::ErrorClass::kTransient, "state get: conflict"},
           Case{CHP_ERR_UNSUPPORTED, chp::ErrorClass::kPermanent,
                "state get: not supported by this host"},
       }) {
    Thrown t = catch_error([&] { chp::throw_for_status(c.status, "state get"); });
    EXPECT_EQ(t.cls, c.cls) << c.status;
    EXPECT_EQ(t.message, c.message) << c.status;
    EXPECT_FALSE(t.host_reason_attached);
  }
}

TEST(ThrowForStatus, MessagesNeverRepeatAClassName) {
  for (chp_status_code status :
       {CHP_ERR_TRANSIENT, CHP_ERR_AUTH_REVOKED, CHP_ERR_CONFIG, CHP_ERR_CANCELLED,
        CHP_ERR_PERMANENT, CHP_ERR_CONFLICT, static_cast<chp_status_code>(999)}) {
    std::string message = catch_error([&] { chp::throw_for_status(status, "op"); }).message;
    for (const char* word : {"transient", "auth_revoked", "config", "permanent", "cancelled"}) {
      EXPECT_EQ(message.find(word), std::string::npos) << status << ": " << message;
    }
  }
}

TEST(ThrowForCallStatus, MarksTheHostReasonAsAttached) {
  Thrown t = catch_error([] { chp::throw_for_call_status(CHP_ERR_CANCELLED, "connection token"); });
  EXPECT_EQ(t.cls, chp::ErrorClass::kCancelled);
  EXPECT_EQ(t.message, "connection token failed");
  EXPECT_TRUE(t.host_reason_attached);
  // The subclass is kept, so connectors can still catch by class.
  EXPECT_THROW(chp::throw_for_call_status(CHP_ERR_AUTH_REVOKED, "x"), chp::AuthRevokedError);
}

TEST(ThrowError, ConnectorErrorsAreNeverMarked) {
  EXPECT_FALSE(catch_error([] {
                 chp::throw_error(chp::ErrorClass::kConfig, "'x' bad");
               }).host_reason_attached);
  EXPECT_THROW(chp::throw_error(chp::ErrorClass::kConfig, "'x' bad"), chp::ConfigError);
}

}  // namespace
