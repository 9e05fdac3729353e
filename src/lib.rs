//! tokenctl: administer API tokens of Cloudflare, Mailtrap, Prefactor and Cedalo Pro Mosquitto.

pub mod sandbox;
