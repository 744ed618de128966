//! The sandbox's in-memory state and the decisions taken on it. No I/O here.

use std::collections::hash_map::RandomState;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::hash::{BuildHasher, Hasher};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::errors::ApiError;
use crate::{secret_meets_policy, ErrorStyle, Fault, Partner, PartnerStats, SandboxConfig, Stats};

/// Settings that can change while the sandbox runs.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub token_lifetime: Duration,
    pub latency: Duration,
    pub lockout_threshold: u32,
    pub locked_status: u16,
    pub error_style: ErrorStyle,
}

pub(crate) struct Shared {
    inner: Mutex<Inner>,
    /// The OAuth 1.0a verifier's keys, nonces and counters (its own lock).
    pub oauth1: crate::oauth1::Verifier,
    /// The OAuth 2.0 server's clients, tokens and counters (its own lock).
    pub oauth2: crate::oauth2::OAuth2Server,
    /// Scripted answers and the requests they met (its own lock).
    pub script: crate::script::ScriptCell,
    /// The encrypted API's keys (its own lock).
    pub encrypted: crate::encrypted::EncryptedApi,
    /// The customers of the served Finicity resources (its own lock).
    pub resources: crate::resources::Directory,
}

impl Shared {
    pub fn new(config: &SandboxConfig) -> Self {
        let mut inner = Inner {
            settings: Settings {
                token_lifetime: config.token_lifetime,
                latency: config.latency,
                lockout_threshold: config.lockout_threshold,
                locked_status: config.locked_status,
                error_style: config.error_style,
            },
            partners: BTreeMap::new(),
            counters: BTreeMap::new(),
            tokens: HashMap::new(),
            faults: VecDeque::new(),
            endpoints: BTreeMap::new(),
            auth_user_agents: BTreeMap::new(),
            token_seq: 0,
        };
        for p in &config.partners {
            inner.add_partner(p.clone());
        }
        Shared {
            inner: Mutex::new(inner),
            oauth1: crate::oauth1::Verifier::new(&config.oauth1_keys, config.oauth1_tolerance),
            oauth2: crate::oauth2::OAuth2Server::new(&config.oauth2_clients),
            script: crate::script::ScriptCell::new(),
            encrypted: crate::encrypted::EncryptedApi::default(),
            resources: crate::resources::Directory::new(),
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every counter, the OAuth 1.0a verifier's included.
    pub fn stats(&self) -> Stats {
        let mut stats = self.lock().stats();
        stats.oauth1 = self.oauth1.stats();
        stats.oauth2 = self.oauth2.stats();
        stats
    }

    /// Zeroes every counter, the OAuth 1.0a verifier's included.
    pub fn reset_stats(&self) {
        self.lock().reset_stats();
        self.oauth1.reset_stats();
        self.oauth2.reset_stats();
    }
}

struct PartnerState {
    secret: String,
    app_key: String,
    /// Old secrets still accepted (a modify with `immediate: false`).
    grace: Vec<String>,
    /// Every secret the partner had before a successful modify.
    retired: Vec<String>,
    locked: bool,
    wrong_in_a_row: u32,
}

struct TokenInfo {
    partner_id: String,
    app_key: String,
    issued: Instant,
    expired: bool,
}

/// The fields of a Create Access Token / Modify Partner Secret body.
#[derive(Default)]
pub(crate) struct AuthFields {
    pub partner_id: Option<String>,
    pub partner_secret: Option<String>,
    pub new_partner_secret: Option<String>,
    /// `None` when absent; `Some(Err(()))` when present but not a boolean.
    pub immediate: Option<Result<bool, ()>>,
}

pub(crate) struct Inner {
    pub settings: Settings,
    partners: BTreeMap<String, PartnerState>,
    /// Counters by Partner ID named in requests (known or not).
    counters: BTreeMap<String, PartnerStats>,
    tokens: HashMap<String, TokenInfo>,
    pub faults: VecDeque<(Fault, u32)>,
    endpoints: BTreeMap<String, u64>,
    auth_user_agents: BTreeMap<String, u64>,
    token_seq: u64,
}

impl Inner {
    // ---- admin operations -------------------------------------------------------------

    pub fn add_partner(&mut self, p: Partner) {
        match self.partners.get_mut(&p.partner_id) {
            Some(state) => {
                state.secret = p.secret;
                state.app_key = p.app_key;
            }
            None => {
                self.partners.insert(
                    p.partner_id,
                    PartnerState {
                        secret: p.secret,
                        app_key: p.app_key,
                        grace: Vec::new(),
                        retired: Vec::new(),
                        locked: false,
                        wrong_in_a_row: 0,
                    },
                );
            }
        }
    }

    pub fn has_partner(&self, partner_id: &str) -> bool {
        self.partners.contains_key(partner_id)
    }

    pub fn unlock(&mut self, partner_id: &str) {
        if let Some(state) = self.partners.get_mut(partner_id) {
            state.locked = false;
            state.wrong_in_a_row = 0;
        }
    }

    pub fn expire_tokens(&mut self, partner_id: &str) {
        for token in self.tokens.values_mut() {
            if token.partner_id == partner_id {
                token.expired = true;
            }
        }
    }

    pub fn push_fault(&mut self, fault: Fault, times: u32) {
        if times > 0 {
            self.faults.push_back((fault, times));
        }
    }

    pub fn reset_stats(&mut self) {
        self.counters.clear();
        self.endpoints.clear();
        self.auth_user_agents.clear();
    }

    pub fn stats(&self) -> Stats {
        let mut partners = self.counters.clone();
        for (id, state) in &self.partners {
            let entry = partners.entry(id.clone()).or_default();
            entry.locked = state.locked;
            entry.wrong_in_a_row = state.wrong_in_a_row;
        }
        Stats {
            partners,
            endpoints: self.endpoints.clone(),
            auth_user_agents: self.auth_user_agents.clone(),
            oauth1: BTreeMap::new(),
            oauth2: BTreeMap::new(),
        }
    }

    pub fn partner_stats(&self, partner_id: &str) -> PartnerStats {
        let mut stats = self.counters.get(partner_id).cloned().unwrap_or_default();
        if let Some(state) = self.partners.get(partner_id) {
            stats.locked = state.locked;
            stats.wrong_in_a_row = state.wrong_in_a_row;
        }
        stats
    }

    // ---- request bookkeeping ----------------------------------------------------------

    pub fn count_endpoint(&mut self, key: String) {
        *self.endpoints.entry(key).or_insert(0) += 1;
    }

    pub fn count_auth_user_agent(&mut self, agent: &str) {
        *self.auth_user_agents.entry(agent.to_owned()).or_insert(0) += 1;
    }

    fn counters(&mut self, partner_id: &str) -> &mut PartnerStats {
        self.counters.entry(partner_id.to_string()).or_default()
    }

    /// Takes the next queued fault, if any.
    pub fn next_fault(&mut self) -> Option<Fault> {
        let (fault, remaining) = self.faults.front_mut()?;
        let fault = fault.clone();
        *remaining -= 1;
        if *remaining == 0 {
            self.faults.pop_front();
        }
        Some(fault)
    }

    /// Bookkeeping done for every `POST` before anything else: request and retired-secret
    /// counters, then the fault (if one is queued), counted as such.
    pub fn begin_authenticate(&mut self, fields: Option<&AuthFields>) -> Option<Fault> {
        let named = fields.and_then(|f| f.partner_id.clone());
        if let Some(id) = &named {
            self.counters(id).auth_requests += 1;
        }
        if let Some(f) = fields {
            self.count_retired(f);
        }
        let fault = self.next_fault()?;
        if let Some(id) = &named {
            let c = self.counters(id);
            c.auth_faulted += 1;
            if fault == Fault::Locked {
                c.auth_locked += 1;
            }
        }
        Some(fault)
    }

    /// Bookkeeping done for every `PUT` before anything else.
    pub fn begin_modify(&mut self, fields: Option<&AuthFields>) {
        if let Some(f) = fields {
            if let Some(id) = &f.partner_id {
                self.counters(id).modify_requests += 1;
            }
            self.count_retired(f);
        }
    }

    fn count_retired(&mut self, fields: &AuthFields) {
        let (Some(id), Some(secret)) = (&fields.partner_id, &fields.partner_secret) else {
            return;
        };
        let retired = self
            .partners
            .get(id)
            .is_some_and(|p| p.retired.iter().any(|s| s == secret));
        if retired {
            self.counters(id).retired_secret_attempts += 1;
        }
    }

    fn app_key_known(&self, app_key: &str) -> bool {
        self.partners.values().any(|p| p.app_key == app_key)
    }

    /// Checks shared by `POST` and `PUT` (`modify`), up to and including the secret. On
    /// success returns the Partner ID. A wrong secret counts toward the lockout.
    fn check_credentials(
        &mut self,
        app_key: Option<&str>,
        fields: Result<&AuthFields, ()>,
        modify: bool,
    ) -> Result<String, ApiError> {
        let app_key = app_key.ok_or(ApiError::MissingAppKey)?;
        if !self.app_key_known(app_key) {
            return Err(ApiError::TooManyRequests);
        }
        let fields = fields.map_err(|()| ApiError::BadRequest)?;
        let partner_id = fields
            .partner_id
            .as_deref()
            .ok_or(ApiError::MissingPartnerId)?;
        let secret = fields
            .partner_secret
            .as_deref()
            .ok_or(ApiError::BadRequest)?;
        if modify
            && (fields.new_partner_secret.is_none() || matches!(fields.immediate, Some(Err(()))))
        {
            return Err(ApiError::BadRequest);
        }
        let locked_status = self.settings.locked_status;
        let threshold = self.settings.lockout_threshold;
        let Some(partner) = self.partners.get_mut(partner_id) else {
            return Err(ApiError::PartnerNotFound);
        };
        if partner.app_key != app_key {
            return Err(ApiError::NotAuthorized);
        }
        if partner.locked {
            self.counters(partner_id).auth_locked += 1;
            return Err(ApiError::Locked(locked_status));
        }
        let accepted = partner.secret == secret || partner.grace.iter().any(|s| s == secret);
        if !accepted {
            partner.wrong_in_a_row = partner.wrong_in_a_row.saturating_add(1);
            if threshold > 0 && partner.wrong_in_a_row >= threshold {
                partner.locked = true;
                tracing::debug!(partner_id, "finauth-sandbox: partner locked");
            }
            self.counters(partner_id).auth_failures += 1;
            return Err(ApiError::InvalidCredentials);
        }
        partner.wrong_in_a_row = 0;
        Ok(partner_id.to_string())
    }

    /// Create Access Token: returns the new token.
    pub fn authenticate(
        &mut self,
        app_key: Option<&str>,
        fields: Result<&AuthFields, ()>,
    ) -> Result<String, ApiError> {
        let partner_id = self.check_credentials(app_key, fields, false)?;
        let app_key = app_key.unwrap_or_default().to_string();
        let token = self.new_token();
        self.tokens.insert(
            token.clone(),
            TokenInfo {
                partner_id: partner_id.clone(),
                app_key,
                issued: Instant::now(),
                expired: false,
            },
        );
        self.counters(&partner_id).auth_success += 1;
        Ok(token)
    }

    /// Modify Partner Secret.
    pub fn modify(
        &mut self,
        app_key: Option<&str>,
        fields: Result<&AuthFields, ()>,
    ) -> Result<(), ApiError> {
        let partner_id = self.check_credentials(app_key, fields, true)?;
        let (new_secret, immediate) = match fields {
            Ok(f) => (
                f.new_partner_secret.clone().unwrap_or_default(),
                matches!(f.immediate, None | Some(Ok(true))),
            ),
            Err(()) => return Err(ApiError::BadRequest),
        };
        let Some(partner) = self.partners.get_mut(&partner_id) else {
            return Err(ApiError::PartnerNotFound);
        };
        if !secret_meets_policy(&new_secret) || new_secret == partner.secret {
            return Err(ApiError::SecretPolicy);
        }
        let old = std::mem::replace(&mut partner.secret, new_secret.clone());
        if immediate {
            partner.grace.clear();
        } else if !partner.grace.contains(&old) {
            partner.grace.push(old.clone());
        }
        partner.grace.retain(|s| *s != new_secret);
        if !partner.retired.contains(&old) {
            partner.retired.push(old);
        }
        partner.retired.retain(|s| *s != new_secret);
        self.counters(&partner_id).modify_success += 1;
        Ok(())
    }

    /// A call to a protected resource. On success returns the token's Partner ID.
    pub fn check_resource(
        &mut self,
        app_key: Option<&str>,
        token: Option<&str>,
    ) -> Result<String, ApiError> {
        let token_info = token.and_then(|t| self.tokens.get(t));
        // Whose request is it, for the counters: the token's partner, else the App Key's.
        let owner = token_info.map(|t| t.partner_id.clone()).or_else(|| {
            app_key.and_then(|k| {
                self.partners
                    .iter()
                    .find(|(_, p)| p.app_key == k)
                    .map(|(id, _)| id.clone())
            })
        });
        let verdict = self.resource_verdict(app_key, token);
        if let Some(owner) = owner {
            let c = self.counters(&owner);
            c.resource_requests += 1;
            if verdict.is_ok() {
                c.resource_ok += 1;
            } else {
                c.resource_rejected += 1;
            }
        }
        verdict
    }

    fn resource_verdict(
        &self,
        app_key: Option<&str>,
        token: Option<&str>,
    ) -> Result<String, ApiError> {
        let app_key = app_key.ok_or(ApiError::MissingAppKey)?;
        if !self.app_key_known(app_key) {
            return Err(ApiError::InvalidAppKey);
        }
        let token = token.ok_or(ApiError::MissingToken)?;
        let info = self
            .tokens
            .get(token)
            .filter(|t| t.app_key == app_key)
            .ok_or(ApiError::InvalidToken)?;
        if self
            .partners
            .get(&info.partner_id)
            .is_some_and(|p| p.locked)
        {
            return Err(ApiError::Locked(self.settings.locked_status));
        }
        if info.expired || info.issued.elapsed() >= self.settings.token_lifetime {
            return Err(ApiError::ExpiredToken);
        }
        Ok(info.partner_id.clone())
    }

    /// 32 alphanumeric characters from the std randomly keyed hasher, a counter and the clock.
    /// Unpredictable enough for a sandbox; not a cryptographic token.
    fn new_token(&mut self) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        loop {
            self.token_seq = self.token_seq.wrapping_add(1);
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            let mut token = String::with_capacity(32);
            for round in 0u64..4 {
                let mut hasher = RandomState::new().build_hasher();
                hasher.write_u64(self.token_seq);
                hasher.write_u128(nanos);
                hasher.write_u64(round);
                let mut n = hasher.finish();
                for _ in 0..8 {
                    token.push(char::from(ALPHABET[(n % 62) as usize]));
                    n /= 62;
                }
            }
            if !self.tokens.contains_key(&token) {
                return token;
            }
        }
    }
}
