//! Rendering answers, quotes and tables of contents for each front end. Only here is output
//! formatted; the data comes from [`crate::answer`] and [`crate::lookup`], and for a server's own
//! texts from [`crate::library`] ([`library`], shared by Discord and the terminal).

pub mod discord;
pub mod json;
pub mod library;
pub mod text;
