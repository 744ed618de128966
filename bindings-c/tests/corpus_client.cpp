// One corpus case's requests through the C++ wrapper: libcurl for the HTTP, a finauth::Exchange
// (RAII over finauth_exchange) per logical request for everything else. Same arguments and
// output as corpus_client.c; driven by run_corpus.py.
#include "finauth.hpp"

#include <curl/curl.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

namespace {

size_t append(char *p, size_t size, size_t n, void *userdata) {
  static_cast<std::string *>(userdata)->append(p, size * n);
  return size * n;
}

struct Answer {
  long status = -1;
  std::string headers;
  std::string body;
};

Answer attempt(const std::string &method, const std::string &url, const std::optional<std::string> &body,
               const finauth::Headers &h) {
  Answer a;
  std::unique_ptr<CURL, void (*)(CURL *)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return a;
  curl_slist *list = nullptr;
  for (const auto &[name, value] : h) list = curl_slist_append(list, (name + ": " + value).c_str());
  std::unique_ptr<curl_slist, void (*)(curl_slist *)> owned(list, curl_slist_free_all);
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_CUSTOMREQUEST, method.c_str());
  if (body) curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body->c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, append);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERDATA, &a.headers);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &a.body);
  if (curl_easy_perform(curl.get()) == CURLE_OK) curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &a.status);
  return a;
}

// One logical request: the I/O loop over the exchange, nothing more.
template <typename Auth>
std::string request(Auth &auth, const std::string &method, const std::string &url,
                    const std::optional<std::string> &body) {
  try {
    finauth::Exchange ex(auth, method, url);
    for (;;) {
      Answer a = attempt(method, url, body, ex.prepare());
      if (a.status < 0) return "error=TRANSPORT";
      if (!ex.observe(static_cast<int>(a.status), a.headers,
                      ex.wants_body(static_cast<int>(a.status)) ? a.body : std::string()))
        return "status=" + std::to_string(a.status);
    }
  } catch (const finauth::Error &e) {
    return std::string("error=") + finauth_status_name(e.status());
  }
}

template <typename Auth>
int run(Auth &auth, const std::string &method, const std::string &url, const std::optional<std::string> &body,
        int requests) {
  for (int i = 0; i < requests; i++) std::cout << request(auth, method, url, body) << "\n";
  try {
    auth.token();
    std::cout << "after=OK\n";
  } catch (const finauth::Error &e) {
    std::cout << "after=" << finauth_status_name(e.status()) << "\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 6) {
    std::cerr << "usage: corpus_client_cpp KIND METHOD URL BODY|- REQUESTS\n";
    return 2;
  }
  const std::string kind = argv[1], method = argv[2], url = argv[3];
  std::optional<std::string> body;
  if (std::string(argv[4]) != "-") body = argv[4];
  const int requests = std::atoi(argv[5]);
  const char *base = std::getenv("FINAUTH_SANDBOX_URL");
  if (base == nullptr) return 2;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  int rc = 0;
  try {
    if (kind == "finicity") {
      finauth::Config c;
      c.partner_id = "finauth-demo-partner";
      c.partner_secret = "DemoSecret2026";
      c.app_key = "demo-app-key";
      c.base_url = base;
      c.allow_insecure_loopback = true;
      finauth::PartnerAuth auth(c);
      rc = run(auth, method, url, body, requests);
    } else {
      finauth::ClientCredentialsConfig c;
      c.token_url = std::string(base) + "/oauth2/token";
      c.client_id = "finauth-demo-client";
      c.client_secret = "demo-client-secret";
      c.allow_insecure_loopback = true;
      std::optional<finauth::SigningKey> key;
      if (kind == "oauth2-dpop") {
        key = finauth::SigningKey::from_file(std::getenv("FINAUTH_TEST_EC_KEY"));
        c.signing_key = &*key;
        c.dpop = true;
      }
      finauth::ClientCredentials cc(c);
      rc = run(cc, method, url, body, requests);
    }
  } catch (const finauth::Error &e) {
    std::cerr << "setup: " << e.what() << "\n";
    rc = 2;
  }
  curl_global_cleanup();
  return rc;
}
