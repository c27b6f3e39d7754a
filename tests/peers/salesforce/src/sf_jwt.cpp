// RS256 verification of JWT bearer assertions against a connected app's certificate (OpenSSL).
#include <memory>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <boost/json.hpp>

#include "sf_peer_state.h"
#include "sf_util.h"

namespace chpeer::sf {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// Accepts an X.509 certificate (what Salesforce stores) or a bare public key.
PkeyPtr LoadPublicKey(const std::string& pem) {
  {
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (cert) return PkeyPtr(X509_get_pubkey(cert.get()));
  }
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return PkeyPtr(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
}

}  // namespace

std::optional<boost::json::object> VerifyJwtAssertion(const std::string& assertion,
                                                      const std::string& public_pem,
                                                      std::string* error) {
  auto dot1 = assertion.find('.');
  auto dot2 = dot1 == std::string::npos ? dot1 : assertion.find('.', dot1 + 1);
  if (dot2 == std::string::npos) {
    *error = "invalid assertion";
    return std::nullopt;
  }
  auto header = Base64UrlDecode(assertion.substr(0, dot1));
  auto payload = Base64UrlDecode(assertion.substr(dot1 + 1, dot2 - dot1 - 1));
  auto signature = Base64UrlDecode(assertion.substr(dot2 + 1));
  if (!header || !payload || !signature) {
    *error = "invalid assertion";
    return std::nullopt;
  }
  boost::json::value header_json, claims;
  try {
    header_json = boost::json::parse(*header);
    claims = boost::json::parse(*payload);
  } catch (const std::exception&) {
    *error = "invalid assertion";
    return std::nullopt;
  }
  const auto* alg = header_json.is_object() ? header_json.as_object().if_contains("alg") : nullptr;
  if (!alg || !alg->is_string() || alg->as_string() != "RS256" || !claims.is_object()) {
    *error = "invalid assertion";
    return std::nullopt;
  }
  PkeyPtr key = LoadPublicKey(public_pem);
  if (!key) {
    *error = "invalid assertion";
    return std::nullopt;
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  std::string signing_input = assertion.substr(0, dot2);
  bool ok =
      ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
      EVP_DigestVerify(
          ctx.get(), reinterpret_cast<const unsigned char*>(signature->data()), signature->size(),
          reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size()) == 1;
  if (!ok) {
    *error = "invalid assertion";
    return std::nullopt;
  }
  return claims.as_object();
}

}  // namespace chpeer::sf
