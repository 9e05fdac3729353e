//! What `-o` takes: a format every command speaks ([`Format`]), or one only `audit` writes
//! ([`AuditFormat`]), refused up front by every other command.

use clap::ValueEnum;
use clap::builder::PossibleValue;

use super::Format;

/// The formats only `audit` writes: what CI, code scanning and monitoring read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// audit only: SARIF 2.1.0, one result per finding (GitHub code scanning)
    Sarif,
    /// audit only: JUnit XML, one testcase per token and rule (GitLab, Jenkins)
    Junit,
    /// audit only: a Markdown table (`$GITHUB_STEP_SUMMARY`)
    Markdown,
    /// audit only: CSV (RFC 4180), one finding a row
    Csv,
    /// audit only: Prometheus textfile-collector metrics
    Prometheus,
}

impl AuditFormat {
    pub fn name(self) -> &'static str {
        match self {
            AuditFormat::Sarif => "sarif",
            AuditFormat::Junit => "junit",
            AuditFormat::Markdown => "markdown",
            AuditFormat::Csv => "csv",
            AuditFormat::Prometheus => "prometheus",
        }
    }
}

/// The value of `-o`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatArg {
    Any(Format),
    Audit(AuditFormat),
}

impl ValueEnum for FormatArg {
    fn value_variants<'a>() -> &'a [Self] {
        use AuditFormat as A;
        use FormatArg::{Any, Audit};
        &[
            Any(Format::Table),
            Any(Format::Json),
            Any(Format::Ndjson),
            Any(Format::Id),
            Any(Format::Env),
            Audit(A::Sarif),
            Audit(A::Junit),
            Audit(A::Markdown),
            Audit(A::Csv),
            Audit(A::Prometheus),
        ]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        match self {
            FormatArg::Any(f) => f.to_possible_value(),
            FormatArg::Audit(a) => a.to_possible_value(),
        }
    }
}

/// `-o FORMAT` of audit's own is refused up front by every other command (exit 2).
pub fn check_audit_format(format: Option<AuditFormat>, is_audit: bool) -> anyhow::Result<()> {
    match format {
        Some(f) if !is_audit => Err(crate::error::CliError::usage(format!(
            "-o {} is only for `tokenctl audit`; this command writes table, json, ndjson or id",
            f.name()
        ))
        .into()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_back() {
        for v in FormatArg::value_variants() {
            let name = v.to_possible_value().expect("named").get_name().to_owned();
            assert_eq!(FormatArg::from_str(&name, false).expect("parses"), *v);
        }
        assert!(check_audit_format(Some(AuditFormat::Csv), false).is_err());
        assert!(check_audit_format(Some(AuditFormat::Csv), true).is_ok());
        assert!(check_audit_format(None, false).is_ok());
    }
}
