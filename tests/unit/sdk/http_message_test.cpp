// The SDK's small HTTP and time helpers shared by the plugins: Response::retry_after_ms,
// Call::sleep_ms, and the Salesforce datetime checkpoint helpers (salesforce/soql_time.hpp).
#include <gtest/gtest.h>
#include <connector_host/sdk/call.hpp>
#include <connector_host/sdk/http/message.hpp>
#include <connector_host/sdk/salesforce/soql_time.hpp>

namespace {

chp::http::Response with_retry_after(std::string value) {
  chp::http::Response r;
  r.status = 429;
  r.headers = {{"retry-after", std::move(value)}};
  return r;
}

TEST(HttpResponse, RetryAfterSecondsBecomeMillisecondsCappedAtADay) {
  EXPECT_EQ(with_retry_after("0").retry_after_ms(), 0);
  EXPECT_EQ(with_retry_after("7").retry_after_ms(), 7000);
  EXPECT_EQ(with_retry_after("999999").retry_after_ms(), 24LL * 3600 * 1000);
  EXPECT_FALSE(with_retry_after("").retry_after_ms());
  EXPECT_FALSE(with_retry_after("-1").retry_after_ms());
  EXPECT_FALSE(with_retry_after("1.5").retry_after_ms());
  EXPECT_FALSE(with_retry_after("Wed, 21 Oct 2015 07:28:00 GMT").retry_after_ms());
  EXPECT_FALSE(chp::http::Response{}.retry_after_ms());
}

TEST(Call, SleepWithoutAHostCallReturnsAfterTheWait) {
  const chp::Call call(nullptr, nullptr);  // never cancelled, no deadline
  EXPECT_NO_THROW(call.sleep_ms(0));
  EXPECT_NO_THROW(call.sleep_ms(2));
}

TEST(SoqlTime, ParsesSalesforceFormsAndFormatsLiterals) {
  EXPECT_EQ(chp::salesforce::parse_sf_datetime("1970-01-01T00:00:00.000+0000"), 0);
  EXPECT_EQ(chp::salesforce::parse_sf_datetime("2024-05-01T12:00:00Z"), 1714564800);
  EXPECT_EQ(chp::salesforce::parse_sf_datetime("2024-05-01T14:00:00.123+02:00"), 1714564800);
  EXPECT_FALSE(chp::salesforce::parse_sf_datetime("2024-05-01"));
  EXPECT_FALSE(chp::salesforce::parse_sf_datetime("2024-05-01T12:00:00"));
  EXPECT_EQ(chp::salesforce::format_soql_datetime(1714564800 - 300), "2024-05-01T11:55:00Z");
  EXPECT_EQ(chp::salesforce::format_soql_datetime(951782400), "2000-02-29T00:00:00Z");
}

TEST(SoqlTime, ParsesTheHttpDateHeader) {
  EXPECT_EQ(chp::salesforce::parse_http_date("Wed, 01 May 2024 12:00:00 GMT"), 1714564800);
  EXPECT_EQ(chp::salesforce::parse_http_date("Tue, 29 Feb 2000 00:00:00 GMT"), 951782400);
  EXPECT_EQ(chp::salesforce::parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
  EXPECT_FALSE(chp::salesforce::parse_http_date("Wed, 01 Foo 2024 12:00:00 GMT"));
  EXPECT_FALSE(chp::salesforce::parse_http_date("Wed, 01 May 2024 12:00:00 UTC"));
  EXPECT_FALSE(chp::salesforce::parse_http_date("Wednesday, 01-May-24 12:00:00 GMT"));
  EXPECT_FALSE(chp::salesforce::parse_http_date("Wed, 01 May 2024 25:00:00 GMT"));
  EXPECT_FALSE(chp::salesforce::parse_http_date(""));
}

}  // namespace
