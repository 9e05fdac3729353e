//! How each API model shows as a table row, a detail view and an ID. The models themselves
//! live in `vendors/` and know nothing of this.

mod cloudflare;
mod mailtrap;
mod mosquitto;
mod prefactor;
mod rotations;
