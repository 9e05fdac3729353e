//! A rotation asked for by another command (`reconcile`): the work of a noun's `rotate` verb on
//! a profile already resolved, with plain parameters. Each `rotate.rs` parses its flags,
//! resolves its profile, builds and checks its sinks, then calls its own `rotate_with`, which
//! takes one of these; `reconcile` calls the same function for each token its plan rotates.

use jiff::SignedDuration;

pub struct RotateCall<'a> {
    /// The token's ID or exact name.
    pub token: &'a str,
    /// How long the old token keeps working; `None`: the noun's default.
    pub grace: Option<SignedDuration>,
    /// Check the new secret before the old token is retired.
    pub verify: bool,
    /// The sink flags as given, for the rotation journal (`rotations resume`).
    pub flags: Vec<String>,
    /// The caller has confirmed already: no question is asked.
    pub confirmed: bool,
    /// The caller reports the outcome: the new secret is printed only when a sink did not get
    /// it (the sinks hold it otherwise).
    pub quiet: bool,
}

impl<'a> RotateCall<'a> {
    /// A rotation asked for on the command line: it confirms as the verb does, and prints the
    /// new secret.
    pub fn asked(
        token: &'a str,
        grace: Option<SignedDuration>,
        verify: bool,
        flags: Vec<String>,
    ) -> Self {
        RotateCall {
            token,
            grace,
            verify,
            flags,
            confirmed: false,
            quiet: false,
        }
    }

    /// Whether the destructive step may go ahead without a question.
    pub fn yes(&self, ctx: &crate::context::Context) -> bool {
        self.confirmed || ctx.globals.yes
    }
}

impl RotateCall<'_> {
    /// The rotation's steps as asked for, with `default` as the grace when none was given.
    pub fn steps(&self, default: SignedDuration) -> crate::commands::rotation::Asked {
        crate::commands::rotation::Asked {
            grace: self.grace.unwrap_or(default),
            verify: self.verify,
            sinks: self.flags.clone(),
        }
    }
}
