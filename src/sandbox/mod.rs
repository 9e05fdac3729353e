//! Local emulator of the vendor APIs.
