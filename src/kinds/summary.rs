//! What every token kind says about one token, in one typed shape.

use jiff::Timestamp;

use crate::dates::{VendorDate, rfc3339};

/// Whether the vendor lets the token authenticate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Active,
    /// `status: disabled`, or `enabled: false`.
    Disabled,
    /// A state the token can leave again (`status: suspended`).
    Suspended,
    /// Dead for good (`status: revoked`); only deleting it is left.
    Revoked,
}

impl State {
    /// The word `--status` selects by.
    pub fn word(self) -> &'static str {
        match self {
            State::Active => "active",
            State::Disabled => "disabled",
            State::Suspended => "suspended",
            State::Revoked => "revoked",
        }
    }
}

/// A status as the vendor reports it, where it reports one: what `--status` selects by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Active,
    Disabled,
    Expired,
    Suspended,
    Revoked,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Active,
        Status::Disabled,
        Status::Expired,
        Status::Suspended,
        Status::Revoked,
    ];

    pub fn word(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Disabled => "disabled",
            Status::Expired => "expired",
            Status::Suspended => "suspended",
            Status::Revoked => "revoked",
        }
    }

    /// The status a vendor's word names; `None` for a word this client does not know.
    pub fn from_word(word: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.word() == word)
    }
}

/// When a token expires, as far as the vendor says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    /// No expiry (Access `duration: forever`, or no expiry date at all).
    Never,
    At(Timestamp),
    /// The vendor sent something unreadable: no expiry finding either way.
    Unknown,
}

/// When a token was last used, where the vendor reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Usage {
    /// The vendor does not report use, or sent something unreadable.
    NotReported,
    Never,
    At(Timestamp),
}

/// One token as every cross-cutting feature sees it: bulk selection, audit, completion and
/// find-by-name.
#[derive(Clone, Debug)]
pub struct Summary {
    pub id: String,
    /// `None` for kinds whose tokens have no names.
    pub name: Option<String>,
    pub state: State,
    /// The status the vendor reports, where it reports one (`status: disabled`).
    pub status: Option<Status>,
    pub expiry: Expiry,
    pub last_used: Usage,
    pub created: Option<Timestamp>,
    pub modified: Option<Timestamp>,
    /// Dates the vendor sent that are not dates: the field and the value.
    pub unparseable: Vec<(&'static str, String)>,
    /// What the token may do and from where, for kinds that say.
    pub posture: Posture,
}

/// What a token may do and from where, where the kind says (Cloudflare account tokens).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Posture {
    /// Whether requests are limited to some addresses (`condition.request_ip.in`); `None` for
    /// kinds that have no such condition.
    pub ip_restricted: Option<bool>,
    /// What the token is allowed: each allowing grant's permission group names and resource
    /// keys (nested keys included); `None` for kinds whose scopes are not read.
    pub grants: Option<Vec<Grant>>,
    /// The token's role, for kinds that have one (Mosquitto: `admin`, `editor`, `viewer`, or
    /// the project's own `root`).
    pub role: Option<String>,
}

/// One allowing policy of a token: its permission groups on its resources.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grant {
    pub groups: Vec<String>,
    pub resources: Vec<String>,
}

impl Summary {
    /// The date the secret is taken to be from, for `stale-secret`: the last change where the
    /// vendor reports one (a Cloudflare roll or rotate changes the secret in place), else the
    /// creation (the other kinds are rotated by a new token).
    pub fn secret_since(&self) -> Option<Timestamp> {
        self.modified.or(self.created)
    }

    /// Whether the token no longer works because of its age: so said, or past its expiry.
    pub fn expired(&self, now: Timestamp) -> bool {
        self.status == Some(Status::Expired) || matches!(self.expiry, Expiry::At(at) if at <= now)
    }

    /// The status `--status` selects by: the vendor's own where it reports one; else
    /// `expired` once expired, and the state's word before.
    pub fn status(&self, now: Timestamp) -> &'static str {
        match self.status {
            Some(s) => s.word(),
            None if self.expired(now) => "expired",
            None => self.state.word(),
        }
    }

    /// The expiry as RFC 3339, where there is one.
    pub fn expires_at(&self) -> Option<String> {
        match self.expiry {
            Expiry::At(at) => Some(rfc3339(at)),
            Expiry::Never | Expiry::Unknown => None,
        }
    }
}

/// Reads a vendor's dates into a [`Summary`], noting those that do not parse.
#[derive(Default)]
pub struct Dates(pub Vec<(&'static str, String)>);

impl Dates {
    pub fn read(&mut self, field: &'static str, s: Option<&str>) -> VendorDate {
        let d = VendorDate::parse(s);
        if let VendorDate::Unparseable(raw) = &d {
            self.0.push((field, raw.clone()));
        }
        d
    }

    /// A date where a present value is always meant to be one.
    pub fn ts(&mut self, field: &'static str, s: Option<&str>) -> Option<Timestamp> {
        self.read(field, s).at()
    }

    /// An optional date where absence means "never expires".
    pub fn expiry(&mut self, field: &'static str, s: Option<&str>) -> Expiry {
        expiry_of(self.read(field, s))
    }

    /// An optional date where absence means "never used".
    pub fn usage(&mut self, field: &'static str, s: Option<&str>) -> Usage {
        usage_of(self.read(field, s))
    }

    /// A Unix time in seconds or milliseconds, read by `parse`.
    pub fn unix(
        &mut self,
        field: &'static str,
        v: Option<f64>,
        parse: fn(f64) -> Option<Timestamp>,
    ) -> VendorDate {
        match v {
            None => VendorDate::Absent,
            Some(n) => parse(n).map_or_else(
                || {
                    self.0.push((field, n.to_string()));
                    VendorDate::Unparseable(n.to_string())
                },
                VendorDate::At,
            ),
        }
    }
}

/// An expiry date: absent means never.
pub fn expiry_of(d: VendorDate) -> Expiry {
    match d {
        VendorDate::Absent => Expiry::Never,
        VendorDate::At(at) => Expiry::At(at),
        VendorDate::Unparseable(_) => Expiry::Unknown,
    }
}

/// A last-used date: absent means never used.
pub fn usage_of(d: VendorDate) -> Usage {
    match d {
        VendorDate::Absent => Usage::Never,
        VendorDate::At(at) => Usage::At(at),
        VendorDate::Unparseable(_) => Usage::NotReported,
    }
}
