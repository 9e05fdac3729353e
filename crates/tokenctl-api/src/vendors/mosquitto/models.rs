//! Serde models of Mosquitto project tokens. Dates are Unix time numbers; whether seconds or
//! milliseconds is not documented, so both are read.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::secret::Secret;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MosquittoToken {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(default, deserialize_with = "crate::vendors::null_default")]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_date: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_date: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_date: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brokers: Option<Vec<String>>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Create: the token with its secret, returned only then.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MosquittoTokenIssued {
    #[serde(flatten)]
    pub details: MosquittoToken,
    pub token: Secret,
}

#[derive(Clone, Debug, Serialize)]
pub struct CreateBody {
    pub name: String,
    pub role: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub brokers: Vec<String>,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_date: Option<String>,
}

/// A Unix time in seconds or milliseconds: values past the year 5138 in seconds are taken as
/// milliseconds (no real token date is that far out, and milliseconds of any date after 1973 are
/// that large).
pub fn unix_time(v: f64) -> Option<Timestamp> {
    if !v.is_finite() || v <= 0.0 {
        return None;
    }
    let secs = if v >= 1e11 { v / 1000.0 } else { v };
    Timestamp::from_second(secs as i64).ok()
}

#[cfg(test)]
mod null_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_and_milliseconds() {
        let s = unix_time(1_767_225_600.0).expect("seconds");
        let ms = unix_time(1_767_225_600_000.0).expect("milliseconds");
        assert_eq!(s, ms);
        assert_eq!(s.to_string(), "2026-01-01T00:00:00Z");
        assert!(unix_time(0.0).is_none());
        assert!(unix_time(f64::NAN).is_none());
    }
}
