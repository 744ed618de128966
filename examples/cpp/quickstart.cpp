// finauth from C++ (finauth.hpp): a token, then a Finicity call with libcurl carrying both headers;
// then, if FINAUTH_OAUTH2_TOKEN_URL is set, an OAuth 2.0 client-credentials call the same way.
// Each call is a finauth::Exchange: this program only moves bytes, finauth decides whether an
// answer means "send again" (a rejected token, a DPoP nonce challenge) or "stop" (24302).
//
// Configured from the environment (FINICITY_PARTNER_ID, FINICITY_PARTNER_SECRET, FINICITY_APP_KEY,
// FINICITY_BASE_URL, ...; FINAUTH_OAUTH2_TOKEN_URL, FINAUTH_OAUTH2_CLIENT_ID, ... and
// FINAUTH_OAUTH2_RESOURCE_URL, the URL to call, for OAuth 2.0). Build against an installed
// libfinauth:
//
//   c++ -std=c++17 quickstart.cpp $(pkg-config --cflags --libs finauth) -lcurl -o quickstart
#include <finauth.hpp>

#include <curl/curl.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

namespace {

struct Answer {
  long status = 0;
  std::string headers;  // the header block as received, for Exchange::observe
  std::string body;
};

// GET `url` with the headers.
Answer get(const std::string &url, const finauth::Headers &headers) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) throw std::runtime_error("curl_easy_init failed");
  curl_slist *raw = curl_slist_append(nullptr, "Accept: application/json");
  for (const auto &[name, value] : headers) raw = curl_slist_append(raw, (name + ": " + value).c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> list(raw, curl_slist_free_all);
  Answer a;
  auto write = +[](char *p, size_t size, size_t n, void *out) -> size_t {
    static_cast<std::string *>(out)->append(p, size * n);
    return size * n;
  };
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, list.get());
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, write);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERDATA, &a.headers);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, write);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &a.body);
  CURLcode rc = curl_easy_perform(curl.get());
  if (rc != CURLE_OK) throw std::runtime_error(std::string("request failed: ") + curl_easy_strerror(rc));
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &a.status);
  return a;
}

// OAuth 2.0 client credentials (FINAUTH_OAUTH2_*): a Bearer (or DPoP) call to `url`.
long oauth2_call(const std::string &url) {
  auto cc = finauth::ClientCredentials::from_env();
  finauth::Exchange ex(cc, "GET", url);
  long status = 0;
  for (;;) {
    finauth::Headers headers = ex.prepare();  // a fresh DPoP proof each attempt, if DPoP
    std::cout << "GET " << url << "\n";
    Answer a = get(url, headers);
    status = a.status;
    std::cout << a.body << "\nHTTP " << status << "\n";
    if (!ex.observe(static_cast<int>(status), a.headers, "")) break;  // else: send again
  }
  std::cout << "OAuth 2.0 token requests: " << cc.stats().auth_requests << "\n";
  return status;
}

}  // namespace

int main() {
  try {
    std::cout << "libfinauth " << finauth::version() << "\n";
    auto auth = finauth::PartnerAuth::from_env();

    std::string token = auth.token();  // authenticates once, then from the cache
    std::cout << "token: " << token.substr(0, 4) << "... (" << token.size() << " characters)\n";

    const char *base = std::getenv("FINICITY_BASE_URL");
    std::string url = std::string(base && *base ? base : "https://api.finicity.com") +
                      "/aggregation/v1/customers";
    curl_global_init(CURL_GLOBAL_DEFAULT);
    long status = 0;
    finauth::Exchange ex(auth, "GET", url);
    for (;;) {
      finauth::Headers headers = ex.prepare();
      std::cout << "GET " << url << "\n";
      Answer a = get(url, headers);
      status = a.status;
      std::cout << a.body << "\nHTTP " << status << "\n";
      // finauth judges the answer: true means it dropped a rejected token, send again. A 24302
      // throws AccountLockedError (recorded: every caller sharing the store stops).
      const int st = static_cast<int>(status);
      if (!ex.observe(st, a.headers, ex.wants_body(st) ? a.body : std::string())) break;
    }

    finauth_stats st = auth.stats();
    std::cout << "authentication requests: " << st.auth_requests << ", cache hits: " << st.cache_hits
              << "\n";

    const char *token_url = std::getenv("FINAUTH_OAUTH2_TOKEN_URL");
    const char *resource = std::getenv("FINAUTH_OAUTH2_RESOURCE_URL");
    if (status == 200 && token_url && *token_url && resource && *resource) {
      status = oauth2_call(resource);
    }
    curl_global_cleanup();
    return status == 200 ? 0 : 1;
  } catch (const finauth::LockoutGuardError &e) {
    std::cerr << "lockout guard (" << e.guard_reason() << "): " << e.what() << "\n";
  } catch (const finauth::InvalidCredentialsError &e) {
    std::cerr << "wrong credentials, " << e.attempts_remaining().value_or(0)
              << " attempt(s) left: " << e.what() << "\n";
  } catch (const finauth::Error &e) {
    std::cerr << e.kind() << ": " << e.what() << "\n";
    if (e.oauth_error()) {  // an OAuth 2.0 error answer: its fields, for a support ticket
      std::cerr << "  error=" << *e.oauth_error()
                << " error_description=" << e.error_description().value_or("")
                << " correlation_id=" << e.correlation_id().value_or("") << "\n";
    }
  } catch (const std::exception &e) {
    std::cerr << e.what() << "\n";
  }
  return 1;
}
